//! What every resolver needs from a request: the database, the viewer and the dataloaders.

use super::loaders::{BatchDriver, Loaders, batch_driver};
use crate::access::Viewer;
use crate::cache::Versioned;
use crate::db::Reader;
use crate::error::ApiResult;
use crate::service::reference::{self, DisciplineTable, Table};
use async_graphql::Context;
use entity::{care_office_region, iza_region};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The reference tables kept in memory: public, small tables that many answers join
/// (disciplines, care-office regions, IZA regions), read once per data version instead of once
/// per request. Only tables every viewer may read in full belong here (see
/// `access::disciplines`), since one copy serves every request.
#[derive(Debug, Default)]
pub struct ReferenceTables {
    pub disciplines: Versioned<DisciplineTable>,
    pub care_office_regions: Versioned<Table<i32, entity::care_office_region::Model>>,
    pub iza_regions: Versioned<Table<i32, entity::iza_region::Model>>,
    /// The largest lists of the public relations, for the query cost estimate.
    pub list_sizes: Versioned<crate::service::sizes::Sizes>,
}

/// The reference tables and the data version a request began at.
#[derive(Debug, Clone)]
pub struct TablesAt {
    pub tables: Arc<ReferenceTables>,
    pub version: i64,
}

/// Per-request data, attached by the HTTP handler.
pub struct RequestContext {
    /// The primary's pool; mutations open their own transactions on it.
    pub pool: DatabaseConnection,
    /// The pool reads go to: the read replica if one is configured and the request runs no
    /// mutation, else the primary.
    pub read_pool: DatabaseConnection,
    /// What reads go through: on PostgreSQL a transaction carrying the viewer's claims.
    pub db: Reader,
    pub viewer: Viewer,
    pub loaders: Loaders,
    /// The reference tables kept in memory, at the data version known when the request began.
    tables: Option<TablesAt>,
    /// The reference tables as this request has them, each read or reused at first use.
    disciplines: tokio::sync::OnceCell<Arc<DisciplineTable>>,
    care_office_regions: tokio::sync::OnceCell<Arc<Table<i32, care_office_region::Model>>>,
    iza_regions: tokio::sync::OnceCell<Arc<Table<i32, iza_region::Model>>>,
}

impl RequestContext {
    /// The context of a request by `viewer`, and the driver that must run beside the request
    /// for its dataloaders to make progress (see [`super::execute`]).
    pub fn new(
        pool: DatabaseConnection,
        read_pool: DatabaseConnection,
        tables: Option<TablesAt>,
        viewer: Viewer,
    ) -> (Self, BatchDriver) {
        let db = crate::db::reader(&read_pool, crate::access::claims(&viewer));
        let (spawner, driver) = batch_driver();
        let loaders = Loaders::new(&db, &viewer, &spawner);
        (
            RequestContext {
                pool,
                read_pool,
                db,
                viewer,
                loaders,
                tables,
                disciplines: tokio::sync::OnceCell::new(),
                care_office_regions: tokio::sync::OnceCell::new(),
                iza_regions: tokio::sync::OnceCell::new(),
            },
            driver,
        )
    }

    /// The data version the request began at, when it reads at one (a mutation does not).
    pub fn data_version(&self) -> Option<i64> {
        self.tables.as_ref().map(|t| t.version)
    }

    /// The largest lists of the public relations at the request's data version: kept, or read
    /// once per version. `None` for a request that reads at no known version (a mutation, or
    /// a server without the watcher of the data version) or when they cannot be read: the
    /// estimate then counts such lists as one, and the answer's actual cost is charged all the
    /// same.
    pub async fn list_sizes(&self) -> Option<Arc<crate::service::sizes::Sizes>> {
        let at = self.tables.as_ref().filter(|at| at.version > 0)?;
        if let Some(sizes) = at.tables.list_sizes.get(at.version) {
            return Some(sizes);
        }
        match crate::service::sizes::largest(&self.read_pool).await {
            Ok(sizes) => {
                let sizes = Arc::new(sizes);
                at.tables.list_sizes.put(at.version, sizes.clone());
                Some(sizes)
            }
            Err(error) => {
                tracing::warn!(%error, "Could not read the largest lists for the cost estimate.");
                None
            }
        }
    }

    /// Every discipline: kept in memory at the request's data version, or else read once for
    /// this request (one statement, however many rows want their disciplines).
    pub async fn disciplines(&self) -> ApiResult<&DisciplineTable> {
        self.kept(
            &self.disciplines,
            |t| &t.disciplines,
            || reference::all_disciplines(&self.db, &self.viewer),
        )
        .await
    }

    /// Every care-office region, kept or read like [`Self::disciplines`].
    pub async fn care_office_regions(&self) -> ApiResult<&Table<i32, care_office_region::Model>> {
        self.kept(
            &self.care_office_regions,
            |t| &t.care_office_regions,
            || reference::all_care_office_regions(&self.db, &self.viewer),
        )
        .await
    }

    /// Every IZA region, kept or read like [`Self::disciplines`].
    pub async fn iza_regions(&self) -> ApiResult<&Table<i32, iza_region::Model>> {
        self.kept(
            &self.iza_regions,
            |t| &t.iza_regions,
            || reference::all_iza_regions(&self.db, &self.viewer),
        )
        .await
    }

    /// The table in `cell`, at first use taken from `slot` of the kept tables if it holds one at
    /// the request's version, or else read, and then kept there.
    async fn kept<'a, T, Read, Reading>(
        &'a self,
        cell: &'a tokio::sync::OnceCell<Arc<T>>,
        slot: fn(&ReferenceTables) -> &Versioned<T>,
        read: Read,
    ) -> ApiResult<&'a T>
    where
        Read: FnOnce() -> Reading,
        Reading: std::future::Future<Output = ApiResult<T>>,
    {
        let table = cell
            .get_or_try_init(|| async {
                let kept = self.tables.as_ref();
                if let Some(table) = kept.and_then(|t| slot(&t.tables).get(t.version)) {
                    return ApiResult::Ok(table);
                }
                let table = Arc::new(read().await?);
                if let Some(t) = kept {
                    slot(&t.tables).put(t.version, table.clone());
                }
                Ok(table)
            })
            .await?;
        Ok(table)
    }
}

/// The request's context; every executed request has one.
pub fn request<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a RequestContext> {
    ctx.data::<RequestContext>()
}

/// Whether the client selected `totalCount` on the connection being resolved.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}
