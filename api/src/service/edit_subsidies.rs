//! Changing ZonMw subsidies (ZonMw staff and admins): applications, decisions and corrections,
//! within the programme's amounts.

use super::edit_funding::{Decision, check_decision, pending};
use super::edit_resv::{Clearable, region_by_code};
use super::write::{
    check, check_version, commit_create, commit_delete, commit_update, insert_new, now,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};

/// The euros a subsidy of `kind` may request, and may be granted.
pub fn subsidy_range(kind: SubsidyKind) -> ((i64, i64), (i64, i64)) {
    match kind {
        // Second-round preparation subsidies were at most EUR 150,000.
        SubsidyKind::Preparation => ((1, 150_000), (1, 150_000)),
        // Implementation grants were between EUR 500,000 and EUR 2 million.
        SubsidyKind::Implementation => ((1, 2_000_000), (500_000, 2_000_000)),
        SubsidyKind::Research => ((1, 10_000_000), (1, 10_000_000)),
    }
}

/// The fields of a subsidy application; on update (a correction) `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct SubsidyFields {
    pub applicant: Clearable<String>,
    pub amount_requested_cents: Clearable<i64>,
    pub applied_on: Option<NaiveDate>,
    pub period_start: Clearable<NaiveDate>,
    pub period_end: Clearable<NaiveDate>,
    pub zonmw_reference: Clearable<String>,
    /// Corrections only: move a pending application between APPLIED and IN_REVIEW.
    pub status: Option<ApplicationStatus>,
    /// Corrections only: the amount of a granted subsidy.
    pub amount_granted_cents: Option<i64>,
    /// Corrections only: the date of a decision.
    pub decided_on: Option<NaiveDate>,
}

fn apply_subsidy(m: &mut subsidy::Model, f: SubsidyFields) -> ApiResult<()> {
    let (requested_range, granted_range) = subsidy_range(m.kind);
    if let Some(v) = f.applicant {
        m.applicant = check::optional_text("applicant", v.as_deref(), 300)?;
    }
    if let Some(v) = f.amount_requested_cents {
        m.amount_requested_cents = v
            .map(|c| check::amount("amountRequested", c, requested_range.0, requested_range.1))
            .transpose()?;
    }
    if let Some(v) = f.applied_on {
        m.applied_on = v;
    }
    if let Some(v) = f.period_start {
        m.period_start = v;
    }
    if let Some(v) = f.period_end {
        m.period_end = v;
    }
    if let Some(v) = f.zonmw_reference {
        m.zonmw_reference = check::optional_text("zonmwReference", v.as_deref(), 64)?;
    }
    if let Some(status) = f.status {
        if !(pending(status) && pending(m.status)) {
            return Err(ApiError::invalid(
                "status",
                "corrections move a pending application between APPLIED and IN_REVIEW; decide with decideSubsidy",
            ));
        }
        m.status = status;
    }
    if let Some(cents) = f.amount_granted_cents {
        if m.status != ApplicationStatus::Granted {
            return Err(ApiError::invalid(
                "amountGranted",
                "only a granted subsidy has an amount granted",
            ));
        }
        m.amount_granted_cents = Some(check::amount(
            "amountGranted",
            cents,
            granted_range.0,
            granted_range.1,
        )?);
    }
    if let Some(day) = f.decided_on {
        if pending(m.status) {
            return Err(ApiError::invalid(
                "decidedOn",
                "a pending application has no decision date",
            ));
        }
        m.decided_on = Some(day);
    }
    check::in_order("periodEnd", m.period_start, m.period_end)?;
    check::in_order("decidedOn", Some(m.applied_on), m.decided_on)?;
    if let (Some(granted), Some(requested)) = (m.amount_granted_cents, m.amount_requested_cents)
        && granted > requested
    {
        return Err(ApiError::invalid(
            "amountGranted",
            "must not exceed the amount requested",
        ));
    }
    Ok(())
}

/// Records a subsidy application (status APPLIED).
pub async fn apply_for_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: Option<&str>,
    kind: SubsidyKind,
    fields: SubsidyFields,
) -> ApiResult<subsidy::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_can_edit_funding(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let region_id = match region_code {
        Some(code) => Some(region_by_code(&txn, viewer, "regionCode", code).await?.id),
        None if kind == SubsidyKind::Research => None,
        None => {
            return Err(ApiError::invalid(
                "regionCode",
                "is required for a preparation or implementation subsidy",
            ));
        }
    };
    let applied_on = fields
        .applied_on
        .ok_or_else(|| ApiError::invalid("appliedOn", "is required"))?;
    let at = now();
    let mut model = subsidy::Model {
        id: 0,
        region_id,
        kind,
        status: ApplicationStatus::Applied,
        applicant: None,
        amount_requested_cents: None,
        amount_granted_cents: None,
        applied_on,
        decided_on: None,
        period_start: None,
        period_end: None,
        zonmw_reference: None,
        source: SourceKind::ZonmwDecision,
        source_reference: Some(format!("entered by {}", viewer.sub().unwrap_or("unknown"))),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    if fields.status.is_some()
        || fields.amount_granted_cents.is_some()
        || fields.decided_on.is_some()
    {
        return Err(ApiError::invalid(
            "input",
            "an application starts as APPLIED; decide it with decideSubsidy",
        ));
    }
    apply_subsidy(&mut model, fields)?;
    let created = insert_new::<_, subsidy::ActiveModel>(&txn, model).await?;
    commit_create(txn, viewer, "subsidy", created.id, created).await
}

async fn editable_subsidy<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<subsidy::Model> {
    access::ensure_signed_in(viewer)?;
    let row = access::subsidies(viewer)
        .filter(subsidy::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("subsidy"))?;
    access::ensure_can_edit_funding(viewer)?;
    Ok(row)
}

async fn store_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    change: impl FnOnce(&mut subsidy::Model) -> ApiResult<()>,
) -> ApiResult<subsidy::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_subsidy(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    let mut after = before.clone();
    change(&mut after)?;
    after.version += 1;
    after.updated_at = now();
    commit_update::<subsidy::ActiveModel, _>(
        txn,
        viewer,
        "subsidy",
        (subsidy::Column::Id, id),
        (subsidy::Column::Version, version),
        after.clone(),
        &before,
        &after,
    )
    .await?;
    Ok(after)
}

/// Corrects a subsidy read at `version`.
pub async fn correct_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: SubsidyFields,
) -> ApiResult<subsidy::Model> {
    store_subsidy(db, viewer, id, version, |m| apply_subsidy(m, fields)).await
}

/// Decides a pending subsidy application read at `version`.
pub async fn decide_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    decision: Decision,
) -> ApiResult<subsidy::Model> {
    store_subsidy(db, viewer, id, version, |m| {
        if !pending(m.status) {
            return Err(ApiError::invalid(
                "decision",
                "only a pending application (APPLIED or IN_REVIEW) can be decided",
            ));
        }
        let (_, granted_range) = subsidy_range(m.kind);
        m.amount_granted_cents = check_decision(
            &decision,
            m.applied_on,
            granted_range,
            m.amount_requested_cents,
        )?;
        m.status = decision.outcome;
        m.decided_on = Some(decision.decided_on);
        Ok(())
    })
    .await
}

/// Deletes a subsidy record read at `version` (a record entered in error).
pub async fn delete_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_subsidy(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    commit_delete::<subsidy::Entity, _>(
        txn,
        viewer,
        "subsidy",
        (subsidy::Column::Id, id),
        (subsidy::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
