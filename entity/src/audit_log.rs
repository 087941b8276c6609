//! An entry of the audit trail: who changed what, when, with the state before and after.

use sea_orm::entity::prelude::*;

model!("audit_log" {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub actor_sub: String,
    pub actor_role: String,
    /// The table of the changed row, e.g. `resv`.
    pub entity: String,
    pub entity_id: i32,
    /// `CREATE`, `UPDATE` or `DELETE`.
    pub action: String,
    /// The row before the change (JSON text), none for a creation.
    pub before: Option<String>,
    /// The row after the change (JSON text), none for a deletion.
    pub after: Option<String>,
});
