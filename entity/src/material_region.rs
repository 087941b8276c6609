//! A region a learning material relates to.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "material_region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub material_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
