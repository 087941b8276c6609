//! What subsidy and voucher changes share: decisions on pending applications.

use super::write::check;
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;

pub(crate) fn pending(status: ApplicationStatus) -> bool {
    matches!(
        status,
        ApplicationStatus::Applied | ApplicationStatus::InReview
    )
}

/// A decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// GRANTED, REJECTED or WITHDRAWN.
    pub outcome: ApplicationStatus,
    /// Cents granted; required for GRANTED, refused otherwise.
    pub amount_cents: Option<i64>,
    pub decided_on: NaiveDate,
}

pub(crate) fn check_decision(
    d: &Decision,
    applied_on: NaiveDate,
    range: (i64, i64),
    requested: Option<i64>,
) -> ApiResult<Option<i64>> {
    if pending(d.outcome) {
        return Err(ApiError::invalid(
            "decision",
            "a decision is GRANTED, REJECTED or WITHDRAWN",
        ));
    }
    check::in_order("decidedOn", Some(applied_on), Some(d.decided_on))?;
    match (d.outcome, d.amount_cents) {
        (ApplicationStatus::Granted, Some(cents)) => {
            let cents = check::amount("amountGranted", cents, range.0, range.1)?;
            if requested.is_some_and(|r| cents > r) {
                return Err(ApiError::invalid(
                    "amountGranted",
                    "must not exceed the amount requested",
                ));
            }
            Ok(Some(cents))
        }
        (ApplicationStatus::Granted, None) => Err(ApiError::invalid(
            "amountGranted",
            "is required for a grant",
        )),
        (_, Some(_)) => Err(ApiError::invalid(
            "amountGranted",
            "only a grant has an amount",
        )),
        (_, None) => Ok(None),
    }
}
