//! Changing LeVEL materials (LeVEL editors and admins).

use super::edit_resv::{Clearable, region_by_code};
use super::write::{
    Action, audit, check, check_version, commit_delete, insert_new, now, refusal, replace_links,
    save_versioned,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, NaiveDate, Utc};
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};
use std::collections::BTreeSet;

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

/// A material with its themes and regions, as the audit trail records it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MaterialState {
    #[serde(flatten)]
    pub material: learning_material::Model,
    pub themes: Vec<Theme>,
    pub region_ids: Vec<i32>,
}

fn apply_material(m: &mut learning_material::Model, f: &MaterialFields) -> ApiResult<()> {
    if let Some(v) = f.kind {
        m.kind = v;
    }
    if let Some(v) = &f.title {
        m.title = check::text("title", v, 300)?;
    }
    if let Some(v) = &f.summary {
        m.summary = check::text("summary", v, 5000)?;
    }
    if let Some(v) = &f.url {
        m.url = check::url("url", v.as_deref())?;
    }
    if let Some(v) = f.published_on {
        m.published_on = v;
    }
    if let Some(v) = f.event_starts_at {
        m.event_starts_at = v;
    }
    if let Some(v) = f.visibility {
        m.visibility = v;
    }
    if m.kind == MaterialKind::Event && m.event_starts_at.is_none() {
        return Err(ApiError::invalid(
            "eventStartsAt",
            "an event needs its start",
        ));
    }
    Ok(())
}

async fn resolve_regions<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    codes: &[String],
) -> ApiResult<Vec<i32>> {
    let mut ids = BTreeSet::new();
    for code in codes {
        ids.insert(region_by_code(db, viewer, "regionCodes", code).await?.id);
    }
    Ok(ids.into_iter().collect())
}

async fn store_links<C: ConnectionTrait>(db: &C, state: &MaterialState) -> ApiResult<()> {
    let id = state.material.id;
    let themes = state
        .themes
        .iter()
        .map(|&theme| material_theme::Model {
            material_id: id,
            theme,
        })
        .collect();
    replace_links::<_, material_theme::ActiveModel>(
        db,
        (material_theme::Column::MaterialId, id),
        themes,
    )
    .await?;
    let regions = state
        .region_ids
        .iter()
        .map(|&region_id| material_region::Model {
            material_id: id,
            region_id,
        })
        .collect();
    replace_links::<_, material_region::ActiveModel>(
        db,
        (material_region::Column::MaterialId, id),
        regions,
    )
    .await
}

/// Publishes a material.
pub async fn create_material(
    db: &DatabaseConnection,
    viewer: &Viewer,
    fields: MaterialFields,
) -> ApiResult<learning_material::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_can_edit_materials(viewer)?;
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
    let at = now();
    let mut model = learning_material::Model {
        id: 0,
        kind: MaterialKind::Guide,
        title: String::new(),
        summary: String::new(),
        url: None,
        published_on: at.date_naive(),
        event_starts_at: None,
        visibility: Visibility::Public,
        source: SourceKind::OfficialList,
        source_reference: Some(format!(
            "published by {}",
            viewer.sub().unwrap_or("unknown")
        )),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    apply_material(&mut model, &fields)?;
    let themes: Vec<Theme> = fields
        .themes
        .unwrap_or_default()
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let region_ids = resolve_regions(
        &txn,
        viewer,
        fields.region_codes.as_deref().unwrap_or_default(),
    )
    .await?;
    let material = insert_new::<_, learning_material::ActiveModel>(&txn, model).await?;
    let state = MaterialState {
        material,
        themes,
        region_ids,
    };
    store_links(&txn, &state).await?;
    audit(
        &txn,
        viewer,
        "learning_material",
        state.material.id,
        Action::Create,
        None,
        Some(&state),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(state.material)
}

async fn editable_material<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<MaterialState> {
    access::ensure_signed_in(viewer)?;
    let material = access::learning_materials(viewer)
        .filter(learning_material::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("learning material"))?;
    access::ensure_can_edit_materials(viewer)?;
    let themes = access::material_themes(viewer)
        .filter(material_theme::Column::MaterialId.eq(id))
        .order_by_asc(material_theme::Column::Theme)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.theme)
        .collect();
    let region_ids = access::material_regions(viewer)
        .filter(material_region::Column::MaterialId.eq(id))
        .order_by_asc(material_region::Column::RegionId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.region_id)
        .collect();
    Ok(MaterialState {
        material,
        themes,
        region_ids,
    })
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
    let before = editable_material(&txn, viewer, id).await?;
    check_version(before.material.version, version)?;
    let mut after = before.clone();
    apply_material(&mut after.material, &fields)?;
    if let Some(themes) = &fields.themes {
        after.themes = themes
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    if let Some(codes) = &fields.region_codes {
        after.region_ids = resolve_regions(&txn, viewer, codes).await?;
    }
    after.material.version += 1;
    after.material.updated_at = now();
    save_versioned::<_, learning_material::ActiveModel>(
        &txn,
        after.material.clone(),
        (learning_material::Column::Id, id),
        (learning_material::Column::Version, version),
    )
    .await?;
    store_links(&txn, &after).await?;
    audit(
        &txn,
        viewer,
        "learning_material",
        id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after.material)
}

/// Deletes a material read at `version`.
pub async fn delete_material(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_material(&txn, viewer, id).await?;
    check_version(before.material.version, version)?;
    commit_delete::<learning_material::Entity, _>(
        txn,
        viewer,
        "learning_material",
        (learning_material::Column::Id, id),
        (learning_material::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
