//! Changing neighbourhood collaborations (*hechte wijkverbanden*): the region's coordinators and admins.

use super::edit_region::{disciplines_set, entered_by};
use super::edit_resv::{Clearable, region_by_code, region_code};
use super::write::{
    Action, audit, check, check_version, commit_delete, insert_new, now, refusal, replace_links,
    save_versioned,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};

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

/// A collaboration with its disciplines, as the audit trail records it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CollaborationState {
    #[serde(flatten)]
    pub collaboration: neighbourhood_collaboration::Model,
    pub disciplines: Vec<DisciplineCode>,
}

fn apply_collaboration(
    m: &mut neighbourhood_collaboration::Model,
    f: &CollaborationFields,
) -> ApiResult<()> {
    if let Some(v) = &f.name {
        m.name = check::text("name", v, 200)?;
    }
    if let Some(v) = &f.area {
        m.area = check::text("area", v, 200)?;
    }
    if let Some(v) = f.population {
        m.population = check::count("population", v, 1, 500_000)?;
    }
    if let Some(v) = f.status {
        m.status = v;
    }
    if let Some(v) = f.established_on {
        m.established_on = v;
    }
    Ok(())
}

async fn store_collaboration_disciplines<C: ConnectionTrait>(
    db: &C,
    id: i32,
    disciplines: &[DisciplineCode],
) -> ApiResult<()> {
    let rows = disciplines
        .iter()
        .map(|&d| nc_discipline::Model {
            collaboration_id: id,
            discipline_code: d,
        })
        .collect();
    replace_links::<_, nc_discipline::ActiveModel>(
        db,
        (nc_discipline::Column::CollaborationId, id),
        rows,
    )
    .await
}

/// Registers a neighbourhood collaboration in the region with `region_code`.
pub async fn create_collaboration(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    fields: CollaborationFields,
) -> ApiResult<neighbourhood_collaboration::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    access::ensure_can_edit_region(viewer, &region.code)?;
    if fields.name.is_none() || fields.area.is_none() {
        return Err(ApiError::invalid(
            if fields.name.is_none() {
                "name"
            } else {
                "area"
            },
            "is required",
        ));
    }
    let at = now();
    let mut model = neighbourhood_collaboration::Model {
        id: 0,
        region_id: region.id,
        name: String::new(),
        area: String::new(),
        population: None,
        status: CollaborationStatus::Forming,
        established_on: None,
        source: SourceKind::RegionalReport,
        source_reference: entered_by(viewer),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    apply_collaboration(&mut model, &fields)?;
    let disciplines = disciplines_set(
        "disciplines",
        fields.disciplines.as_deref().unwrap_or_default(),
    )?;
    let created = insert_new::<_, neighbourhood_collaboration::ActiveModel>(&txn, model).await?;
    store_collaboration_disciplines(&txn, created.id, &disciplines).await?;
    let state = CollaborationState {
        collaboration: created,
        disciplines,
    };
    audit(
        &txn,
        viewer,
        "neighbourhood_collaboration",
        state.collaboration.id,
        Action::Create,
        None,
        Some(&state),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(state.collaboration)
}

async fn editable_collaboration<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<CollaborationState> {
    access::ensure_signed_in(viewer)?;
    let row = access::neighbourhood_collaborations(viewer)
        .filter(neighbourhood_collaboration::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("neighbourhood collaboration"))?;
    access::ensure_can_edit_region(viewer, &region_code(db, viewer, row.region_id).await?)?;
    let disciplines = access::nc_disciplines(viewer)
        .filter(nc_discipline::Column::CollaborationId.eq(id))
        .order_by_asc(nc_discipline::Column::DisciplineCode)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.discipline_code)
        .collect();
    Ok(CollaborationState {
        collaboration: row,
        disciplines,
    })
}

/// Changes a neighbourhood collaboration read at `version`.
pub async fn update_collaboration(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: CollaborationFields,
) -> ApiResult<neighbourhood_collaboration::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_collaboration(&txn, viewer, id).await?;
    check_version(before.collaboration.version, version)?;
    let mut after = before.clone();
    apply_collaboration(&mut after.collaboration, &fields)?;
    if let Some(d) = &fields.disciplines {
        after.disciplines = disciplines_set("disciplines", d)?;
    }
    after.collaboration.version += 1;
    after.collaboration.updated_at = now();
    save_versioned::<_, neighbourhood_collaboration::ActiveModel>(
        &txn,
        after.collaboration.clone(),
        (neighbourhood_collaboration::Column::Id, id),
        (neighbourhood_collaboration::Column::Version, version),
    )
    .await?;
    if fields.disciplines.is_some() {
        store_collaboration_disciplines(&txn, id, &after.disciplines).await?;
    }
    audit(
        &txn,
        viewer,
        "neighbourhood_collaboration",
        id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after.collaboration)
}

/// Deletes a neighbourhood collaboration read at `version`.
pub async fn delete_collaboration(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_collaboration(&txn, viewer, id).await?;
    check_version(before.collaboration.version, version)?;
    commit_delete::<neighbourhood_collaboration::Entity, _>(
        txn,
        viewer,
        "neighbourhood_collaboration",
        (neighbourhood_collaboration::Column::Id, id),
        (neighbourhood_collaboration::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
