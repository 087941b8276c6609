//! Changing RESVs: the region's coordinators and admins, through the write pipeline
//! ([`record`]); the rules are in `rules/resv.rs`.

use super::edit::Fields;
use super::edit_region::entered_by;
use super::record::{self, Writer};
use super::rules::new_resv;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};
use std::collections::BTreeSet;

/// A change to one field that may be cleared: `None` leaves it, `Some(None)` clears it.
pub type Clearable<T> = Option<Option<T>>;

/// A visible, current region by code for a new record, or a field error naming the input field.
/// A region retired by a merge or split takes no new records: its successors do.
pub(crate) async fn region_by_code<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    field: &str,
    code: &str,
) -> ApiResult<region::Model> {
    let region = access::regions(viewer)
        .filter(region::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(field, format!("no region with code `{}`", code.trim()))
        })?;
    match region.retired_on {
        Some(on) => Err(ApiError::invalid(
            field,
            format!(
                "region `{}` was retired on {on} (merged or split); use its successor",
                region.code
            ),
        )),
        None => Ok(region),
    }
}

/// One of the five design criteria, as set by a client.
#[derive(Debug, Clone)]
pub struct CriterionChange {
    pub criterion: DesignCriterion,
    pub met: bool,
    pub note: Option<String>,
}

/// The fields of an RESV a client sets; on update, `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ResvFields {
    pub name: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub treasurer: Clearable<String>,
    pub phase: Option<Phase>,
    pub established_on: Clearable<NaiveDate>,
    pub contracted_from: Clearable<NaiveDate>,
    /// The status to set of each main task.
    pub tasks: Per<MainTask, Option<TaskStatus>>,
    pub criteria: Vec<CriterionChange>,
    pub citizen_participation: Clearable<String>,
    pub website: Clearable<String>,
    pub contact_name: Clearable<String>,
    pub contact_email: Clearable<String>,
    pub internal_notes: Clearable<String>,
}

/// Sets `target` when a change is given.
pub(crate) fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

impl Fields<resv::Model> for ResvFields {
    /// Sets the given fields of `m`.
    fn apply(self, m: &mut resv::Model) -> ApiResult<()> {
        set(&mut m.name, self.name);
        set(&mut m.legal_form, self.legal_form);
        set(&mut m.treasurer, self.treasurer);
        set(&mut m.phase, self.phase);
        set(&mut m.established_on, self.established_on);
        set(&mut m.contracted_from, self.contracted_from);
        for (task, change) in self.tasks.iter() {
            set(m.task_mut(task), *change);
        }
        let mut seen = BTreeSet::new();
        for c in self.criteria {
            if !seen.insert(c.criterion) {
                return Err(ApiError::invalid(
                    "designCriteria",
                    "each criterion at most once",
                ));
            }
            let (met, note) = m.criterion_mut(c.criterion);
            *met = c.met;
            *note = c.note;
        }
        set(&mut m.citizen_participation, self.citizen_participation);
        set(&mut m.website, self.website);
        set(&mut m.contact_name, self.contact_name);
        set(&mut m.contact_email, self.contact_email);
        set(&mut m.internal_notes, self.internal_notes);
        Ok(())
    }
}

/// Creates the RESV of the region with `region_code`; a retry with the same `idempotency_key`
/// answers with the RESV the first call created.
pub async fn create_resv(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    fields: ResvFields,
    idempotency_key: Option<&str>,
) -> ApiResult<resv::Model> {
    access::ensure_signed_in(viewer)?;
    if fields.name.is_none() {
        return Err(ApiError::invalid("name", "is required"));
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    access::ensure_can_edit_region(viewer, &region.code)?;
    let taken = access::resvs(viewer)
        .filter(resv::Column::RegionId.eq(region.id))
        .one(&txn)
        .await?;
    // A retry answers with its first result, even though the region has its RESV now.
    if taken.is_some() && idempotency_key.is_none() {
        return Err(ApiError::Conflict(format!(
            "region {} has an RESV already",
            region.code
        )));
    }
    let mut new = new_resv(region.id, entered_by(viewer));
    fields.apply(&mut new)?;
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}
