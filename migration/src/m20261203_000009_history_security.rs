//! Row-level security in force on every history table, for the tables' owner too (PostgreSQL).
//!
//! Migration 4 gave the history of subsidies, vouchers and materials read policies but did not
//! force them, and left the other history tables open: the owner (and any role that may act as
//! it) read every past version of a pending application, and a role with table rights could
//! write history of its own. Now every `*_history` table
//!
//! - has row-level security enabled and forced (the owner is held to the policies as well);
//! - keeps the read policies migration 4 gave it, or a new one: every version for the history
//!   of public rows (regions, RESVs, seats, neighbourhood collaborations), and for a material's
//!   themes only the versions of materials the viewer may see in the materials' history;
//! - may be written only by the tracking triggers of migration 4, which run as the tables' owner
//!   (`SECURITY DEFINER`): the write policies admit the roles that have the owner's rights
//!   ([`registry_tracks`]), never the application's role, whatever its claims, apart from the
//!   admin policies migration 4 already had.
//!
//! The write policies give the owner no read: with the policies forced, a query as the owner
//! without claims sees only the public versions, like anyone's. (A superuser, and a role with
//! `BYPASSRLS`, pass every policy; that is why `serve` refuses to run as one in production.)
//! SQLite has no row-level security; there the API's rules stand alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The history tables, each with the read policy it gets here (`None`: migration 4 gave it one).
const HISTORY: [(&str, Option<&str>); 10] = [
    ("region_history", Some("true")),
    ("resv_history", Some("true")),
    ("seat_history", Some("true")),
    ("seat_discipline_history", Some("true")),
    ("neighbourhood_collaboration_history", Some("true")),
    ("nc_discipline_history", Some("true")),
    ("subsidy_history", None),
    ("voucher_history", None),
    ("learning_material_history", None),
    (
        "material_theme_history",
        Some("material_id IN (SELECT id FROM learning_material_history)"),
    ),
];

/// Whether the current role has the rights of `t`'s owner: inside the tracking triggers, which
/// run as the owner, it has; the application's role has not.
const TRACKS: &str = "CREATE FUNCTION registry_tracks(t regclass) RETURNS boolean LANGUAGE sql \
     STABLE AS $$ SELECT pg_has_role(current_user, \
     (SELECT relowner FROM pg_class WHERE oid = t), 'USAGE') $$";

fn up(table: &str, read: Option<&str>) -> Vec<String> {
    let tracks = format!("registry_tracks('{table}')");
    let mut statements = vec![
        format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"),
        format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY"),
        format!("CREATE POLICY {table}_track_insert ON {table} FOR INSERT WITH CHECK ({tracks})"),
        format!(
            "CREATE POLICY {table}_track_update ON {table} FOR UPDATE USING ({tracks}) \
             WITH CHECK ({tracks})"
        ),
        format!("CREATE POLICY {table}_track_delete ON {table} FOR DELETE USING ({tracks})"),
    ];
    if let Some(read) = read {
        statements.push(format!(
            "CREATE POLICY {table}_read ON {table} FOR SELECT USING ({read})"
        ));
    }
    statements
}

fn down(table: &str, read: Option<&str>) -> Vec<String> {
    let mut statements: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|op| format!("DROP POLICY IF EXISTS {table}_track_{op} ON {table}"))
        .collect();
    statements.push(format!("ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"));
    if read.is_some() {
        statements.push(format!("DROP POLICY IF EXISTS {table}_read ON {table}"));
        statements.push(format!("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"));
    }
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(TRACKS).await?;
        for (table, read) in HISTORY {
            for statement in up(table, read) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, read) in HISTORY.iter().rev() {
            for statement in down(table, *read) {
                db.execute_unprepared(&statement).await?;
            }
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS registry_tracks(regclass)")
            .await?;
        Ok(())
    }
}
