//! An IZA region with its mandate municipality (*mandaatgemeente*) and SPUK-IZA amounts.

use crate::enums::*;
use sea_orm::entity::prelude::*;

reference_model!("iza_region" {
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub mandate_municipality: String,
    pub spuk_2025_cents: Option<i64>,
    pub spuk_2026_cents: Option<i64>,
    pub care_office_region_id: i32,
    pub population_approx: Option<i64>,
    pub notes: Option<String>,
});
