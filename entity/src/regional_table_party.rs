//! A party at the regional table (*regiotafel*) of a region; the RESV has one seat there.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "regional_table_party")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    pub kind: TablePartyKind,
    pub organisation: String,
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
