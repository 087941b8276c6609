//! A discipline represented by a seat. Unique per RESV: a discipline sits in at most one seat.

use crate::enums::*;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "seat_discipline")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seat_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub discipline_code: DisciplineCode,
    pub resv_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
