//! Changing ZonMw subsidies (ZonMw staff and admins): applications, decisions and corrections,
//! through the write pipeline ([`record`]). The rules of a subsidy's state are in
//! `rules/subsidy.rs`; what is here are the steps of its workflow (which change may follow which).

use super::edit_funding::{Decision, check_decision, pending};
use super::edit_resv::{Clearable, region_by_code};
use super::record::{self, Writer};
use super::rules::new_subsidy;
pub use super::rules::subsidy_range;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::DatabaseConnection;

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

impl SubsidyFields {
    /// Sets the given fields of `m`; a correction of the status moves a pending application only.
    fn apply(self, m: &mut subsidy::Model) -> ApiResult<()> {
        if let Some(status) = self.status {
            if !(pending(status) && pending(m.status)) {
                return Err(ApiError::invalid(
                    "status",
                    "corrections move a pending application between APPLIED and IN_REVIEW; decide with decideSubsidy",
                ));
            }
            m.status = status;
        }
        if let Some(v) = self.applicant {
            m.applicant = v;
        }
        if let Some(v) = self.amount_requested_cents {
            m.amount_requested_cents = v;
        }
        if let Some(v) = self.applied_on {
            m.applied_on = v;
        }
        if let Some(v) = self.period_start {
            m.period_start = v;
        }
        if let Some(v) = self.period_end {
            m.period_end = v;
        }
        if let Some(v) = self.zonmw_reference {
            m.zonmw_reference = v;
        }
        if let Some(cents) = self.amount_granted_cents {
            m.amount_granted_cents = Some(cents);
        }
        if let Some(day) = self.decided_on {
            m.decided_on = Some(day);
        }
        Ok(())
    }
}

/// Records a subsidy application (status APPLIED); a retry with the same `idempotency_key`
/// answers with the application the first call recorded.
pub async fn apply_for_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: Option<&str>,
    kind: SubsidyKind,
    fields: SubsidyFields,
    idempotency_key: Option<&str>,
) -> ApiResult<subsidy::Model> {
    access::ensure_signed_in(viewer)?;
    if fields.status.is_some()
        || fields.amount_granted_cents.is_some()
        || fields.decided_on.is_some()
    {
        return Err(ApiError::invalid(
            "input",
            "an application starts as APPLIED; decide it with decideSubsidy",
        ));
    }
    let applied_on = fields
        .applied_on
        .ok_or_else(|| ApiError::invalid("appliedOn", "is required"))?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region_id = match region_code {
        Some(code) => Some(region_by_code(&txn, viewer, "regionCode", code).await?.id),
        None => None,
    };
    let reference = format!("entered by {}", viewer.sub().unwrap_or("unknown"));
    let mut new = new_subsidy(region_id, kind, applied_on, Some(reference));
    fields.apply(&mut new)?;
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}

/// Corrects a subsidy read at `version`.
pub async fn correct_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: SubsidyFields,
) -> ApiResult<subsidy::Model> {
    record::update_one(db, viewer, id, version, |m| fields.apply(m)).await
}

/// Decides a pending subsidy application read at `version`.
pub async fn decide_subsidy(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    decision: Decision,
) -> ApiResult<subsidy::Model> {
    record::update_one(db, viewer, id, version, |m: &mut subsidy::Model| {
        if !pending(m.status) {
            return Err(ApiError::invalid(
                "decision",
                "only a pending application (APPLIED or IN_REVIEW) can be decided",
            ));
        }
        m.amount_granted_cents = check_decision(&decision)?;
        m.status = decision.outcome;
        m.decided_on = Some(decision.decided_on);
        Ok(())
    })
    .await
}
