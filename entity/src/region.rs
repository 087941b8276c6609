//! A region with (at most) one RESV: a subregion of a care-office region.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("region" {
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub population_approx: Option<i64>,
    pub preferred_insurer: Option<String>,
    pub mandate_municipality: Option<String>,
    pub care_office_region_id: i32,
    pub iza_region_id: Option<i32>,
    pub confidence: Option<Confidence>,
    pub notes: Option<String>,
} after_import {
    /// The day the region ceased to exist by a merge or split (see `region_lineage`).
    pub retired_on: Option<Date>,
});
