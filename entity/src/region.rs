//! A region with (at most) one RESV: a subregion of a care-office region.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
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
    pub source: SourceKind,
    pub source_reference: Option<String>,
    /// When an import last wrote the row (none for rows entered otherwise).
    pub imported_at: Option<DateTimeUtc>,
    /// Who ran that import (the token's subject).
    pub imported_by: Option<String>,
    /// The day the region ceased to exist by a merge or split (see `region_lineage`).
    pub retired_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
