//! Reading the audit trail: the global log and the history of one row.

use super::page::{self, Sort};
use super::sql::ordered;
use super::{Direction, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};

/// What the audit log can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_sub: Option<String>,
    pub actor_role: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i32>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A page of the audit log, newest first (admins and national analysts).
pub async fn log(
    db: &Reader,
    viewer: &Viewer,
    filter: &AuditFilter,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<audit_log::Model>> {
    if viewer.role().is_none() {
        return Err(ApiError::Unauthenticated);
    }
    if !access::can_read_audit(viewer) {
        return Err(ApiError::Forbidden);
    }
    use audit_log::Column as C;
    let mut select = access::audit_log(viewer);
    if let Some(v) = &filter.actor_sub {
        select = select.filter(C::ActorSub.eq(v.as_str()));
    }
    if let Some(v) = &filter.actor_role {
        select = select.filter(C::ActorRole.eq(v.as_str()));
    }
    if let Some(v) = &filter.entity {
        select = select.filter(C::Entity.eq(v.as_str()));
    }
    if let Some(v) = filter.entity_id {
        select = select.filter(C::EntityId.eq(v));
    }
    if let Some(v) = &filter.action {
        select = select.filter(C::Action.eq(v.as_str()));
    }
    if let Some(v) = filter.from {
        select = select.filter(C::At.gte(v));
    }
    if let Some(v) = filter.to {
        select = select.filter(C::At.lte(v));
    }
    let sort = Sort::by(C::At, C::Id, Direction::Desc);
    page::fetch(db, select, sort, args, want_total).await
}

/// The audit entries of the rows `keys` (table, id), oldest first (a dataloader batch).
pub async fn of_rows(
    db: &Reader,
    viewer: &Viewer,
    keys: &[(String, i32)],
) -> ApiResult<HashMap<(String, i32), Vec<audit_log::Model>>> {
    let mut by_entity: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (entity, id) in keys {
        by_entity.entry(entity.as_str()).or_default().push(*id);
    }
    let mut any = Condition::any();
    for (entity, ids) in &by_entity {
        any = any.add(
            Condition::all()
                .add(audit_log::Column::Entity.eq(*entity))
                .add(audit_log::Column::EntityId.is_in(ids.iter().copied())),
        );
    }
    let rows = ordered(
        access::audit_log(viewer).filter(any),
        audit_log::Column::At,
        audit_log::Column::Id,
        Direction::Asc,
    )
    .all(db)
    .await?;
    let mut out: HashMap<(String, i32), Vec<audit_log::Model>> = HashMap::new();
    for row in rows {
        out.entry((row.entity.clone(), row.entity_id))
            .or_default()
            .push(row);
    }
    Ok(out)
}
