//! What subsidy and voucher changes share: decisions on pending applications.

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

/// The amount a decision grants, if it is one a pending application may get: GRANTED with its
/// amount, or REJECTED or WITHDRAWN without one. The amount's range and the decision date are
/// the kind's rules (`rules/`), checked when the decided record is stored.
pub(crate) fn check_decision(d: &Decision) -> ApiResult<Option<i64>> {
    if pending(d.outcome) {
        return Err(ApiError::invalid(
            "decision",
            "a decision is GRANTED, REJECTED or WITHDRAWN",
        ));
    }
    match (d.outcome, d.amount_cents) {
        (ApplicationStatus::Granted, Some(cents)) => Ok(Some(cents)),
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
