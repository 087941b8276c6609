//! Region lineage: regions merge, split and get renamed, and the registry keeps track of them.
//!
//! A region that merges or splits is not deleted but retired (`region.retired_on`), so its
//! records and history stay readable and its code stays taken. `region_lineage` links each
//! predecessor to each successor with the kind of change and its effective date; a rename links a
//! region to itself and keeps the former code and name, so old codes still resolve.
//!
//! Coverage figures count a region until the moment its retirement was recorded
//! (`recorded_ms`, on the clock of the history tables), so figures for dates before a change
//! keep counting the old regions and those after it the new ones.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("region"))
                    .add_column(date_null(n("retired_on")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("region_lineage"))
                    .col(pk_auto(n("id")))
                    .col(
                        string_len(n("kind"), 16)
                            .check(Expr::col(n("kind")).is_in(["MERGE", "SPLIT", "RENAME"])),
                    )
                    .col(integer(n("predecessor_id")))
                    .col(integer(n("successor_id")))
                    .col(string_len(n("former_code"), 16))
                    .col(string(n("former_name")))
                    .col(date(n("effective_on")))
                    .col(text_null(n("note")))
                    .col(timestamp_with_time_zone(n("recorded_at")))
                    .col(big_integer(n("recorded_ms")))
                    .col(string(n("recorded_by")))
                    .foreign_key(
                        ForeignKey::create()
                            .from(n("region_lineage"), n("predecessor_id"))
                            .to(n("region"), n("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(n("region_lineage"), n("successor_id"))
                            .to(n("region"), n("id")),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_region_lineage_predecessor", "predecessor_id"),
            ("ix_region_lineage_successor", "successor_id"),
            ("ix_region_lineage_former_code", "former_code"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(n("region_lineage"))
                        .col(n(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("region_lineage")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("region"))
                    .drop_column(n("retired_on"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
