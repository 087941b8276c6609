//! Region lineage: merging, splitting and renaming regions without losing track of them (admins).
//!
//! A region that merges or splits is retired, not deleted: its code stays taken and resolves to
//! its successor, its history stays readable, and coverage figures for moments before the change
//! keep counting it. Each change links every predecessor to every successor in `region_lineage`
//! with its effective date; the records named by the operation move to the successor, each with an
//! audit entry, all in one transaction.

mod steps;

use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::{ApiError, ApiResult};
use crate::service::record::{self, Writer};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, QueryFilter, QueryOrder,
};
use std::collections::{BTreeSet, HashMap};
use steps::*;

/// Records that can move from a merged or split region to its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Carry {
    /// The RESV, with its seats, design criteria and agreements.
    Resv,
    /// The regional table of the region whose RESV moves.
    RegionalTable,
    /// The neighbourhood collaborations.
    NeighbourhoodCollaborations,
    /// ZonMw subsidies (they stay with the region they were granted to unless moved).
    Subsidies,
    /// Vouchers (at most one per discipline in the successor).
    Vouchers,
    /// The links of LeVEL materials to the region.
    Materials,
}

/// A merge: `codes` become one region, `successor_code`. If that is one of `codes`, that region
/// continues and absorbs the others; otherwise a new region is made (then `successor_name` is
/// required).
#[derive(Debug, Clone)]
pub struct Merge {
    pub codes: Vec<String>,
    pub successor_code: String,
    pub successor_name: Option<String>,
    pub effective_on: NaiveDate,
    /// The merging region whose RESV carries over (needed when several have one).
    pub resv_from: Option<String>,
    pub carry: BTreeSet<Carry>,
    pub note: Option<String>,
}

/// One region a split makes.
#[derive(Debug, Clone)]
pub struct SplitPart {
    pub code: String,
    pub name: String,
    pub population_approx: Option<i64>,
    /// The neighbourhood collaborations (ids) that go to this region.
    pub collaborations: Vec<i32>,
}

/// A split: region `code` ends and `parts` (at least two new regions) take its place.
#[derive(Debug, Clone)]
pub struct Split {
    pub code: String,
    pub parts: Vec<SplitPart>,
    pub effective_on: NaiveDate,
    /// The new region that takes over the RESV and the regional table (else they stay behind).
    pub resv_to: Option<String>,
    pub note: Option<String>,
}

/// A rename: a new code and/or name for region `id`, read at `version`.
#[derive(Debug, Clone)]
pub struct Rename {
    pub id: i32,
    pub version: i32,
    pub code: Option<String>,
    pub name: Option<String>,
    pub effective_on: NaiveDate,
    pub note: Option<String>,
}

/// What a lineage operation did.
#[derive(Debug, Clone)]
pub struct Change {
    /// The regions that exist after the change (the successors).
    pub successors: Vec<region::Model>,
    /// The regions the change retired.
    pub retired: Vec<region::Model>,
    /// The lineage links it recorded.
    pub links: Vec<region_lineage::Model>,
}

/// How `region(code:)` found a region: the code asked for and the changes followed.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub requested_code: String,
    pub changes: Vec<region_lineage::Model>,
}

/// The most changes `resolve` follows (a chain of merges and renames).
const MAX_HOPS: usize = 16;

/// The region a code stands for: the current region with that code; else, for a retired region
/// that merged, its successor; else the region renamed from it. Split regions answer as
/// themselves (they have several successors).
pub async fn resolve(
    db: &Reader,
    viewer: &Viewer,
    code: &str,
) -> ApiResult<Option<(region::Model, Option<Resolution>)>> {
    let mut changes = Vec::new();
    let mut current = access::regions(viewer)
        .filter(region::Column::Code.eq(code))
        .one(db)
        .await?;
    if current.is_none() {
        let renamed = access::region_lineage(viewer)
            .filter(region_lineage::Column::FormerCode.eq(code))
            .filter(region_lineage::Column::Kind.eq(LineageKind::Rename))
            .order_by_desc(region_lineage::Column::EffectiveOn)
            .order_by_desc(region_lineage::Column::Id)
            .one(db)
            .await?;
        let Some(link) = renamed else {
            return Ok(None);
        };
        current = region_by_id(db, viewer, link.successor_id).await?;
        changes.push(link);
    }
    let Some(mut region) = current else {
        return Ok(None);
    };
    while region.retired_on.is_some() && changes.len() < MAX_HOPS {
        let onward = access::region_lineage(viewer)
            .filter(region_lineage::Column::PredecessorId.eq(region.id))
            .filter(region_lineage::Column::Kind.eq(LineageKind::Merge))
            .all(db)
            .await?;
        let [link] = onward.as_slice() else { break };
        let Some(next) = region_by_id(db, viewer, link.successor_id).await? else {
            break;
        };
        changes.push(link.clone());
        region = next;
    }
    let resolution = (!changes.is_empty()).then(|| Resolution {
        requested_code: code.to_owned(),
        changes,
    });
    Ok(Some((region, resolution)))
}

async fn region_by_id<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<Option<region::Model>> {
    Ok(access::regions(viewer)
        .filter(region::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A change takes effect on a day that has come: the registry records what happened, and its
/// figures count a change from the moment it is recorded.
fn effective(day: NaiveDate) -> ApiResult<NaiveDate> {
    let today = chrono::Utc::now().date_naive();
    if day > today {
        return Err(ApiError::invalid(
            "effectiveOn",
            "lies in the future; record the change on or after the day it takes effect",
        ));
    }
    if day < super::coverage::earliest() {
        return Err(ApiError::invalid(
            "effectiveOn",
            format!("lies before {}", super::coverage::earliest()),
        ));
    }
    Ok(day)
}

/// The current (not retired) region with `code`, for a change; hidden or missing is NOT_FOUND.
async fn current_region(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    field: &str,
    code: &str,
) -> ApiResult<region::Model> {
    let region = access::regions(viewer)
        .filter(region::Column::Code.eq(code.trim()))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("region"))?;
    if let Some(on) = region.retired_on {
        return Err(ApiError::invalid(
            field,
            format!("region `{}` was retired on {on}", region.code),
        ));
    }
    Ok(region)
}

async fn ensure_code_free(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    field: &str,
    code: &str,
) -> ApiResult<()> {
    let taken = access::regions(viewer)
        .filter(region::Column::Code.eq(code))
        .one(txn)
        .await?;
    match taken {
        Some(_) => Err(ApiError::invalid(
            field,
            format!("a region with code `{code}` exists already"),
        )),
        None => Ok(()),
    }
}

async fn begin(db: &DatabaseConnection, viewer: &Viewer) -> ApiResult<DatabaseTransaction> {
    access::ensure_signed_in(viewer)?;
    access::ensure_admin(viewer)?;
    Ok(crate::db::begin_with_claims(db, &access::claims(viewer)).await?)
}

/// Merges regions (admins).
pub async fn merge(db: &DatabaseConnection, viewer: &Viewer, m: Merge) -> ApiResult<Change> {
    let on = effective(m.effective_on)?;
    let note = checked_note(m.note)?;
    let mut codes: Vec<String> = Vec::new();
    for code in &m.codes {
        let code = code.trim().to_owned();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.len() < 2 {
        return Err(ApiError::invalid(
            "regionCodes",
            "name at least two different regions",
        ));
    }
    let successor_code = m.successor_code.trim().to_owned();
    let txn = begin(db, viewer).await?;
    let w = Writer::new(&txn, viewer);
    let mut merging = Vec::new();
    for code in &codes {
        merging.push(current_region(&txn, viewer, "regionCodes", code).await?);
    }
    let office = merging[0].care_office_region_id;
    if merging.iter().any(|r| r.care_office_region_id != office) {
        return Err(ApiError::invalid(
            "regionCodes",
            "the regions lie in different care-office regions; a region lies in one",
        ));
    }
    let resvs = access::resvs(viewer)
        .filter(resv::Column::RegionId.is_in(merging.iter().map(|r| r.id)))
        .all(&txn)
        .await?;
    let with_resv: Vec<&region::Model> = merging
        .iter()
        .filter(|r| resvs.iter().any(|v| v.region_id == r.id))
        .collect();
    let continuing = merging.iter().find(|r| r.code == successor_code).cloned();
    let resv_from = match &m.resv_from {
        Some(code) => Some(
            merging
                .iter()
                .find(|r| r.code == code.trim())
                .ok_or_else(|| ApiError::invalid("resvFrom", "is not one of the merging regions"))?
                .clone(),
        ),
        None => match (with_resv.as_slice(), &continuing) {
            ([], _) => None,
            ([only], _) => Some((*only).clone()),
            (_, Some(c)) if with_resv.iter().any(|r| r.id == c.id) => Some(c.clone()),
            _ => {
                return Err(ApiError::invalid(
                    "resvFrom",
                    "several of the merging regions have an RESV; say whose carries over",
                ));
            }
        },
    };
    if m.carry.contains(&Carry::Resv)
        && let Some(from) = &resv_from
        && !with_resv.iter().any(|r| r.id == from.id)
    {
        return Err(ApiError::invalid(
            "resvFrom",
            format!("region `{}` has no RESV", from.code),
        ));
    }
    // The merged region is home to everyone who lived in the merging ones.
    let population = merging
        .iter()
        .map(|r| r.population_approx)
        .sum::<Option<i64>>();
    let successor = match continuing {
        Some(region) => {
            let mut after = region.clone();
            if let Some(name) = &m.successor_name {
                after.name = name.clone();
            }
            after.population_approx = population.or(region.population_approx);
            if after != region {
                record::store(&w, region, after)
                    .await
                    .map_err(|e| as_input(e, successor_field))?
                    .into_record()
            } else {
                region
            }
        }
        None => {
            ensure_code_free(&txn, viewer, "successorCode", &successor_code).await?;
            let name = m.successor_name.clone().unwrap_or_default();
            let template = resv_from.as_ref().unwrap_or_else(|| {
                merging
                    .iter()
                    .max_by_key(|r| r.population_approx.unwrap_or(0))
                    .unwrap_or(&merging[0])
            });
            let mut model = new_region(viewer, successor_code.clone(), name, template, population);
            if merging
                .iter()
                .any(|r| r.iza_region_id != template.iza_region_id)
            {
                model.iza_region_id = None;
            }
            record::create(&w, model)
                .await
                .map_err(|e| as_input(e, successor_field))?
        }
    };
    let others: Vec<&region::Model> = merging.iter().filter(|r| r.id != successor.id).collect();
    let other_ids: Vec<i32> = others.iter().map(|r| r.id).collect();
    if let Some(from) = resv_from.as_ref().filter(|f| f.id != successor.id) {
        if m.carry.contains(&Carry::Resv) {
            move_resv(&w, "resvFrom", from, &successor).await?;
        }
        if m.carry.contains(&Carry::RegionalTable) {
            move_table(&w, from, &successor).await?;
        }
    }
    if m.carry.contains(&Carry::NeighbourhoodCollaborations) {
        move_collaborations(&w, &other_ids, None, &successor).await?;
    }
    if m.carry.contains(&Carry::Subsidies) {
        move_subsidies(&w, &other_ids, &successor).await?;
    }
    if m.carry.contains(&Carry::Vouchers) {
        move_vouchers(&w, &other_ids, &successor).await?;
    }
    if m.carry.contains(&Carry::Materials) {
        move_materials(&w, &other_ids, &successor).await?;
    }
    let mut retired = Vec::new();
    let mut links = Vec::new();
    for region in others {
        links.push(link(&w, LineageKind::Merge, region, &successor, on, &note).await?);
        retired.push(retire(&w, region, on).await?);
    }
    txn.commit().await.map_err(super::write::refusal)?;
    Ok(Change {
        successors: vec![successor],
        retired,
        links,
    })
}

/// Splits a region into new ones (admins).
pub async fn split(db: &DatabaseConnection, viewer: &Viewer, s: Split) -> ApiResult<Change> {
    let on = effective(s.effective_on)?;
    let note = checked_note(s.note)?;
    if s.parts.len() < 2 {
        return Err(ApiError::invalid(
            "successors",
            "a split makes at least two regions",
        ));
    }
    let mut codes = BTreeSet::new();
    for part in &s.parts {
        let code = part.code.trim().to_owned();
        if !codes.insert(code.clone()) {
            return Err(ApiError::invalid(
                "successors.code",
                format!("`{code}` is named twice"),
            ));
        }
    }
    let txn = begin(db, viewer).await?;
    let w = Writer::new(&txn, viewer);
    let region = current_region(&txn, viewer, "code", &s.code).await?;
    let collaborations = access::neighbourhood_collaborations(viewer)
        .filter(neighbourhood_collaboration::Column::RegionId.eq(region.id))
        .all(&txn)
        .await?;
    let mut assigned: HashMap<i32, &str> = HashMap::new();
    for part in &s.parts {
        for id in &part.collaborations {
            if !collaborations.iter().any(|c| c.id == *id) {
                return Err(ApiError::invalid(
                    "successors.neighbourhoodCollaborationIds",
                    format!(
                        "a neighbourhood collaboration of region `{}` is not among them",
                        region.code
                    ),
                ));
            }
            if let Some(other) = assigned.insert(*id, &part.code) {
                return Err(ApiError::invalid(
                    "successors.neighbourhoodCollaborationIds",
                    format!(
                        "a neighbourhood collaboration is given to both `{other}` and `{}`",
                        part.code
                    ),
                ));
            }
        }
    }
    let left: Vec<&str> = collaborations
        .iter()
        .filter(|c| !assigned.contains_key(&c.id))
        .map(|c| c.name.as_str())
        .collect();
    if !left.is_empty() {
        return Err(ApiError::invalid(
            "successors.neighbourhoodCollaborationIds",
            format!(
                "say which new region takes each neighbourhood collaboration; not given: {}",
                left.join(", ")
            ),
        ));
    }
    if let Some(code) = &s.resv_to
        && !codes.contains(code.trim())
    {
        return Err(ApiError::invalid("resvTo", "is not one of the new regions"));
    }
    let mut successors = Vec::new();
    let mut links = Vec::new();
    for part in &s.parts {
        let code = part.code.trim().to_owned();
        ensure_code_free(&txn, viewer, "successors.code", &code).await?;
        let model = new_region(
            viewer,
            code,
            part.name.clone(),
            &region,
            part.population_approx,
        );
        let created = record::create(&w, model)
            .await
            .map_err(|e| as_input(e, |f| format!("successors.{f}")))?;
        if !part.collaborations.is_empty() {
            move_collaborations(&w, &[region.id], Some(&part.collaborations), &created).await?;
        }
        if s.resv_to.as_deref().map(str::trim) == Some(created.code.as_str()) {
            move_resv(&w, "resvTo", &region, &created).await?;
            move_table(&w, &region, &created).await?;
        }
        links.push(link(&w, LineageKind::Split, &region, &created, on, &note).await?);
        successors.push(created);
    }
    let retired = vec![retire(&w, &region, on).await?];
    txn.commit().await.map_err(super::write::refusal)?;
    Ok(Change {
        successors,
        retired,
        links,
    })
}

/// Renames a region: a new code, a new name or both (admins). The former code keeps resolving.
pub async fn rename(db: &DatabaseConnection, viewer: &Viewer, r: Rename) -> ApiResult<Change> {
    let on = effective(r.effective_on)?;
    let note = checked_note(r.note)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let before: region::Model = record::editable(&w, r.id).await?;
    if before.version != r.version {
        return Err(super::write::stale());
    }
    if let Some(on) = before.retired_on {
        return Err(ApiError::invalid(
            "id",
            format!("the region was retired on {on}"),
        ));
    }
    let mut after = before.clone();
    if let Some(code) = &r.code {
        after.code = code.trim().to_owned();
        if after.code != before.code {
            ensure_code_free(&txn, viewer, "code", &after.code).await?;
        }
    }
    if let Some(name) = &r.name {
        after.name = name.trim().to_owned();
    }
    if after.code == before.code && after.name == before.name {
        return Err(ApiError::invalid("code", "give a new code or a new name"));
    }
    let link = link(&w, LineageKind::Rename, &before, &before, on, &note).await?;
    let renamed = record::store(&w, before, after).await?.into_record();
    txn.commit().await.map_err(super::write::refusal)?;
    Ok(Change {
        successors: vec![renamed],
        retired: Vec::new(),
        links: vec![link],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_take_effect_on_a_day_that_has_come() {
        let today = chrono::Utc::now().date_naive();
        assert!(effective(today).is_ok());
        assert!(effective(today.succ_opt().expect("tomorrow")).is_err());
        assert!(effective(NaiveDate::from_ymd_opt(2019, 12, 31).expect("date")).is_err());
    }
}
