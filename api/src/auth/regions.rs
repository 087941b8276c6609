//! The regions a token may keep: the codes the registry's regions hold, read once per data
//! version and kept in memory, so that checking a coordinator's token costs no query per request.
//!
//! A region retired by a merge or split still exists (its code stays taken, its history
//! readable), so a token naming it stands: a merge must not lock out every coordinator whose
//! identity provider still lists the old code. A code no region holds — never given, or given up
//! by a rename — is refused.
//!
//! The set is read after the data version it is kept under was known, so it is at least as new
//! as that version; every write raises the version, and this replica learns the new one after each
//! mutation it runs and from the watcher of the response cache (PostgreSQL's notifications, and
//! the poll every `DATA_VERSION_POLL_MS`). A region created or merged here is therefore known to
//! the very next request, one changed elsewhere within the poll. While no version is known (no
//! watcher, and no mutation run yet) the set is read for every coordinator's request instead.

use super::AuthError;
use crate::access::{self, Viewer};
use crate::cache::Versioned;
use entity::region;
use sea_orm::{ConnectionTrait, DbErr, QuerySelect};
use std::collections::HashSet;
use std::sync::Arc;

/// The codes the regions hold, by data version.
#[derive(Debug, Default)]
pub struct KnownRegions(Versioned<HashSet<String>>);

impl KnownRegions {
    /// Refuses `viewer` if it keeps a region whose code no region of the registry holds;
    /// reads the regions from `db` only when none are kept at `version`. `Err` is the database's
    /// failure (the token can then be neither accepted nor refused).
    pub async fn check(
        &self,
        db: &impl ConnectionTrait,
        version: i64,
        viewer: &Viewer,
    ) -> Result<Result<(), AuthError>, DbErr> {
        if viewer.own_regions().is_empty() {
            return Ok(Ok(()));
        }
        let codes = match self.0.get(version) {
            Some(codes) => codes,
            None => {
                let codes = Arc::new(region_codes(db).await?);
                self.0.put(version, codes.clone());
                codes
            }
        };
        let unknown = viewer
            .own_regions()
            .iter()
            .find(|code| !codes.contains(code.as_str()));
        Ok(match unknown {
            Some(code) => Err(AuthError::UnknownRegion(code.chars().take(40).collect())),
            None => Ok(()),
        })
    }
}

/// The codes the regions hold (retired ones too), read as anyone may (regions are public).
pub async fn region_codes(db: &impl ConnectionTrait) -> Result<HashSet<String>, DbErr> {
    let codes: Vec<String> = access::regions(&Viewer::Anonymous)
        .select_only()
        .column(region::Column::Code)
        .into_tuple()
        .all(db)
        .await?;
    Ok(codes.into_iter().collect())
}
