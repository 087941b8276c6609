//! What every mutation shares: transactions, optimistic concurrency, the audit trail, and the
//! mapping of database refusals to client errors.

use crate::access::Viewer;
use crate::error::{ApiError, ApiResult, Refusal, refusal_of};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use serde::Serialize;

/// The kind of change an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "CREATE",
            Action::Update => "UPDATE",
            Action::Delete => "DELETE",
        }
    }
}

/// The current time, as stored.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Turns a database refusal into a client error, by its error code: unique keys into CONFLICT,
/// foreign keys and CHECK constraints into BAD_USER_INPUT, a lock held by a concurrent change
/// (a busy SQLite, a PostgreSQL serialization failure or deadlock) and a read-only database into
/// SERVICE_UNAVAILABLE, which the client may retry as it is (a stale version is the CONFLICT of
/// the version check, before any of this). Anything else stays internal.
pub fn refusal(err: DbErr) -> ApiError {
    match refusal_of(&err) {
        Some(Refusal::Unique(_)) => {
            ApiError::Conflict("a row with the same key exists already".to_owned())
        }
        Some(Refusal::ForeignKey) => ApiError::invalid(
            "input",
            "refers to a row that does not exist or is still in use",
        ),
        Some(Refusal::Check) => ApiError::invalid("input", "a value is outside its allowed range"),
        Some(Refusal::Contention | Refusal::ReadOnly) => {
            ApiError::Unavailable(std::sync::Arc::new(err))
        }
        None => ApiError::from(err),
    }
}

/// Writes the audit entry of a change in the same transaction as the change.
pub async fn audit<C: ConnectionTrait, M: Serialize>(
    db: &C,
    viewer: &Viewer,
    entity: &str,
    entity_id: i32,
    action: Action,
    before: Option<&M>,
    after: Option<&M>,
) -> ApiResult<()> {
    let json = |m: Option<&M>| m.and_then(|m| serde_json::to_string(m).ok());
    // Without RETURNING: on PostgreSQL the writer may not be allowed to read the audit trail back.
    let entry = audit_log::ActiveModel {
        at: Set(now()),
        actor_sub: Set(viewer.sub().unwrap_or("anonymous").to_owned()),
        actor_role: Set(viewer.role().map_or("anonymous", |r| r.as_str()).to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        action: Set(action.as_str().to_owned()),
        before: Set(json(before)),
        after: Set(json(after)),
        ..Default::default()
    };
    audit_log::Entity::insert(entry)
        .exec_without_returning(db)
        .await
        .map_err(refusal)?;
    Ok(())
}

/// Deletes the row with `id` if, and only if, it still has `read_version`; otherwise CONFLICT.
pub async fn delete_versioned<C, E>(
    db: &C,
    id: (E::Column, i32),
    version: (E::Column, i32),
) -> ApiResult<()>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let result = E::delete_many()
        .filter(id.0.eq(id.1))
        .filter(version.0.eq(version.1))
        .exec(db)
        .await
        .map_err(refusal)?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(stale())
    }
}

/// Inserts a new row built from `model` (its id is assigned by the database).
pub async fn insert_new<C, A>(
    db: &C,
    model: <A::Entity as EntityTrait>::Model,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut active = model.into_active_model().reset_all();
    for key in <<A::Entity as EntityTrait>::PrimaryKey as sea_orm::Iterable>::iter() {
        active.not_set(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    active.insert(db).await.map_err(refusal)
}

/// Replaces the link rows of a parent (a seat's disciplines, a material's themes, ...) with `rows`.
pub async fn replace_links<C, A>(
    db: &C,
    parent: (<A::Entity as EntityTrait>::Column, i32),
    rows: Vec<<A::Entity as EntityTrait>::Model>,
) -> ApiResult<()>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    A::Entity::delete_many()
        .filter(parent.0.eq(parent.1))
        .exec(db)
        .await
        .map_err(refusal)?;
    if !rows.is_empty() {
        A::Entity::insert_many(rows.into_iter().map(|m| m.into_active_model().reset_all()))
            .exec_without_returning(db)
            .await
            .map_err(refusal)?;
    }
    Ok(())
}

/// The error for a change based on an outdated read.
pub fn stale() -> ApiError {
    ApiError::Conflict(
        "the row has changed since you read it (stale version); read it again".to_owned(),
    )
}
