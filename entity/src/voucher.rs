//! A ZonMw voucher for one discipline in one region; amount in integer euro cents.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "voucher")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    pub discipline_code: DisciplineCode,
    pub status: ApplicationStatus,
    pub applicant: Option<String>,
    pub amount_cents: Option<i64>,
    pub applied_on: Date,
    pub decided_on: Option<Date>,
    pub source: SourceKind,
    pub source_reference: Option<String>,
    /// When an import last wrote the row (none for rows entered otherwise).
    pub imported_at: Option<DateTimeUtc>,
    /// Who ran that import (the token's subject).
    pub imported_by: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
