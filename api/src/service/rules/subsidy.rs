//! A ZonMw subsidy: an application (preparation, implementation or research) and its decision.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::edit_funding::pending;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{ApplicationStatus, SourceKind, SubsidyKind, subsidy};

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

/// A new application of `kind` (status APPLIED) for the region `region_id` (none for research),
/// applied for on `applied_on`, before the rules.
pub fn new_subsidy(
    region_id: Option<i32>,
    kind: SubsidyKind,
    applied_on: chrono::NaiveDate,
    source_reference: Option<String>,
) -> subsidy::Model {
    let now = crate::service::write::now();
    entity::new_record!(
        now,
        subsidy::Model {
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
            source_reference,
        }
    )
}

super::single_row_record!(subsidy, Kind::Subsidy, {
    scope: access::subsidies,
    // Funding rights are national: ZonMw staff and admins change every region's subsidies.
    keepers: |_| Keepers::National,

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        let (requested, granted) = subsidy_range(self.kind);
        if self.region_id.is_none() && self.kind != SubsidyKind::Research {
            rules.bad(
                "region_code",
                "is required for a preparation or implementation subsidy",
            );
        }
        rules.optional_text("applicant", &mut self.applicant, 300);
        rules.optional_text("zonmw_reference", &mut self.zonmw_reference, 64);
        if let Some(cents) = self.amount_requested_cents {
            rules.amount("amount_requested", cents, requested);
        }
        match (self.status, self.amount_granted_cents) {
            (ApplicationStatus::Granted, None) => {
                rules.bad(
                    "amount_granted",
                    "a granted subsidy needs the amount granted",
                );
            }
            (ApplicationStatus::Granted, Some(cents)) => {
                rules.amount("amount_granted", cents, granted);
                if self.amount_requested_cents.is_some_and(|r| cents > r) {
                    rules.bad("amount_granted", "must not exceed the amount requested");
                }
            }
            (_, Some(_)) => {
                rules.bad(
                    "amount_granted",
                    "only a granted subsidy has an amount granted",
                );
            }
            (_, None) => {}
        }
        if pending(self.status) && self.decided_on.is_some() {
            rules.bad("decided_on", "a pending application has no decision date");
        }
        rules.in_order("decided_on", Some(self.applied_on), self.decided_on);
        rules.in_order("period_end", self.period_start, self.period_end);
        rules.done()
    }
});
