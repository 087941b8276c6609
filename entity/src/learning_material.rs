//! A material of the LeVEL learning network (*Leer- en Verbeternetwerk Eerste Lijn*).

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "learning_material")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: MaterialKind,
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Date,
    pub event_starts_at: Option<DateTimeUtc>,
    pub visibility: Visibility,
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
