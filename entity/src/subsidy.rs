//! A ZonMw subsidy application and its decision; amounts in integer euro cents.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("subsidy" {
    pub region_id: Option<i32>,
    pub kind: SubsidyKind,
    pub status: ApplicationStatus,
    pub applicant: Option<String>,
    pub amount_requested_cents: Option<i64>,
    pub amount_granted_cents: Option<i64>,
    pub applied_on: Date,
    pub decided_on: Option<Date>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    #[sea_orm(unique)]
    pub zonmw_reference: Option<String>,
});
