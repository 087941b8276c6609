//! A discipline taking part in a collaboration agreement.

use crate::enums::*;
use sea_orm::entity::prelude::*;

link_model!("agreement_discipline" (agreement_id: i32, discipline_code: DisciplineCode));
