//! A discipline represented by a seat. Unique per RESV: a discipline sits in at most one seat.

use crate::enums::*;
use sea_orm::entity::prelude::*;

link_model!("seat_discipline" (seat_id: i32, discipline_code: DisciplineCode) {
    pub resv_id: i32,
});
