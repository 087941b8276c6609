//! Personal contact data and internal notes (restricted fields) and the audit trail.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE statement.
        for (table, column) in [
            ("resv", "contact_name"),
            ("resv", "contact_email"),
            ("resv", "internal_notes"),
            ("seat", "delegate_name"),
            ("seat", "delegate_email"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .add_column(text_null(n(column)))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(n("audit_log"))
                    .col(pk_auto(n("id")))
                    .col(timestamp_with_time_zone(n("at")))
                    .col(string(n("actor_sub")))
                    .col(string_len(n("actor_role"), 32))
                    .col(string_len(n("entity"), 64))
                    .col(integer(n("entity_id")))
                    .col(
                        string_len(n("action"), 16)
                            .check(Expr::col(n("action")).is_in(["CREATE", "UPDATE", "DELETE"])),
                    )
                    .col(text_null(n("before")))
                    .col(text_null(n("after")))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_audit_log_entity", vec!["entity", "entity_id"]),
            ("ix_audit_log_at", vec!["at"]),
            ("ix_audit_log_actor", vec!["actor_sub"]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(n("audit_log"));
            for c in cols {
                idx.col(n(c));
            }
            manager.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("audit_log")).to_owned())
            .await?;
        for (table, column) in [
            ("seat", "delegate_email"),
            ("seat", "delegate_name"),
            ("resv", "internal_notes"),
            ("resv", "contact_email"),
            ("resv", "contact_name"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n(table))
                        .drop_column(n(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
