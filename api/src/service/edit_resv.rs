//! Changing RESVs. Every change: scoped load (invisible: NOT_FOUND), edit right (FORBIDDEN),
//! version check (CONFLICT), validation (BAD_USER_INPUT), then the write and its audit entry in
//! one transaction.

use super::write::{
    check, check_version, commit_create, commit_delete, commit_update, insert_new, now,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};
use std::collections::BTreeSet;

/// A change to one field that may be cleared: `None` leaves it, `Some(None)` clears it.
pub type Clearable<T> = Option<Option<T>>;

/// The code of a visible region by id.
pub(crate) async fn region_code<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    region_id: i32,
) -> ApiResult<String> {
    access::regions(viewer)
        .filter(region::Column::Id.eq(region_id))
        .one(db)
        .await?
        .map(|r| r.code)
        .ok_or(ApiError::NotFound("region"))
}

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

/// A new RESV of region `region_id` as a client starts one: in the network phase, no task
/// started, no criterion met, reported by the region.
pub(crate) fn blank_resv(region_id: i32) -> resv::Model {
    let at = now();
    resv::Model {
        id: 0,
        region_id,
        name: String::new(),
        legal_form: LegalForm::Network,
        treasurer: None,
        phase: Phase::Network,
        established_on: None,
        contracted_from: None,
        task_mandate: TaskStatus::NotStarted,
        task_capacity_access: TaskStatus::NotStarted,
        task_care_agreements: TaskStatus::NotStarted,
        task_neighbourhood_support: TaskStatus::NotStarted,
        task_facilitation: TaskStatus::NotStarted,
        criterion_core_disciplines_met: false,
        criterion_core_disciplines_note: None,
        criterion_mandated_representation_met: false,
        criterion_mandated_representation_note: None,
        criterion_multidisciplinary_governance_met: false,
        criterion_multidisciplinary_governance_note: None,
        criterion_regional_agenda_met: false,
        criterion_regional_agenda_note: None,
        criterion_citizen_participation_met: false,
        criterion_citizen_participation_note: None,
        citizen_participation: None,
        website: None,
        contact_name: None,
        contact_email: None,
        internal_notes: None,
        source: SourceKind::RegionalReport,
        source_reference: None,
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// One of the five design criteria, as set by a client.
#[derive(Debug, Clone)]
pub struct CriterionChange {
    /// 0..5 in the order core disciplines, mandated representation, multidisciplinary governance,
    /// regional agenda, citizen participation.
    pub index: usize,
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
    /// Main tasks 1..5.
    pub tasks: [Option<TaskStatus>; 5],
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

/// Applies `fields` to `m` and checks the result.
fn apply_resv(m: &mut resv::Model, f: ResvFields) -> ApiResult<()> {
    if let Some(name) = f.name {
        m.name = check::text("name", &name, 200)?;
    }
    set(&mut m.legal_form, f.legal_form);
    if let Some(t) = f.treasurer {
        m.treasurer = check::optional_text("treasurer", t.as_deref(), 200)?;
    }
    set(&mut m.phase, f.phase);
    set(&mut m.established_on, f.established_on);
    set(&mut m.contracted_from, f.contracted_from);
    let [t1, t2, t3, t4, t5] = f.tasks;
    set(&mut m.task_mandate, t1);
    set(&mut m.task_capacity_access, t2);
    set(&mut m.task_care_agreements, t3);
    set(&mut m.task_neighbourhood_support, t4);
    set(&mut m.task_facilitation, t5);
    let mut seen = BTreeSet::new();
    for c in f.criteria {
        if !seen.insert(c.index) {
            return Err(ApiError::invalid(
                "designCriteria",
                "each criterion at most once",
            ));
        }
        let note = check::optional_text("designCriteria.note", c.note.as_deref(), 1000)?;
        let (met, slot) = match c.index {
            0 => (
                &mut m.criterion_core_disciplines_met,
                &mut m.criterion_core_disciplines_note,
            ),
            1 => (
                &mut m.criterion_mandated_representation_met,
                &mut m.criterion_mandated_representation_note,
            ),
            2 => (
                &mut m.criterion_multidisciplinary_governance_met,
                &mut m.criterion_multidisciplinary_governance_note,
            ),
            3 => (
                &mut m.criterion_regional_agenda_met,
                &mut m.criterion_regional_agenda_note,
            ),
            _ => (
                &mut m.criterion_citizen_participation_met,
                &mut m.criterion_citizen_participation_note,
            ),
        };
        *met = c.met;
        *slot = note;
    }
    if let Some(v) = f.citizen_participation {
        m.citizen_participation = check::optional_text("citizenParticipation", v.as_deref(), 2000)?;
    }
    if let Some(v) = f.website {
        m.website = check::url("website", v.as_deref())?;
    }
    if let Some(v) = f.contact_name {
        m.contact_name = check::optional_text("contactName", v.as_deref(), 200)?;
    }
    if let Some(v) = f.contact_email {
        m.contact_email = check::email("contactEmail", v.as_deref())?;
    }
    if let Some(v) = f.internal_notes {
        m.internal_notes = check::optional_text("internalNotes", v.as_deref(), 5000)?;
    }
    check::in_order("contractedFrom", m.established_on, m.contracted_from)?;
    if m.legal_form != LegalForm::Network && m.phase == Phase::Network {
        // A legal entity is formed in the organisation phase; earlier phases are networks.
        return Err(ApiError::invalid(
            "legalForm",
            "an RESV in the network phase has no legal entity yet (use NETWORK)",
        ));
    }
    Ok(())
}

/// Creates the RESV of the region with `region_code`.
pub async fn create_resv(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    fields: ResvFields,
) -> ApiResult<resv::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    access::ensure_can_edit_region(viewer, &region.code)?;
    if fields.name.is_none() {
        return Err(ApiError::invalid("name", "is required"));
    }
    if access::resvs(viewer)
        .filter(resv::Column::RegionId.eq(region.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "region {} has an RESV already",
            region.code
        )));
    }
    let mut model = blank_resv(region.id);
    model.source_reference = Some(format!("entered by {}", viewer.sub().unwrap_or("unknown")));
    apply_resv(&mut model, fields)?;
    let created = insert_new::<_, resv::ActiveModel>(&txn, model).await?;
    commit_create(txn, viewer, "resv", created.id, created).await
}

/// Loads a visible RESV and checks that the viewer may change it.
pub(crate) async fn editable_resv<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<resv::Model> {
    access::ensure_signed_in(viewer)?;
    let row = access::resvs(viewer)
        .filter(resv::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("RESV"))?;
    access::ensure_can_edit_region(viewer, &region_code(db, viewer, row.region_id).await?)?;
    Ok(row)
}

/// Updates an RESV read at `version`.
pub async fn update_resv(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: ResvFields,
) -> ApiResult<resv::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_resv(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    let mut after = before.clone();
    apply_resv(&mut after, fields)?;
    after.version = before.version + 1;
    after.updated_at = now();
    commit_update::<resv::ActiveModel, _>(
        txn,
        viewer,
        "resv",
        (resv::Column::Id, id),
        (resv::Column::Version, version),
        after.clone(),
        &before,
        &after,
    )
    .await?;
    Ok(after)
}

/// Deletes an RESV read at `version`, with its seats and agreements.
pub async fn delete_resv(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_resv(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    commit_delete::<resv::Entity, _>(
        txn,
        viewer,
        "resv",
        (resv::Column::Id, id),
        (resv::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
