//! The data version: one number that every committed write of registry data raises, so that
//! answers computed from the data can be cached and reused until it changes.
//!
//! Triggers on every table whose rows an answer can show raise `data_version.version` in the
//! writing transaction (on PostgreSQL once per transaction), so the new number becomes visible exactly when the data does, whatever
//! writes (mutations, imports, the seed, a steward's SQL). On PostgreSQL they also
//! `NOTIFY registry_data_version` (delivered at commit, once per transaction), so every replica of
//! the API hears of a change at once; the row itself replicates with the data to read replicas.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows answers show.
const TABLES: [&str; 18] = [
    "care_office_region",
    "iza_region",
    "discipline",
    "region",
    "region_lineage",
    "resv",
    "seat",
    "seat_discipline",
    "regional_table_party",
    "agreement",
    "agreement_discipline",
    "neighbourhood_collaboration",
    "nc_discipline",
    "subsidy",
    "voucher",
    "learning_material",
    "material_theme",
    "material_region",
];

/// Raises the version once per transaction: updating the one row again for every statement of
/// a bulk write would leave a chain of row versions that each later update walks (quadratic).
const PG_FUNCTION: &str = "CREATE FUNCTION registry_data_changed() RETURNS trigger LANGUAGE plpgsql \
    SECURITY DEFINER SET search_path = public AS $$ \
    BEGIN \
      IF current_setting('registry.data_changed', true) IS DISTINCT FROM txid_current()::text THEN \
        UPDATE data_version SET version = version + 1 WHERE id = 1; \
        PERFORM pg_notify('registry_data_version', ''); \
        PERFORM set_config('registry.data_changed', txid_current()::text, true); \
      END IF; \
      RETURN NULL; \
    END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE data_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO data_version (id, version) VALUES (1, 1)")
            .await?;
        if backend == DbBackend::Postgres {
            db.execute_unprepared(PG_FUNCTION).await?;
        }
        for table in TABLES {
            match backend {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE \
                         ON {table} FOR EACH STATEMENT EXECUTE FUNCTION registry_data_changed()"
                    ))
                    .await?;
                }
                _ => {
                    for op in ["INSERT", "UPDATE", "DELETE"] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_data_version_{} AFTER {op} ON {table} \
                             BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END",
                            op.to_ascii_lowercase()
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for table in TABLES {
            match backend {
                DbBackend::Postgres => {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_data_version ON {table}"
                    ))
                    .await?;
                }
                _ => {
                    for op in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_data_version_{op}"
                        ))
                        .await?;
                    }
                }
            }
        }
        if backend == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS registry_data_changed()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE data_version").await?;
        Ok(())
    }
}
