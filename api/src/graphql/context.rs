//! What every resolver needs from a request: the database, the viewer and the dataloaders.

use super::loaders::{BatchDriver, Loaders, batch_driver};
use crate::access::Viewer;
use crate::db::Reader;
use async_graphql::Context;
use sea_orm::DatabaseConnection;

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
}

impl RequestContext {
    /// The context of a request by `viewer`, and the driver that must run beside the request
    /// for its dataloaders to make progress (see [`super::execute`]).
    pub fn new(
        pool: DatabaseConnection,
        read_pool: DatabaseConnection,
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
            },
            driver,
        )
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
