//! A material of the LeVEL learning network (*Leer- en Verbeternetwerk Eerste Lijn*).

use crate::enums::*;
use sea_orm::entity::prelude::*;

record_model!("learning_material" {
    pub kind: MaterialKind,
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Date,
    pub event_starts_at: Option<DateTimeUtc>,
    pub visibility: Visibility,
});
