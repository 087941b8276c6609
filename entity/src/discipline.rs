//! A primary-care discipline (reference data, 13 rows).

use crate::enums::*;
use sea_orm::entity::prelude::*;

model!("discipline" {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: DisciplineCode,
    pub name_en: String,
    pub name_nl: String,
    pub paramedical: bool,
    pub minimum_composition: bool,
    pub sort_order: i32,
});
