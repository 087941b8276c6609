//! A ZonMw voucher for one discipline in one region; amount in integer euro cents.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("voucher" {
    pub region_id: i32,
    pub discipline_code: DisciplineCode,
    pub status: ApplicationStatus,
    pub applicant: Option<String>,
    pub amount_cents: Option<i64>,
    pub applied_on: Date,
    pub decided_on: Option<Date>,
});
