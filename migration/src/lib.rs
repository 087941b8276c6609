//! Migrations of the RESV registry: the only source of the database schema, on SQLite and
//! PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_registry;
mod m20261123_000002_access_audit;
mod m20261123_000003_row_security;
mod m20261123_000004_history;
mod m20261201_000005_region_lineage;
mod m20261201_000006_import_provenance;
mod m20261201_000007_data_version;
mod m20261202_000008_natural_keys;
mod m20261203_000009_history_security;

/// Runs the registry's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_registry::Migration),
            Box::new(m20261123_000002_access_audit::Migration),
            Box::new(m20261123_000003_row_security::Migration),
            Box::new(m20261123_000004_history::Migration),
            Box::new(m20261201_000005_region_lineage::Migration),
            Box::new(m20261201_000006_import_provenance::Migration),
            Box::new(m20261201_000007_data_version::Migration),
            Box::new(m20261202_000008_natural_keys::Migration),
            Box::new(m20261203_000009_history_security::Migration),
        ]
    }
}
