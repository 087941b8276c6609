//! Import provenance: when, and by whom, a row was last written by an import (`api import`,
//! `importRecords`), beside its `source` and `source_reference`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows an import writes.
const TABLES: [&str; 9] = [
    "region",
    "resv",
    "seat",
    "agreement",
    "regional_table_party",
    "neighbourhood_collaboration",
    "subsidy",
    "voucher",
    "learning_material",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE statement.
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(timestamp_with_time_zone_null(Alias::new("imported_at")))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(string_null(Alias::new("imported_by")))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in ["imported_at", "imported_by"] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .drop_column(Alias::new(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
