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
/// into CONFLICT, a read-only database into SERVICE_UNAVAILABLE. Anything else stays internal.
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
        Some(Refusal::Contention) => ApiError::Conflict(
            "the row was changed concurrently; read it again and retry".to_owned(),
        ),
        Some(Refusal::ReadOnly) => ApiError::Unavailable(std::sync::Arc::new(err)),
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

/// Stores `model` over the row with `id` if, and only if, that row still has `read_version`;
/// otherwise nothing changes and the answer is CONFLICT. `model` carries the new version.
pub async fn save_versioned<C, A>(
    db: &C,
    model: <A::Entity as EntityTrait>::Model,
    id: (<A::Entity as EntityTrait>::Column, i32),
    version: (<A::Entity as EntityTrait>::Column, i32),
) -> ApiResult<()>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let active = model.into_active_model().reset_all();
    let result = A::Entity::update_many()
        .set(active)
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

/// Ends a creation: writes the audit entry of the new row `created` (with database id `id`) and
/// commits.
pub async fn commit_create<M: Serialize>(
    txn: sea_orm::DatabaseTransaction,
    viewer: &Viewer,
    table: &str,
    id: i32,
    created: M,
) -> ApiResult<M> {
    audit(
        &txn,
        viewer,
        table,
        id,
        Action::Create,
        None,
        Some(&created),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}

/// Ends an update: stores `row` over the row read at `version` (CONFLICT if it changed since),
/// writes the audit entry with the states `before` and `after`, and commits.
pub async fn commit_update<A, S>(
    txn: sea_orm::DatabaseTransaction,
    viewer: &Viewer,
    table: &str,
    id: (<A::Entity as EntityTrait>::Column, i32),
    version: (<A::Entity as EntityTrait>::Column, i32),
    row: <A::Entity as EntityTrait>::Model,
    before: &S,
    after: &S,
) -> ApiResult<()>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    S: Serialize,
{
    let entity_id = id.1;
    save_versioned::<_, A>(&txn, row, id, version).await?;
    audit(
        &txn,
        viewer,
        table,
        entity_id,
        Action::Update,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await.map_err(refusal)
}

/// Ends a deletion: deletes the row read at `version` (CONFLICT if it changed since), writes the
/// audit entry with the state `before`, and commits.
pub async fn commit_delete<E, S>(
    txn: sea_orm::DatabaseTransaction,
    viewer: &Viewer,
    table: &str,
    id: (E::Column, i32),
    version: (E::Column, i32),
    before: &S,
) -> ApiResult<()>
where
    E: EntityTrait,
    S: Serialize,
{
    let entity_id = id.1;
    delete_versioned::<_, E>(&txn, id, version).await?;
    audit(
        &txn,
        viewer,
        table,
        entity_id,
        Action::Delete,
        Some(before),
        None,
    )
    .await?;
    txn.commit().await.map_err(refusal)
}

/// The error for a change based on an outdated read.
pub fn stale() -> ApiError {
    ApiError::Conflict(
        "the row has changed since you read it (stale version); read it again".to_owned(),
    )
}

/// Checks the version a client read against the stored one.
pub fn check_version(stored: i32, read: i32) -> ApiResult<()> {
    if stored == read { Ok(()) } else { Err(stale()) }
}

/// Input checks shared by the mutations.
pub mod check {
    use crate::error::{ApiError, ApiResult};
    use chrono::NaiveDate;

    /// A required text of 1 to `max` characters, trimmed.
    pub fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(ApiError::invalid(field, "must not be empty"));
        }
        optional_text(field, Some(value), max).map(|v| v.unwrap_or_default())
    }

    /// An optional text of at most `max` characters; blank becomes none.
    pub fn optional_text(
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> ApiResult<Option<String>> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if value.chars().count() > max {
            return Err(ApiError::invalid(
                field,
                format!("must be at most {max} characters"),
            ));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ApiError::invalid(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Some(value.to_owned()))
    }

    /// An optional http(s) URL.
    pub fn url(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
        let value = optional_text(field, value, 500)?;
        if let Some(url) = &value
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ApiError::invalid(field, "must be an http(s) URL"));
        }
        Ok(value)
    }

    /// An optional e-mail address (a plausibility check, not a delivery test).
    pub fn email(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
        let value = optional_text(field, value, 254)?;
        if let Some(address) = &value {
            let plausible = address.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !address.contains(' ')
            });
            if !plausible {
                return Err(ApiError::invalid(field, "must be an e-mail address"));
            }
        }
        Ok(value)
    }

    /// `earlier` must not come after `later` when both are given.
    pub fn in_order(
        field: &str,
        earlier: Option<NaiveDate>,
        later: Option<NaiveDate>,
    ) -> ApiResult<()> {
        match (earlier, later) {
            (Some(a), Some(b)) if a > b => {
                Err(ApiError::invalid(field, format!("must not be before {a}")))
            }
            _ => Ok(()),
        }
    }

    /// An amount in cents within `[min, max]` euros.
    pub fn amount(field: &str, cents: i64, min_euros: i64, max_euros: i64) -> ApiResult<i64> {
        if cents < min_euros * 100 || cents > max_euros * 100 {
            return Err(ApiError::invalid(
                field,
                format!("must be between EUR {min_euros} and EUR {max_euros}"),
            ));
        }
        Ok(cents)
    }

    /// An optional count within `[min, max]`.
    pub fn count(field: &str, value: Option<i64>, min: i64, max: i64) -> ApiResult<Option<i64>> {
        match value {
            Some(v) if v < min || v > max => Err(ApiError::invalid(
                field,
                format!("must be between {min} and {max}"),
            )),
            _ => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use chrono::NaiveDate;

    #[test]
    fn texts_are_trimmed_bounded_and_clean() {
        assert_eq!(
            check::text("name", "  RESV  ", 10).ok(),
            Some("RESV".to_owned())
        );
        assert!(check::text("name", "   ", 10).is_err());
        assert!(check::text("name", "abcdefghijk", 10).is_err());
        assert!(check::text("name", "a\u{0}b", 10).is_err());
        assert_eq!(check::optional_text("note", Some(" "), 10).ok(), Some(None));
    }

    #[test]
    fn urls_emails_dates_and_amounts() {
        assert!(check::url("website", Some("https://example.org")).is_ok());
        assert!(check::url("website", Some("javascript:alert(1)")).is_err());
        assert!(check::email("email", Some("a@example.org")).is_ok());
        assert!(check::email("email", Some("nobody")).is_err());
        let d = |day| NaiveDate::from_ymd_opt(2025, 1, day);
        assert!(check::in_order("to", d(1), d(2)).is_ok());
        assert!(check::in_order("to", d(2), d(1)).is_err());
        assert!(check::amount("amount", 50_000_000, 500_000, 2_000_000).is_ok());
        assert!(check::amount("amount", 49_999_999, 500_000, 2_000_000).is_err());
        assert!(check::amount("amount", 200_000_001, 500_000, 2_000_000).is_err());
    }
}
