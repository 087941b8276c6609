//! A collaboration agreement (*samenwerkingsafspraak*) made by an RESV.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("agreement" {
    pub resv_id: i32,
    pub topic: String,
    pub level: AgreementLevel,
    pub status: AgreementStatus,
    pub agreed_on: Option<Date>,
});
