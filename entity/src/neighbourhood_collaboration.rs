//! A close-knit neighbourhood collaboration (*hecht wijkverband*).

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("neighbourhood_collaboration" {
    pub region_id: i32,
    pub name: String,
    pub area: String,
    pub population: Option<i64>,
    pub status: CollaborationStatus,
    pub established_on: Option<Date>,
});
