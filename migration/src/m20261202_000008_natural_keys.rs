//! Natural keys are unique in the database, and creates can be retried safely.
//!
//! Imports match rows on their natural key; until now only some keys (region code, one RESV per
//! region, ZonMw reference, one voucher per discipline, one seat per discipline) were unique, so
//! concurrent or retried creates could store the same regional-table party, agreement,
//! neighbourhood collaboration or LeVEL material twice, and the next import then failed on the
//! duplicate. The indexes below make the remaining keys unique on SQLite and PostgreSQL alike.
//!
//! `idempotency_key` remembers, per token subject, the key a client sent with a create and the
//! record it created, so a retried create answers with the first result instead of a second row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The natural keys that were not unique yet: table and columns.
const KEYS: [(&str, &[&str]); 4] = [
    (
        "regional_table_party",
        &["region_id", "kind", "organisation"],
    ),
    ("agreement", &["resv_id", "topic"]),
    ("neighbourhood_collaboration", &["region_id", "name"]),
    ("learning_material", &["kind", "title"]),
];

fn key_index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("uq_{table}_natural_key"))
        .table(Alias::new(table))
        .unique();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in KEYS {
            manager.create_index(key_index(table, columns)).await.map_err(|e| {
                DbErr::Migration(format!(
                    "cannot make ({}) unique in {table}: rows share a key; merge or rename them first ({e})",
                    columns.join(", ")
                ))
            })?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("idempotency_key"))
                    .col(string_len(Alias::new("actor_sub"), 200))
                    .col(string_len(Alias::new("key"), 200))
                    .col(string_len(Alias::new("kind"), 64))
                    .col(integer(Alias::new("record_id")))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("actor_sub"))
                            .col(Alias::new("key")),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("idempotency_key"))
                    .to_owned(),
            )
            .await?;
        for (table, _) in KEYS {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("uq_{table}_natural_key"))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
