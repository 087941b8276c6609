//! A discipline taking part in a neighbourhood collaboration.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "nc_discipline")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub collaboration_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub discipline_code: DisciplineCode,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
