//! A create a client may retry: the key it sent, per token subject, and the record it made.

use sea_orm::entity::prelude::*;

model!("idempotency_key" {
    /// The token's subject: keys are the client's own, never shared between subjects.
    #[sea_orm(primary_key, auto_increment = false)]
    pub actor_sub: String,
    /// The key the client sent (`idempotencyKey`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The kind of record created (its table).
    pub kind: String,
    /// The id of the record created.
    pub record_id: i32,
    pub created_at: DateTimeUtc,
});
