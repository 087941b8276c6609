//! A theme with which a learning material is tagged.

use crate::enums::*;
use sea_orm::entity::prelude::*;

link_model!("material_theme" (material_id: i32, theme: Theme));
