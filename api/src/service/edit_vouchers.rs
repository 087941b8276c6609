//! Changing ZonMw vouchers (ZonMw staff and admins): applications, decisions and corrections,
//! through the write pipeline ([`record`]). The rules of a voucher's state are in
//! `rules/voucher.rs`; what is here are the steps of its workflow (which change may follow which).

use super::edit_funding::{Decision, check_decision, pending};
use super::edit_resv::{Clearable, region_by_code};
use super::record::{self, Writer};
pub use super::rules::VOUCHER_RANGE;
use super::write::{now, refusal};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::DatabaseConnection;

/// Records a voucher application (status APPLIED) of `discipline` in the region `region_code`;
/// a retry with the same `idempotency_key` answers with the application the first call recorded.
pub async fn apply_for_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    discipline: DisciplineCode,
    applicant: Option<&str>,
    applied_on: NaiveDate,
    idempotency_key: Option<&str>,
) -> ApiResult<voucher::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_can_edit_funding(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    let at = now();
    let model = entity::new_record!(
        at,
        voucher::Model {
            id: 0,
            region_id: region.id,
            discipline_code: discipline,
            status: ApplicationStatus::Applied,
            applicant: applicant.map(str::to_owned),
            amount_cents: None,
            applied_on,
            decided_on: None,
            source: SourceKind::ZonmwDecision,
            source_reference: Some(format!("entered by {}", viewer.sub().unwrap_or("unknown"))),
        }
    );
    let created = record::create_once(&w, idempotency_key, model).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}

/// Decides a pending voucher application read at `version`.
pub async fn decide_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    decision: Decision,
) -> ApiResult<voucher::Model> {
    record::update_one(db, viewer, id, version, |m: &mut voucher::Model| {
        if !pending(m.status) {
            return Err(ApiError::invalid(
                "decision",
                "only a pending application (APPLIED or IN_REVIEW) can be decided",
            ));
        }
        m.amount_cents = check_decision(&decision)?;
        m.status = decision.outcome;
        m.decided_on = Some(decision.decided_on);
        Ok(())
    })
    .await
    // A decision names the voucher's amount as its input does.
    .map_err(|err| match err {
        ApiError::Invalid { field, reason } if field == "amount" => ApiError::Invalid {
            field: "amountGranted".to_owned(),
            reason,
        },
        other => other,
    })
}

/// Corrects a voucher read at `version`: applicant, application date, amount of a grant, date of
/// a decision, or a pending status.
pub async fn correct_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    applicant: Clearable<String>,
    applied_on: Option<NaiveDate>,
    status: Option<ApplicationStatus>,
    amount_cents: Option<i64>,
    decided_on: Option<NaiveDate>,
) -> ApiResult<voucher::Model> {
    record::update_one(db, viewer, id, version, |m: &mut voucher::Model| {
        if let Some(v) = applicant {
            m.applicant = v;
        }
        if let Some(day) = applied_on {
            m.applied_on = day;
        }
        if let Some(s) = status {
            if !(pending(s) && pending(m.status)) {
                return Err(ApiError::invalid(
                    "status",
                    "corrections move a pending application between APPLIED and IN_REVIEW",
                ));
            }
            m.status = s;
        }
        if let Some(cents) = amount_cents {
            if m.status != ApplicationStatus::Granted {
                return Err(ApiError::invalid(
                    "amount",
                    "only a granted voucher has an amount",
                ));
            }
            m.amount_cents = Some(cents);
        }
        if let Some(day) = decided_on {
            m.decided_on = Some(day);
        }
        Ok(())
    })
    .await
}
