//! Changing LeVEL materials (LeVEL editors and admins), through the write pipeline
//! ([`record`]); the rules are in `rules/material.rs`.

use super::edit_resv::{Clearable, region_by_code};
use super::record::{self, Writer};
use super::rules::Material;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveDate, Utc};
use entity::*;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

/// The fields of a material a client sets; on update `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct MaterialFields {
    pub kind: Option<MaterialKind>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub url: Clearable<String>,
    pub published_on: Option<NaiveDate>,
    pub event_starts_at: Clearable<DateTime<Utc>>,
    pub visibility: Option<Visibility>,
    pub themes: Option<Vec<Theme>>,
    pub region_codes: Option<Vec<String>>,
}

impl MaterialFields {
    /// Sets the given fields of `m`; `region_ids` are those of [`MaterialFields::region_codes`].
    fn apply(self, m: &mut Material, region_ids: Option<Vec<i32>>) {
        let row = &mut m.row;
        if let Some(v) = self.kind {
            row.kind = v;
        }
        if let Some(v) = self.title {
            row.title = v;
        }
        if let Some(v) = self.summary {
            row.summary = v;
        }
        if let Some(v) = self.url {
            row.url = v;
        }
        if let Some(v) = self.published_on {
            row.published_on = v;
        }
        if let Some(v) = self.event_starts_at {
            row.event_starts_at = v;
        }
        if let Some(v) = self.visibility {
            row.visibility = v;
        }
        if let Some(v) = self.themes {
            m.themes = v;
        }
        if let Some(v) = region_ids {
            m.region_ids = v;
        }
    }

    /// The ids of the regions named, if any are.
    async fn region_ids(
        &self,
        txn: &DatabaseTransaction,
        viewer: &Viewer,
    ) -> ApiResult<Option<Vec<i32>>> {
        let Some(codes) = &self.region_codes else {
            return Ok(None);
        };
        let mut ids = Vec::with_capacity(codes.len());
        for code in codes {
            ids.push(region_by_code(txn, viewer, "regionCodes", code).await?.id);
        }
        Ok(Some(ids))
    }
}

/// Publishes a material; a retry with the same `idempotency_key` answers with the material the
/// first call published.
pub async fn create_material(
    db: &DatabaseConnection,
    viewer: &Viewer,
    fields: MaterialFields,
    idempotency_key: Option<&str>,
) -> ApiResult<learning_material::Model> {
    access::ensure_signed_in(viewer)?;
    for (missing, field) in [
        (fields.title.is_none(), "title"),
        (fields.summary.is_none(), "summary"),
        (fields.kind.is_none(), "kind"),
        (fields.published_on.is_none(), "publishedOn"),
    ] {
        if missing {
            return Err(ApiError::invalid(field, "is required"));
        }
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let reference = format!("published by {}", viewer.sub().unwrap_or("unknown"));
    let mut new = Material::new(MaterialKind::Guide, String::new(), Some(reference));
    let region_ids = fields.region_ids(&txn, viewer).await?;
    fields.apply(&mut new, region_ids);
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created.row)
}

/// Changes a material read at `version`.
pub async fn update_material(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: MaterialFields,
) -> ApiResult<learning_material::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region_ids = fields.region_ids(&txn, viewer).await?;
    let after = record::update(&w, id, version, |m: &mut Material| {
        fields.apply(m, region_ids);
        Ok(())
    })
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after.row)
}
