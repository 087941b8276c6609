//! The one write pipeline. Every change of a registry record — a mutation, an import row, a step
//! of a region's lineage, a batch — runs the same steps here, in the writer's transaction:
//!
//! 1. load the record as the writer may see it (invisible: NOT_FOUND);
//! 2. the writer's right on *that* record, from the kind's [`Right`](crate::access::Right)
//!    (FORBIDDEN), before and after the change;
//! 3. the version the writer read (stale: CONFLICT);
//! 4. the kind's rules ([`Record::check`], in `rules/`; BAD_USER_INPUT naming the field), the same
//!    for every way in;
//! 5. save the row and its links (a duplicate natural key: CONFLICT naming the key);
//! 6. the audit entry, in the same transaction.
//!
//! The data version is raised by the database's own triggers when the transaction commits.

use super::kinds::Kind;
use super::write::{Action, audit, now, refusal};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde::Serialize;

/// Who writes, in which transaction, and how: every change of one transaction shares it.
pub struct Writer<'a> {
    pub txn: &'a DatabaseTransaction,
    pub viewer: &'a Viewer,
    /// Set for imports: records are stamped with who imported them, and a row that would not
    /// change is left alone (no new version, no audit entry).
    pub import: bool,
    /// The moment the changes are recorded.
    pub at: DateTime<Utc>,
}

impl<'a> Writer<'a> {
    /// A writer of changes entered through the API.
    pub fn new(txn: &'a DatabaseTransaction, viewer: &'a Viewer) -> Self {
        Writer {
            txn,
            viewer,
            import: false,
            at: now(),
        }
    }

    /// A writer of an import's rows.
    pub fn importing(txn: &'a DatabaseTransaction, viewer: &'a Viewer) -> Self {
        Writer {
            import: true,
            ..Writer::new(txn, viewer)
        }
    }

    /// Who an import's rows are recorded as imported by.
    fn importer(&self) -> Option<String> {
        self.import
            .then(|| self.viewer.sub().unwrap_or("anonymous").to_owned())
    }
}

/// A problem one of a kind's rules found with a field of a record: the field as the import
/// columns name it (`organisation`, `applied_on`), and what is wrong, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

/// The problems of a record; empty when it may be stored.
pub type Problems = Vec<Problem>;

impl Problem {
    /// The error a mutation answers with: the field in the GraphQL spelling (`appliedOn`).
    pub fn into_error(self) -> ApiError {
        ApiError::invalid(camel(self.field), self.message)
    }
}

/// `applied_on` as GraphQL spells input fields: `appliedOn`.
pub fn camel(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A kind's stored form, as the pipeline writes it: the row with its link rows (a seat's
/// disciplines, a material's themes). Its `Serialize` form is what the audit trail records.
#[async_trait::async_trait]
pub trait Record: Clone + PartialEq + Serialize + Send + Sync + Sized + 'static {
    /// The kind in the registry of kinds.
    const KIND: Kind;

    /// The database id (0 before the record is created).
    fn id(&self) -> i32;

    /// The version stored (1 for a new record).
    fn version(&self) -> i32;

    /// Marks the record as version `version`, changed at `at`, by the import of `imported_by`.
    fn stamp(&mut self, version: i32, at: DateTime<Utc>, imported_by: Option<String>);

    /// The record with `id` as the writer may see it, links included.
    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>>;

    /// The code of the region whose keepers may change the record, if its right is per region.
    async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>>;

    /// The kind's rules on the record as it would be stored: trims texts, then checks every field
    /// and every rule between fields. The only place a field rule of the kind is written.
    fn check(&mut self) -> Problems;

    /// Rules that need the stored registry (e.g. one RESV seat per regional table); `before` is
    /// the stored state of an update.
    async fn check_stored(&self, _w: &Writer<'_>, _before: Option<&Self>) -> ApiResult<Problems> {
        Ok(Problems::new())
    }

    /// Inserts the record and its links; the record as stored, with its id.
    async fn insert(&self, w: &Writer<'_>) -> ApiResult<Self>;

    /// Stores the record over `before` if that is still the stored version (else CONFLICT), and
    /// its links where they changed.
    async fn save(&self, w: &Writer<'_>, before: &Self) -> ApiResult<()>;

    /// Deletes the record if it still has its version (else CONFLICT).
    async fn remove(&self, w: &Writer<'_>) -> ApiResult<()>;
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<R> {
    Created(R),
    Updated(R),
    /// An import row equal to the stored record: nothing was written.
    Unchanged(R),
}

impl<R> Outcome<R> {
    /// The record as stored after the write.
    pub fn into_record(self) -> R {
        match self {
            Outcome::Created(r) | Outcome::Updated(r) | Outcome::Unchanged(r) => r,
        }
    }
}

/// Applies the kind's rules to `record`: its problems, or none.
pub async fn problems<R: Record>(
    w: &Writer<'_>,
    record: &mut R,
    before: Option<&R>,
) -> ApiResult<Problems> {
    let mut problems = record.check();
    if problems.is_empty() {
        problems.extend(record.check_stored(w, before).await?);
    }
    Ok(problems)
}

async fn ensure_right<R: Record>(w: &Writer<'_>, record: &R) -> ApiResult<()> {
    let region = record.region_code(w).await?;
    access::ensure_right(w.viewer, R::KIND.info().right, region.as_deref())
}

async fn checked<R: Record>(w: &Writer<'_>, record: &mut R, before: Option<&R>) -> ApiResult<()> {
    match problems(w, record, before).await?.into_iter().next() {
        Some(problem) => Err(problem.into_error()),
        None => Ok(()),
    }
}

/// A database refusal of a record's row: a duplicate natural key named, else as [`refusal`].
fn row_refusal<R: Record>(err: DbErr) -> ApiError {
    match crate::error::refusal_of(&err) {
        Some(crate::error::Refusal::Unique(_)) => {
            let info = R::KIND.info();
            ApiError::Conflict(format!(
                "a {} with the same {} exists already",
                info.noun,
                natural_key_words(info.natural_key)
            ))
        }
        _ => refusal(err),
    }
}

/// `region_code, kind and organisation`.
fn natural_key_words(columns: &[&str]) -> String {
    match columns {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a written record is stamped: the version it gets, the moment, and whose import wrote it.
/// A restore gives each record the stamp its export carries; every other write makes its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub version: i32,
    pub at: DateTime<Utc>,
    pub imported_by: Option<String>,
}

/// Creates `record`: the writer's right on it, the kind's rules, insert, audit.
pub async fn create<R: Record>(w: &Writer<'_>, record: R) -> ApiResult<R> {
    create_stamped(w, record, None).await
}

/// [`create`] with the record stamped by `stamp`, else as version 1 of now.
async fn create_stamped<R: Record>(
    w: &Writer<'_>,
    mut record: R,
    stamp: Option<Stamp>,
) -> ApiResult<R> {
    access::ensure_signed_in(w.viewer)?;
    ensure_right(w, &record).await?;
    checked(w, &mut record, None).await?;
    let stamp = stamp.unwrap_or_else(|| Stamp {
        version: 1,
        at: w.at,
        imported_by: w.importer(),
    });
    record.stamp(stamp.version, stamp.at, stamp.imported_by);
    let created = record.insert(w).await?;
    audit(
        w.txn,
        w.viewer,
        R::KIND.info().table,
        created.id(),
        Action::Create,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Loads the record with `id` for a change: NOT_FOUND when the writer cannot see it, FORBIDDEN
/// when it may not change it.
pub async fn editable<R: Record>(w: &Writer<'_>, id: i32) -> ApiResult<R> {
    access::ensure_signed_in(w.viewer)?;
    let record = R::load(w, id)
        .await?
        .ok_or(ApiError::NotFound(R::KIND.info().noun))?;
    ensure_right(w, &record).await?;
    Ok(record)
}

/// Changes the record with `id`, read by the writer at `version`, by `change`.
pub async fn update<R, F>(w: &Writer<'_>, id: i32, version: i32, change: F) -> ApiResult<R>
where
    R: Record,
    F: FnOnce(&mut R) -> ApiResult<()> + Send,
{
    let before: R = editable(w, id).await?;
    if before.version() != version {
        return Err(super::write::stale());
    }
    let mut after = before.clone();
    change(&mut after)?;
    store(w, before, after).await.map(Outcome::into_record)
}

/// Stores `after` over `before` (both as the pipeline loaded them): the right on the changed
/// record, the rules, save, audit. An import leaves an unchanged record alone.
pub async fn store<R: Record>(w: &Writer<'_>, before: R, after: R) -> ApiResult<Outcome<R>> {
    store_stamped(w, before, after, None).await
}

/// [`store`] with the record stamped by `stamp`, else as the next version of now.
async fn store_stamped<R: Record>(
    w: &Writer<'_>,
    before: R,
    mut after: R,
    stamp: Option<Stamp>,
) -> ApiResult<Outcome<R>> {
    ensure_right(w, &after).await?;
    checked(w, &mut after, Some(&before)).await?;
    if w.import && after == before {
        return Ok(Outcome::Unchanged(before));
    }
    let stamp = stamp.unwrap_or_else(|| Stamp {
        version: before.version() + 1,
        at: w.at,
        imported_by: w.importer(),
    });
    after.stamp(stamp.version, stamp.at, stamp.imported_by);
    after.save(w, &before).await?;
    audit(
        w.txn,
        w.viewer,
        R::KIND.info().table,
        before.id(),
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(Outcome::Updated(after))
}

/// Creates `record`, or stores it over `existing` (the stored record with the same natural key):
/// how an import row is written. With a `stamp` (a restore), the record gets the version and
/// provenance it was exported with.
pub async fn put<R: Record>(
    w: &Writer<'_>,
    existing: Option<R>,
    record: R,
    stamp: Option<Stamp>,
) -> ApiResult<Outcome<R>> {
    match existing {
        Some(before) => store_stamped(w, before, record, stamp).await,
        None => create_stamped(w, record, stamp).await.map(Outcome::Created),
    }
}

/// Deletes the record with `id`, read by the writer at `version`; the record as it was.
pub async fn delete<R: Record>(w: &Writer<'_>, id: i32, version: i32) -> ApiResult<R> {
    let before: R = editable(w, id).await?;
    if before.version() != version {
        return Err(super::write::stale());
    }
    before.remove(w).await?;
    audit(
        w.txn,
        w.viewer,
        R::KIND.info().table,
        before.id(),
        Action::Delete,
        Some(&before),
        None,
    )
    .await?;
    Ok(before)
}

/// [`update`] in a transaction of its own, committed: how a mutation changes one record.
pub async fn update_one<R, F>(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    change: F,
) -> ApiResult<R>
where
    R: Record,
    F: FnOnce(&mut R) -> ApiResult<()> + Send,
{
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let after = update(&Writer::new(&txn, viewer), id, version, change).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after)
}

/// [`delete`] in a transaction of its own, committed: how a mutation deletes one record.
pub async fn delete_one<R: Record>(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<R> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = delete(&Writer::new(&txn, viewer), id, version).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(before)
}

/// The longest idempotency key a client may send.
const MAX_KEY: usize = 200;

/// Creates `record` once per idempotency `key` of the writer: a retried create with the same key
/// answers with the record the first one created (as it is stored now) instead of a second row.
/// Without a key it is [`create`].
pub async fn create_once<R: Record>(w: &Writer<'_>, key: Option<&str>, record: R) -> ApiResult<R> {
    let Some(key) = key else {
        return create(w, record).await;
    };
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY {
        return Err(ApiError::invalid(
            "idempotencyKey",
            format!("must be 1 to {MAX_KEY} characters"),
        ));
    }
    access::ensure_signed_in(w.viewer)?;
    let actor = w.viewer.sub().unwrap_or("anonymous").to_owned();
    let table = R::KIND.info().table;
    let earlier = access::idempotency_keys(w.viewer)
        .filter(idempotency_key::Column::Key.eq(key))
        .one(w.txn)
        .await?;
    if let Some(earlier) = earlier {
        if earlier.kind != table {
            return Err(ApiError::Conflict(format!(
                "the idempotency key was used for a {} already",
                earlier.kind.replace('_', " ")
            )));
        }
        return R::load(w, earlier.record_id).await?.ok_or_else(|| {
            ApiError::Conflict(
                "the record this idempotency key created has been deleted since".to_owned(),
            )
        });
    }
    let created = create(w, record).await?;
    let entry = idempotency_key::Model {
        actor_sub: actor,
        key: key.to_owned(),
        kind: table.to_owned(),
        record_id: created.id(),
        created_at: w.at,
    };
    idempotency_key::Entity::insert(entry.into_active_model())
        .exec_without_returning(w.txn)
        .await
        .map_err(|err| match refusal(err) {
            ApiError::Conflict(_) => ApiError::Conflict(
                "a create with this idempotency key is under way; retry it for its result"
                    .to_owned(),
            ),
            other => other,
        })?;
    Ok(created)
}

/// Inserts `model`, the row of a record of kind `R`, with an id the database assigns; the row as
/// stored.
pub async fn insert_row<R, A>(
    w: &Writer<'_>,
    model: <A::Entity as EntityTrait>::Model,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    R: Record,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut active = model.into_active_model().reset_all();
    for key in <<A::Entity as EntityTrait>::PrimaryKey as sea_orm::Iterable>::iter() {
        active.not_set(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    active.insert(w.txn).await.map_err(row_refusal::<R>)
}

/// Stores `model`, the row of a record of kind `R`, over the row with `id` if that still has
/// `version` (else CONFLICT: it changed since it was read).
pub async fn save_row<R, A>(
    w: &Writer<'_>,
    model: <A::Entity as EntityTrait>::Model,
    id: (<A::Entity as EntityTrait>::Column, i32),
    version: (<A::Entity as EntityTrait>::Column, i32),
) -> ApiResult<()>
where
    R: Record,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let result = A::Entity::update_many()
        .set(model.into_active_model().reset_all())
        .filter(id.0.eq(id.1))
        .filter(version.0.eq(version.1))
        .exec(w.txn)
        .await
        .map_err(row_refusal::<R>)?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(super::write::stale())
    }
}

/// Deletes the row with `id` if it still has `version` (else CONFLICT).
pub async fn remove_row<E: EntityTrait>(
    w: &Writer<'_>,
    id: (E::Column, i32),
    version: (E::Column, i32),
) -> ApiResult<()> {
    super::write::delete_versioned::<_, E>(w.txn, id, version).await
}

/// Marks a model as written: version, `updated_at`, and an import's provenance.
pub fn stamp_row(
    version: &mut i32,
    updated_at: &mut DateTime<Utc>,
    imported: (&mut Option<DateTime<Utc>>, &mut Option<String>),
    (new_version, at, imported_by): (i32, DateTime<Utc>, Option<String>),
) {
    *version = new_version;
    *updated_at = at;
    if let Some(by) = imported_by {
        *imported.0 = Some(at);
        *imported.1 = Some(by);
    }
}

#[cfg(test)]
mod tests {
    use super::{camel, natural_key_words};

    #[test]
    fn fields_are_spelled_as_graphql_inputs() {
        assert_eq!(camel("applied_on"), "appliedOn");
        assert_eq!(camel("organisation"), "organisation");
        assert_eq!(camel("region_code"), "regionCode");
    }

    #[test]
    fn natural_keys_read_as_words() {
        assert_eq!(natural_key_words(&["code"]), "code");
        assert_eq!(
            natural_key_words(&["region_code", "topic"]),
            "region_code and topic"
        );
        assert_eq!(
            natural_key_words(&["region_code", "kind", "organisation"]),
            "region_code, kind and organisation"
        );
    }
}
