//! The audit trail: `history` of a row and the global `auditLog` (admins and national analysts).

use super::connection::connection;
use super::context::{RequestContext, request, wants_total};
use crate::access;
use crate::service::PageArgs;
use crate::service::history::{self, AuditFilter};
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_log;

/// The kind of change.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Create,
    Update,
    Delete,
}

impl AuditAction {
    fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "CREATE",
            AuditAction::Update => "UPDATE",
            AuditAction::Delete => "DELETE",
        }
    }
}

/// One change in the audit trail (*wijzigingslog*): who, when, what, and the state before and after.
#[derive(Clone)]
pub struct AuditEntry {
    entry: audit_log::Model,
    /// Whether personal contact data in the snapshots may be shown.
    contacts: bool,
}

impl AuditEntry {
    /// An entry as `rc`'s viewer may see it.
    pub fn for_viewer(entry: audit_log::Model, rc: &RequestContext) -> Self {
        let contacts = access::can_see_all_contacts(&rc.viewer);
        AuditEntry { entry, contacts }
    }

    fn snapshot(&self, text: &Option<String>) -> Option<Json<serde_json::Value>> {
        let mut value: serde_json::Value = serde_json::from_str(text.as_deref()?).ok()?;
        if !self.contacts
            && let Some(object) = value.as_object_mut()
        {
            for field in access::CONTACT_FIELDS {
                if let Some(v) = object.get_mut(field) {
                    *v = serde_json::Value::Null;
                }
            }
        }
        Some(Json(value))
    }
}

#[Object]
impl AuditEntry {
    /// Opaque id of the entry.
    async fn id(&self) -> ID {
        super::node::global_id("AuditEntry", self.entry.id)
    }
    /// When the change was committed.
    async fn at(&self) -> DateTime<Utc> {
        self.entry.at
    }
    /// The token subject of who made the change.
    async fn actor_sub(&self) -> &str {
        &self.entry.actor_sub
    }
    /// The role they acted in.
    async fn actor_role(&self) -> &str {
        &self.entry.actor_role
    }
    /// The kind of row, e.g. `resv`, `seat`, `subsidy`.
    async fn entity(&self) -> &str {
        &self.entry.entity
    }
    /// The row's database id within its kind.
    async fn entity_id(&self) -> i32 {
        self.entry.entity_id
    }
    /// What was done.
    async fn action(&self) -> AuditAction {
        match self.entry.action.as_str() {
            "CREATE" => AuditAction::Create,
            "DELETE" => AuditAction::Delete,
            _ => AuditAction::Update,
        }
    }
    /// The row before the change; null for a creation. Contact data is null unless you may see it.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.snapshot(&self.entry.before)
    }
    /// The row after the change; null for a deletion.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.snapshot(&self.entry.after)
    }
}

/// The most entries a row's `history` lists: its latest changes (the whole trail pages through
/// `auditLog(filter: {entity, entityId})`).
pub const MAX_HISTORY: usize = 100;

/// The history of one row, oldest change first, at most its [`MAX_HISTORY`] latest changes; null
/// for viewers who may not read the audit trail.
pub async fn history_of(
    ctx: &Context<'_>,
    entity: &'static str,
    id: i32,
) -> Result<Option<Vec<AuditEntry>>> {
    let rc = request(ctx)?;
    if !access::can_read_audit(&rc.viewer) {
        return Ok(None);
    }
    let entries = rc
        .loaders
        .history()
        .load_one((entity.to_owned(), id))
        .await?
        .unwrap_or_default();
    let older = entries.len().saturating_sub(MAX_HISTORY);
    Ok(Some(
        entries
            .into_iter()
            .skip(older)
            .map(|e| AuditEntry::for_viewer(e, rc))
            .collect(),
    ))
}

/// Filters for `auditLog`; all given criteria must hold.
#[derive(Debug, Default, InputObject)]
pub struct AuditLogFilter {
    pub actor_sub: Option<String>,
    pub actor_role: Option<String>,
    /// The kind of row, e.g. `resv`.
    pub entity: Option<String>,
    pub entity_id: Option<i32>,
    pub action: Option<AuditAction>,
    /// Changes at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Changes at or before this moment.
    pub to: Option<DateTime<Utc>>,
}

connection!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "audit entries"
);

/// Root field of the audit trail.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every recorded change, newest first (admins and national analysts).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            actor_sub: f.actor_sub,
            actor_role: f.actor_role,
            entity: f.entity,
            entity_id: f.entity_id,
            action: f.action.map(|a| a.as_str().to_owned()),
            from: f.from,
            to: f.to,
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = history::log(&rc.db, &rc.viewer, &filter, &args, wants_total(ctx)).await?;
        Ok(AuditEntryConnection(
            page.map(|e| AuditEntry::for_viewer(e, rc)),
        ))
    }
}
