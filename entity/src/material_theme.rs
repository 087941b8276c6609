//! A theme with which a learning material is tagged.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "material_theme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub material_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme: Theme,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
