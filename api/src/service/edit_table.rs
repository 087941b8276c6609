//! Changing the regional table (*regiotafel*) of a region: its coordinators and admins, through
//! the write pipeline ([`record`]); the rules are in `rules/regional_table.rs`.

use super::edit_region::entered_by;
use super::edit_resv::region_by_code;
use super::record::{self, Writer};
use super::rules::new_party;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::ApiResult;
use entity::*;
use sea_orm::DatabaseConnection;

/// Adds a party to the regional table of the region with `region_code`; a retry with the same
/// `idempotency_key` answers with the party the first call added.
pub async fn create_party(
    db: &DatabaseConnection,
    viewer: &Viewer,
    region_code: &str,
    kind: TablePartyKind,
    organisation: &str,
    idempotency_key: Option<&str>,
) -> ApiResult<regional_table_party::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let region = region_by_code(&txn, viewer, "regionCode", region_code).await?;
    let party = new_party(region.id, kind, organisation.to_owned(), entered_by(viewer));
    let created = record::create_once(&w, idempotency_key, party).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
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
    let w = Writer::new(&txn, viewer);
    let after = record::update(
        &w,
        id,
        version,
        |party: &mut regional_table_party::Model| {
            if let Some(kind) = kind {
                party.kind = kind;
            }
            if let Some(organisation) = organisation {
                party.organisation = organisation.to_owned();
            }
            Ok(())
        },
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after)
}
