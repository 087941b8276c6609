//! The steps of a lineage change: each record moved, retired or created through the write
//! pipeline, and the link from predecessor to successor.

use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::edit_region::entered_by;
use crate::service::record::{self, Record, Writer};
use crate::service::rules::{Collaboration, Material};
use crate::service::write::{Action, audit, insert_new, now};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};

/// Changes each record with an id of `ids` by `change`, through the write pipeline (the kind's
/// rules, a new version, an audit entry); the records as stored.
pub(super) async fn change_each<R: Record>(
    w: &Writer<'_>,
    ids: Vec<i32>,
    change: impl Fn(&mut R) + Send + Sync,
) -> ApiResult<Vec<R>> {
    let mut changed = Vec::new();
    for id in ids {
        let before: R = record::editable(w, id).await?;
        let mut after = before.clone();
        change(&mut after);
        changed.push(record::store(w, before, after).await?.into_record());
    }
    Ok(changed)
}

/// A refusal of the region rules named as the lineage's input names the field: `name` becomes
/// `field("name")` (`successorName`, `successors.name`).
pub(super) fn as_input(err: ApiError, field: impl Fn(&str) -> String) -> ApiError {
    match err {
        ApiError::Invalid { field: f, reason } => ApiError::Invalid {
            field: field(&f),
            reason,
        },
        other => other,
    }
}

/// `successorName` for `name`.
pub(super) fn successor_field(field: &str) -> String {
    let mut chars = field.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "successor{}{}",
        first.map(String::from).unwrap_or_default(),
        chars.as_str()
    )
}

/// A lineage note: at most 2000 characters.
pub(super) fn checked_note(note: Option<String>) -> ApiResult<Option<String>> {
    let mut note = note;
    let mut rules = crate::service::rules::Rules::default();
    rules.optional_text("note", &mut note, 2000);
    match rules.done().into_iter().next() {
        Some(problem) => Err(problem.into_error()),
        None => Ok(note),
    }
}

pub(super) async fn retire(
    w: &Writer<'_>,
    region: &region::Model,
    on: NaiveDate,
) -> ApiResult<region::Model> {
    let mut retired = change_each(w, vec![region.id], |r: &mut region::Model| {
        r.retired_on = Some(on);
    })
    .await?;
    retired.pop().ok_or(ApiError::NotFound("region"))
}

pub(super) async fn link(
    w: &Writer<'_>,
    kind: LineageKind,
    from: &region::Model,
    to: &region::Model,
    on: NaiveDate,
    note: &Option<String>,
) -> ApiResult<region_lineage::Model> {
    let at = now();
    let model = region_lineage::Model {
        id: 0,
        kind,
        predecessor_id: from.id,
        successor_id: to.id,
        former_code: from.code.clone(),
        former_name: from.name.clone(),
        effective_on: on,
        note: note.clone(),
        recorded_at: at,
        recorded_ms: at.timestamp_millis(),
        recorded_by: w.viewer.sub().unwrap_or("anonymous").to_owned(),
    };
    let created = insert_new::<_, region_lineage::ActiveModel>(w.txn, model).await?;
    audit(
        w.txn,
        w.viewer,
        "region_lineage",
        created.id,
        Action::Create,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Moves the RESV of `from` to `to` (which must have none).
pub(super) async fn move_resv(
    w: &Writer<'_>,
    field: &str,
    from: &region::Model,
    to: &region::Model,
) -> ApiResult<()> {
    let resvs = access::resvs(w.viewer)
        .filter(resv::Column::RegionId.is_in([from.id, to.id]))
        .all(w.txn)
        .await?;
    if resvs.iter().any(|r| r.region_id == to.id) {
        return Err(ApiError::invalid(
            field,
            format!("region `{}` has an RESV of its own", to.code),
        ));
    }
    let ids: Vec<i32> = resvs.iter().map(|r| r.id).collect();
    change_each(w, ids, |r: &mut resv::Model| r.region_id = to.id).await?;
    Ok(())
}

/// Moves the regional table of `from` to `to` (which must have none).
pub(super) async fn move_table(
    w: &Writer<'_>,
    from: &region::Model,
    to: &region::Model,
) -> ApiResult<()> {
    let parties = access::regional_table_parties(w.viewer)
        .filter(regional_table_party::Column::RegionId.is_in([from.id, to.id]))
        .all(w.txn)
        .await?;
    if parties.iter().any(|p| p.region_id == to.id) {
        return Err(ApiError::invalid(
            "carryOver",
            format!(
                "region `{}` has a regional table of its own; leave REGIONAL_TABLE out",
                to.code
            ),
        ));
    }
    let ids: Vec<i32> = parties.iter().map(|p| p.id).collect();
    change_each(w, ids, |p: &mut regional_table_party::Model| {
        p.region_id = to.id;
    })
    .await?;
    Ok(())
}

/// Moves the neighbourhood collaborations `ids` (all of `from`'s when `None`) to `to`.
pub(super) async fn move_collaborations(
    w: &Writer<'_>,
    from: &[i32],
    ids: Option<&[i32]>,
    to: &region::Model,
) -> ApiResult<()> {
    let mut select = access::neighbourhood_collaborations(w.viewer)
        .filter(neighbourhood_collaboration::Column::RegionId.is_in(from.iter().copied()));
    if let Some(ids) = ids {
        select = select.filter(neighbourhood_collaboration::Column::Id.is_in(ids.iter().copied()));
    }
    let rows = select.all(w.txn).await?;
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    change_each(w, ids, |c: &mut Collaboration| {
        c.row.region_id = to.id;
    })
    .await?;
    Ok(())
}

pub(super) async fn move_subsidies(
    w: &Writer<'_>,
    from: &[i32],
    to: &region::Model,
) -> ApiResult<()> {
    let rows = access::subsidies(w.viewer)
        .filter(subsidy::Column::RegionId.is_in(from.iter().copied()))
        .all(w.txn)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|s| s.id).collect();
    change_each(w, ids, |s: &mut subsidy::Model| {
        s.region_id = Some(to.id);
    })
    .await?;
    Ok(())
}

pub(super) async fn move_vouchers(
    w: &Writer<'_>,
    from: &[i32],
    to: &region::Model,
) -> ApiResult<()> {
    let mut ids = from.to_vec();
    ids.push(to.id);
    let rows = access::vouchers(w.viewer)
        .filter(voucher::Column::RegionId.is_in(ids))
        .all(w.txn)
        .await?;
    let mut seen = HashMap::new();
    for row in &rows {
        if let Some(other) = seen.insert(row.discipline_code, row.region_id)
            && other != row.region_id
        {
            return Err(ApiError::invalid(
                "carryOver",
                format!(
                    "two of the regions hold a voucher for {}; the successor can hold one; \
                     leave VOUCHERS out or delete one first",
                    row.discipline_code.as_str()
                ),
            ));
        }
    }
    let moving: Vec<i32> = rows
        .iter()
        .filter(|r| r.region_id != to.id)
        .map(|r| r.id)
        .collect();
    change_each(w, moving, |v: &mut voucher::Model| v.region_id = to.id).await?;
    Ok(())
}

/// Links the materials of `from` to `to` instead.
pub(super) async fn move_materials(
    w: &Writer<'_>,
    from: &[i32],
    to: &region::Model,
) -> ApiResult<()> {
    let moving: BTreeSet<i32> = access::material_regions(w.viewer)
        .filter(material_region::Column::RegionId.is_in(from.iter().copied()))
        .all(w.txn)
        .await?
        .into_iter()
        .map(|l| l.material_id)
        .collect();
    change_each(w, moving.into_iter().collect(), |m: &mut Material| {
        m.region_ids.retain(|id| !from.contains(id));
        m.region_ids.push(to.id);
    })
    .await?;
    Ok(())
}

/// A new region entered by `viewer`, in the care-office and IZA region of `template` and with
/// its insurer and mandate municipality.
pub(super) fn new_region(
    viewer: &Viewer,
    code: String,
    name: String,
    template: &region::Model,
    population_approx: Option<i64>,
) -> region::Model {
    region::Model {
        name,
        population_approx,
        preferred_insurer: template.preferred_insurer.clone(),
        mandate_municipality: template.mandate_municipality.clone(),
        care_office_region_id: template.care_office_region_id,
        iza_region_id: template.iza_region_id,
        source_reference: entered_by(viewer),
        ..crate::service::rules::new_region(code, None)
    }
}
