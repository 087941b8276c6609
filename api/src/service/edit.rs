//! What the edits of every kind share: the fields a client sets, applied to a record through the
//! write pipeline ([`record`]).

use super::record::{self, Record};
use crate::access::Viewer;
use crate::error::ApiResult;
use sea_orm::DatabaseConnection;

/// The fields of a kind's record a client sets; on update, `None` leaves a field as it is.
pub trait Fields<R>: Send {
    /// Sets the given fields of `record`; an error where a field may not be set so.
    fn apply(self, record: &mut R) -> ApiResult<()>;
}

/// Changes the record with `id` read at `version` by the client's `fields`, in a transaction of
/// its own: how a mutation updates one record.
pub async fn update<R: Record, F: Fields<R>>(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: F,
) -> ApiResult<R> {
    record::update_one(db, viewer, id, version, |r: &mut R| fields.apply(r)).await
}
