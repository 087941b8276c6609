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

/// Records a voucher application (status APPLIED) of `discipline` in the region `region_code`.
pub async fn apply_for_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    discipline: DisciplineCode,
    applicant: Option<&str>,
    applied_on: NaiveDate,
) -> ApiResult<voucher::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_can_edit_funding(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    let at = now();
    let model = voucher::Model {
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
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let created = record::create(&w, model).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}

/// Changes the voucher read at `version` by `change` (a step of its workflow).
async fn store_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    change: impl FnOnce(&mut voucher::Model) -> ApiResult<()> + Send,
) -> ApiResult<voucher::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let after = record::update(&w, id, version, change).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after)
}

/// Decides a pending voucher application read at `version`.
pub async fn decide_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    decision: Decision,
) -> ApiResult<voucher::Model> {
    store_voucher(db, viewer, id, version, |m| {
        if !pending(m.status) {
            return Err(ApiError::invalid(
                "decision",
                "only a pending application (APPLIED or IN_REVIEW) can be decided",
            ));
        }
        m.amount_cents = check_decision(&decision, m.applied_on, VOUCHER_RANGE, None)?;
        m.status = decision.outcome;
        m.decided_on = Some(decision.decided_on);
        Ok(())
    })
    .await
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
    store_voucher(db, viewer, id, version, |m| {
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
            if pending(m.status) {
                return Err(ApiError::invalid(
                    "decidedOn",
                    "a pending application has no decision date",
                ));
            }
            m.decided_on = Some(day);
        }
        Ok(())
    })
    .await
}

/// Deletes a voucher record read at `version` (a record entered in error).
pub async fn delete_voucher(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    record::delete::<voucher::Model>(&w, id, version).await?;
    txn.commit().await.map_err(refusal)
}
