//! A seat at the RESV table, held by one mandated delegate for one or more disciplines.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "seat")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resv_id: i32,
    pub organisation: String,
    pub mandate_status: MandateStatus,
    pub since: Option<Date>,
    pub delegate_name: Option<String>,
    pub delegate_email: Option<String>,
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
