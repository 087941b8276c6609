//! Batch loading for dataloaders: one `IN (...)` query per relation, on a scoped select.

use crate::db::Reader;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, ModelTrait, QueryFilter, Select, Value};
use std::collections::HashMap;

/// The error a loader returns: clonable, as dataloaders share results.
pub type LoadError = crate::error::ApiError;

fn key_of<M: ModelTrait>(model: &M, column: <M::Entity as EntityTrait>::Column) -> Option<i32> {
    match model.get(column) {
        Value::Int(Some(key)) => Some(key),
        _ => None,
    }
}

/// Loads the rows of a scoped select whose `column` is in `keys`, grouped by that column, in the
/// select's order.
pub async fn load_grouped<E>(
    db: &Reader,
    scope: Select<E>,
    column: E::Column,
    keys: &[i32],
) -> Result<HashMap<i32, Vec<E::Model>>, LoadError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
{
    let rows = scope
        .filter(column.is_in(keys.iter().copied()))
        .all(db)
        .await?;
    let mut grouped: HashMap<i32, Vec<E::Model>> = HashMap::with_capacity(keys.len());
    for row in rows {
        if let Some(key) = key_of(&row, column) {
            grouped.entry(key).or_default().push(row);
        }
    }
    Ok(grouped)
}

/// Loads the rows of a scoped select whose unique `column` is in `keys`.
pub async fn load_unique<E>(
    db: &Reader,
    scope: Select<E>,
    column: E::Column,
    keys: &[i32],
) -> Result<HashMap<i32, E::Model>, LoadError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
{
    let rows = scope
        .filter(column.is_in(keys.iter().copied()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| key_of(&row, column).map(|key| (key, row)))
        .collect())
}
