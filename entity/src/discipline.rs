//! A primary-care discipline (reference data, 13 rows).

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "discipline")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: DisciplineCode,
    pub name_en: String,
    pub name_nl: String,
    pub paramedical: bool,
    pub minimum_composition: bool,
    pub sort_order: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
