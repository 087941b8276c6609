//! Changing the regional table (*regiotafel*) of a region: its coordinators and admins.

use super::edit_region::entered_by;
use super::edit_resv::{region_by_code, region_code};
use super::write::{
    check, check_version, commit_create, commit_delete, commit_update, insert_new, now,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};

/// Adds a party to the regional table of the region with `region_code`.
pub async fn create_party(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    kind: TablePartyKind,
    organisation: &str,
) -> ApiResult<regional_table_party::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    access::ensure_can_edit_region(viewer, &region.code)?;
    let at = now();
    let model = regional_table_party::Model {
        id: 0,
        region_id: region.id,
        kind,
        organisation: check::text("organisation", organisation, 200)?,
        source: SourceKind::RegionalReport,
        source_reference: entered_by(viewer),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let created = insert_new::<_, regional_table_party::ActiveModel>(&txn, model)
        .await
        .map_err(|e| match e {
            ApiError::Conflict(_) => ApiError::invalid(
                "kind",
                "the RESV has one seat at the regional table already",
            ),
            other => other,
        })?;
    commit_create(txn, viewer, "regional_table_party", created.id, created).await
}

async fn editable_party<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<regional_table_party::Model> {
    access::ensure_signed_in(viewer)?;
    let row = access::regional_table_parties(viewer)
        .filter(regional_table_party::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("regional table party"))?;
    access::ensure_can_edit_region(viewer, &region_code(db, viewer, row.region_id).await?)?;
    Ok(row)
}

/// Changes a party of a regional table read at `version`.
pub async fn update_party(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    kind: Option<TablePartyKind>,
    organisation: Option<&str>,
) -> ApiResult<regional_table_party::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_party(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    let mut after = before.clone();
    if let Some(kind) = kind {
        after.kind = kind;
    }
    if let Some(o) = organisation {
        after.organisation = check::text("organisation", o, 200)?;
    }
    after.version += 1;
    after.updated_at = now();
    commit_update::<regional_table_party::ActiveModel, _>(
        txn,
        viewer,
        "regional_table_party",
        (regional_table_party::Column::Id, id),
        (regional_table_party::Column::Version, version),
        after.clone(),
        &before,
        &after,
    )
    .await?;
    Ok(after)
}

/// Removes a party from a regional table.
pub async fn delete_party(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_party(&txn, viewer, id).await?;
    check_version(before.version, version)?;
    commit_delete::<regional_table_party::Entity, _>(
        txn,
        viewer,
        "regional_table_party",
        (regional_table_party::Column::Id, id),
        (regional_table_party::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
