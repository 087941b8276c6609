//! A party at the regional table (*regiotafel*) of a region; the RESV has one seat there.

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("regional_table_party" {
    pub region_id: i32,
    pub kind: TablePartyKind,
    pub organisation: String,
});
