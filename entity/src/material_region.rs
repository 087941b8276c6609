//! A region a learning material relates to.

use sea_orm::entity::prelude::*;

link_model!("material_region" (material_id: i32, region_id: i32));
