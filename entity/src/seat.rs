//! A seat at the RESV table, held by one mandated delegate for one or more disciplines.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("seat" {
    pub resv_id: i32,
    pub organisation: String,
    pub mandate_status: MandateStatus,
    pub since: Option<Date>,
    pub delegate_name: Option<String>,
    pub delegate_email: Option<String>,
});
