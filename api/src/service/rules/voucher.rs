//! A ZonMw voucher of one discipline in a region: the application and its decision.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{ApplicationStatus, voucher};

/// The euros a voucher may be granted.
pub const VOUCHER_RANGE: (i64, i64) = (1, 100_000);

super::single_row_record!(voucher, Kind::Voucher, {
    scope: access::vouchers,
    // Funding rights are national: ZonMw staff and admins change every region's vouchers.
    keepers: |_| Keepers::National,

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.optional_text("applicant", &mut self.applicant, 300);
        if let Some(cents) = self.amount_cents {
            if self.status != ApplicationStatus::Granted {
                rules.bad("amount", "only a granted voucher has an amount");
            } else {
                rules.amount("amount", cents, VOUCHER_RANGE);
            }
        }
        if crate::service::edit_funding::pending(self.status) && self.decided_on.is_some() {
            rules.bad("decided_on", "a pending application has no decision date");
        }
        rules.in_order("decided_on", Some(self.applied_on), self.decided_on);
        rules.done()
    }
});
