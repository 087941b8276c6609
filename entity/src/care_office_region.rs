//! A care-office region (*zorgkantoorregio*), one of 31, with the insurer running its care office.

use crate::enums::*;
use sea_orm::entity::prelude::*;

reference_model!("care_office_region" {
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub insurer: String,
    pub population_approx: Option<i64>,
    pub notes: Option<String>,
});
