//! A discipline taking part in a neighbourhood collaboration.

use crate::enums::*;
use sea_orm::entity::prelude::*;

link_model!("nc_discipline" (collaboration_id: i32, discipline_code: DisciplineCode));
