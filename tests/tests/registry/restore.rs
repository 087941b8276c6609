//! Restore: an export, imported whole into a registry that `api migrate` left holding only the
//! reference data, is exported again byte for byte, on SQLite, on PostgreSQL, and across.
#![allow(
    clippy::disallowed_methods,
    reason = "the checks count whole tables of a registry no viewer has opened yet"
)]

use crate::common::{Backend, TestApp, database::TestDatabase};
use api::access::{Role, Viewer};
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn steward() -> Viewer {
    Viewer::user("steward".to_owned(), Role::Admin, Vec::new())
}

/// A directory of its own under the system's temporary directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("resv-restore-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `api export` of `db` into a new directory.
pub async fn exported(db: &DatabaseConnection) -> Scratch {
    let dir = Scratch::new();
    api::export::write_all(db, &steward(), &dir.0, false)
        .await
        .expect("export");
    dir
}

/// The files of `dir` by name.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| {
            let path = e.expect("an entry").path();
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read a file"))
        })
        .collect()
}

/// A new database as `api migrate` leaves it: the schema and the reference data.
async fn migrated(backend: Backend) -> (TestDatabase, DatabaseConnection) {
    let database = TestDatabase::create(backend).await;
    let (db, _) = api::db::connect(&database.url).await.expect("connect");
    Migrator::up(&db, None).await.expect("migrate");
    api::seed::reference_data(&db)
        .await
        .expect("the reference data");
    (database, db)
}

/// The first line where two files differ, for a readable failure.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("line {}:\n  {x}\n  {y}", i + 1))
        .unwrap_or_else(|| {
            format!(
                "{} lines and {} lines",
                a.lines().count(),
                b.lines().count()
            )
        })
}

/// Restores the export `dir` into a new registry on `backend` and exports that: byte-identical.
/// Returns the new registry, for a further trip.
pub async fn restored(dir: &Path, backend: Backend) -> (TestDatabase, DatabaseConnection) {
    let (database, db) = migrated(backend).await;
    assert_eq!(
        entity::region::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        0
    );
    let restore = api::restore::directory(&db, &steward(), dir, false)
        .await
        .expect("restore");
    let problems: Vec<String> = restore
        .report
        .problems()
        .map(|(file, p)| format!("{file}: {p}"))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(restore.report.applied);
    assert_eq!(restore.ignored, Vec::<String>::new());
    let again = exported(&db).await;
    let (before, after) = (files(dir), files(&again.0));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(
            *bytes == after[name],
            "{name} differs after a restore into {backend:?}: {}",
            first_difference(bytes, &after[name])
        );
    }
    (database, db)
}

on_both_databases!(
    an_export_restores_byte_for_byte,
    |app: TestApp| async move {
        // Rows that have lived: a region changed twice, regional-table parties imported (with who
        // imported them, and when) and one of them changed again.
        app.update_region("R01", "notes: \"eerste\"").await;
        let region = app.update_region("R01", "notes: \"tweede\"").await;
        assert_eq!(region["version"], 3);
        let file =
            "region_code,kind,organisation\nR02,HOSPITAL,Ziekenhuis Noord\nR02,GGZ,GGZ Noord\n";
        let report = api::service::import::file(
            &app.db,
            &steward(),
            api::service::import::Kind::RegionalTableParty,
            file.as_bytes(),
            "tafel.csv",
            false,
        )
        .await
        .expect("import");
        assert!(report.applied, "{:?}", report.problems);
        let again = file
            .replace("organisation\n", "organisation,source_reference\n")
            .replace("Noord\n", "Noord,tweede levering\n");
        let report = api::service::import::file(
            &app.db,
            &steward(),
            api::service::import::Kind::RegionalTableParty,
            again.as_bytes(),
            "tafel-2.csv",
            false,
        )
        .await
        .expect("import");
        assert_eq!(report.updated, 2, "{:?}", report.problems);
        let export = exported(&app.db).await;
        let table =
            String::from_utf8(files(&export.0)["regional-table.csv"].clone()).expect("UTF-8");
        let imported = table
            .lines()
            .find(|l| l.contains("Ziekenhuis Noord"))
            .expect("the imported party");
        assert!(
            imported.contains("tweede levering") && imported.contains(",steward,2"),
            "{imported}"
        );
        // Every kind is there, the reference data too, and the seeded registry has rows of each.
        let names = files(&export.0);
        for kind in api::service::import::Kind::ALL {
            let name = format!("{}.csv", kind.name());
            let lines = String::from_utf8_lossy(&names[&name]).lines().count();
            assert!(lines > 1, "{name} has no rows");
        }
        for reference in api::export::REFERENCE {
            assert!(
                names.contains_key(&format!("{reference}.csv")),
                "{reference}"
            );
        }
        restored(&export.0, app.backend).await;
        // From PostgreSQL into SQLite and back.
        if app.backend == Backend::Postgres {
            let (_sqlite, sqlite) = restored(&export.0, Backend::Sqlite).await;
            let from_sqlite = exported(&sqlite).await;
            restored(&from_sqlite.0, Backend::Postgres).await;
        }
    }
);

on_both_databases!(
    a_restore_dry_run_writes_nothing,
    |app: TestApp| async move {
        let export = exported(&app.db).await;
        let (_database, db) = migrated(app.backend).await;
        let restore = api::restore::directory(&db, &steward(), &export.0, true)
            .await
            .expect("restore");
        assert!(!restore.report.applied);
        assert_eq!(restore.report.problems().count(), 0);
        let regions = &restore.report.files[0];
        assert_eq!(regions.0, "regions.csv");
        assert!(regions.1.created > 0, "a dry run reports what it would do");
        assert_eq!(
            entity::region::Entity::find()
                .count(&db)
                .await
                .expect("count"),
            0
        );
        // Reference data that are not the registry's own refuse the whole restore.
        let path = export.0.join("disciplines.csv");
        let changed = std::fs::read_to_string(&path)
            .expect("read")
            .replace("GENERAL_PRACTICE,", "GENERAL_PRACTICE,X");
        std::fs::write(&path, changed).expect("write");
        let refused = api::restore::directory(&db, &steward(), &export.0, false)
            .await
            .expect("restore");
        assert!(!refused.report.applied);
        assert_eq!(refused.report.files[0].0, "disciplines.csv");
        assert_eq!(
            entity::region::Entity::find()
                .count(&db)
                .await
                .expect("count"),
            0
        );
    }
);
