//! One link of a region's lineage: a predecessor, a successor, the kind of change and its date.
//! A rename links a region to itself.

use crate::enums::*;
use sea_orm::entity::prelude::*;

model!("region_lineage" {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: LineageKind,
    pub predecessor_id: i32,
    pub successor_id: i32,
    /// The predecessor's code and name when the change took effect.
    pub former_code: String,
    pub former_name: String,
    pub effective_on: Date,
    pub note: Option<String>,
    pub recorded_at: DateTimeUtc,
    /// The same moment in milliseconds since the Unix epoch, the clock of the history tables.
    pub recorded_ms: i64,
    pub recorded_by: String,
});
