//! CSV exports safe to open in a spreadsheet: a text cell a spreadsheet would run as a formula is
//! written with an apostrophe before it, an import of the file gives back the exact value, and
//! the JSON export is unchanged.
#![allow(
    clippy::disallowed_methods,
    reason = "the checks read regions behind the API's back, outside any viewer's scope"
)]

use crate::common::TestApp;
use crate::restore::{exported, files, restored, steward};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

/// Notes a spreadsheet would run, by the region that keeps them.
const HOSTILE: [(&str, &str); 4] = [
    ("R01", "=HYPERLINK(\"http://x\",\"y\")"),
    ("R02", "+31 20 123 4567"),
    ("R03", "-1+cmd|' /C calc'!A0"),
    ("R04", "@SUM(1+1)*cmd|' /C calc'!A0"),
];

/// The stored row of region `code` in `db`.
async fn region(db: &sea_orm::DatabaseConnection, code: &str) -> entity::region::Model {
    entity::region::Entity::find()
        .filter(entity::region::Column::Code.eq(code))
        .one(db)
        .await
        .expect("read")
        .expect("the region")
}

/// Sets the notes of region `code` through the API.
async fn set_notes(app: &TestApp, code: &str, notes: &str) {
    let literal = serde_json::to_string(notes).expect("a string literal");
    app.update_region(code, &format!("notes: {literal}")).await;
}

/// The cell of `column` in the row of region `code` of the CSV file `bytes`.
fn cell(bytes: &[u8], code: &str, column: &str) -> String {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect("a header").clone();
    let at = |name: &str| header.iter().position(|h| h == name).expect("a column");
    let (code_at, column_at) = (at("code"), at(column));
    reader
        .records()
        .map(|r| r.expect("a record"))
        .find(|r| &r[code_at] == code)
        .map(|r| r[column_at].to_owned())
        .expect("the region's row")
}

on_both_databases!(
    formula_cells_are_neutralised_in_csv_and_restored_by_an_import,
    |app: TestApp| async move {
        for (code, value) in HOSTILE {
            set_notes(&app, code, value).await;
        }
        let export = exported(&app.db).await;
        let regions = files(&export.0)["regions.csv"].clone();
        for (code, value) in HOSTILE {
            assert_eq!(cell(&regions, code, "notes"), format!("'{value}"), "{code}");
        }
        // Cells nothing could run are as they were: a region's name, its population.
        let stored = region(&app.db, "R01").await;
        assert_eq!(cell(&regions, "R01", "name"), stored.name);

        // The notes change; an import of the export gives back the exact values.
        for (code, _) in HOSTILE {
            set_notes(&app, code, "changed").await;
        }
        let report = api::service::import::file(
            &app.db,
            &steward(),
            api::service::import::Kind::Region,
            &regions,
            "regions.csv",
            false,
        )
        .await
        .expect("import");
        assert!(report.applied, "{:?}", report.problems);
        for (code, value) in HOSTILE {
            assert_eq!(
                region(&app.db, code).await.notes.as_deref(),
                Some(value),
                "{code}"
            );
        }
    }
);

on_both_databases!(
    json_exports_keep_formula_cells_as_they_are,
    |app: TestApp| async move {
        for (code, value) in HOSTILE {
            set_notes(&app, code, value).await;
        }
        let dir = crate::restore::Scratch::new();
        api::export::write_all(&app.db, &steward(), &dir.0, true)
            .await
            .expect("export");
        let regions: Vec<Value> =
            serde_json::from_slice(&files(&dir.0)["regions.json"]).expect("a JSON array");
        for (code, value) in HOSTILE {
            let row = regions
                .iter()
                .find(|r| r["code"] == code)
                .expect("the region");
            assert_eq!(row["notes"], value, "{code}");
        }
    }
);

on_both_databases!(
    an_export_with_formula_cells_restores_byte_for_byte,
    |app: TestApp| async move {
        for (code, value) in HOSTILE {
            set_notes(&app, code, value).await;
        }
        let export = exported(&app.db).await;
        let (_database, db) = restored(&export.0, app.backend).await;
        for (code, value) in HOSTILE {
            let stored = region(&db, code).await;
            assert_eq!(stored.notes.as_deref(), Some(value), "{code}");
        }
    }
);
