//! Changing neighbourhood collaborations (*hechte wijkverbanden*): the region's coordinators and
//! admins, through the write pipeline ([`record`]); the rules are in `rules/collaboration.rs`.

use super::edit::Fields;
use super::edit_region::entered_by;
use super::edit_resv::{Clearable, region_by_code};
use super::record::{self, Writer};
use super::rules::Collaboration;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::DatabaseConnection;

/// The fields of a neighbourhood collaboration a client sets; on update `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct CollaborationFields {
    pub name: Option<String>,
    pub area: Option<String>,
    pub population: Clearable<i64>,
    pub status: Option<CollaborationStatus>,
    pub established_on: Clearable<NaiveDate>,
    pub disciplines: Option<Vec<DisciplineCode>>,
}

impl Fields<Collaboration> for CollaborationFields {
    fn apply(self, c: &mut Collaboration) -> ApiResult<()> {
        let row = &mut c.row;
        if let Some(v) = self.name {
            row.name = v;
        }
        if let Some(v) = self.area {
            row.area = v;
        }
        if let Some(v) = self.population {
            row.population = v;
        }
        if let Some(v) = self.status {
            row.status = v;
        }
        if let Some(v) = self.established_on {
            row.established_on = v;
        }
        if let Some(v) = self.disciplines {
            c.disciplines = v;
        }
        Ok(())
    }
}

/// Registers a neighbourhood collaboration in the region with `region_code`; a retry with the
/// same `idempotency_key` answers with the collaboration the first call registered.
pub async fn create_collaboration(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    fields: CollaborationFields,
    idempotency_key: Option<&str>,
) -> ApiResult<neighbourhood_collaboration::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    for (field, given) in [("name", &fields.name), ("area", &fields.area)] {
        if given.is_none() {
            return Err(ApiError::invalid(field, "is required"));
        }
    }
    let mut new = Collaboration::new(region.id, String::new(), entered_by(viewer));
    fields.apply(&mut new)?;
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created.row)
}
