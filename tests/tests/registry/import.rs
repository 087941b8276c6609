//! Importing every kind of registry object: the round trip through an empty registry, idempotent
//! re-imports, and validation reports that leave the database as it was.
#![allow(
    clippy::disallowed_methods,
    reason = "the checks empty and count whole tables, outside any viewer's scope"
)]
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the schema fixes; a missing field fails on its own line"
)]

use crate::common;

use api::access::{Role, Viewer};
use api::service::import::{self, Kind, Report};
use common::TestApp;
use entity::*;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;
use std::path::Path;

fn admin() -> Viewer {
    Viewer::user("steward".to_owned(), Role::Admin, Vec::new())
}

fn problems(report: &Report) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

/// The export files of `db` in `dir` (CSV, or JSON).
async fn export(db: &DatabaseConnection, dir: &Path, json: bool) {
    api::export::write_all(db, &admin(), dir, json)
        .await
        .unwrap();
}

/// A file of an export as sorted lines without the columns an import sets itself: `version` (a
/// concurrency token) and when and by whom the row was imported.
fn content(dir: &Path, kind: Kind) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("{}.csv", kind.name()))).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let own = ["version", "imported_at", "imported_by"];
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !own.contains(&header[i].as_str()))
        .collect();
    let mut lines: Vec<String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            keep.iter()
                .map(|&i| r[i].to_owned())
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect();
    lines.sort();
    lines
}

/// Every row of the registry's own tables gone; reference data stays.
async fn empty(db: &DatabaseConnection) {
    let txn = api::db::begin_with_claims(db, &api::access::Claims::of(api::access::Role::Admin))
        .await
        .unwrap();
    material_theme::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    material_region::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    learning_material::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    agreement_discipline::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    agreement::Entity::delete_many().exec(&txn).await.unwrap();
    seat_discipline::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    seat::Entity::delete_many().exec(&txn).await.unwrap();
    regional_table_party::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    nc_discipline::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    neighbourhood_collaboration::Entity::delete_many()
        .exec(&txn)
        .await
        .unwrap();
    voucher::Entity::delete_many().exec(&txn).await.unwrap();
    subsidy::Entity::delete_many().exec(&txn).await.unwrap();
    resv::Entity::delete_many().exec(&txn).await.unwrap();
    region::Entity::delete_many().exec(&txn).await.unwrap();
    txn.commit().await.unwrap();
}

async fn audit_entries(db: &DatabaseConnection) -> u64 {
    let txn = api::db::begin_with_claims(db, &api::access::Claims::of(api::access::Role::Admin))
        .await
        .unwrap();
    let n = audit_log::Entity::find().count(&txn).await.unwrap();
    txn.commit().await.unwrap();
    n
}

on_both_databases!(
    every_kind_round_trips_through_an_empty_registry,
    |app: TestApp| async move {
        use migration::{Migrator, MigratorTrait};
        let dir =
            std::env::temp_dir().join(format!("registry-all-{}", uuid::Uuid::new_v4().simple()));
        export(&app.app_db, &dir.join("from"), false).await;

        // Re-importing the registry's own export changes nothing.
        for kind in Kind::ALL {
            let path = dir.join("from").join(format!("{}.csv", kind.name()));
            let bytes = std::fs::read(&path).unwrap();
            let report = import::file(&app.app_db, &admin(), kind, &bytes, "x.csv", false)
                .await
                .unwrap();
            assert!(
                report.problems.is_empty(),
                "{}: {:?}",
                kind.name(),
                problems(&report)
            );
            assert!(
                report.rows > 0,
                "{}: the seed has rows of every kind",
                kind.name()
            );
            assert_eq!(
                (report.created, report.updated, report.unchanged),
                (0, 0, report.rows),
                "{}",
                kind.name()
            );
        }

        // An empty registry (reference data only) imports the export, kind by kind.
        let other = common::TestDatabase::create(app.backend).await;
        let (db, _) = api::db::connect(&other.url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        api::seed::run(&db, 1).await.unwrap();
        empty(&db).await;
        for kind in Kind::ALL {
            let file = format!("{}.csv", kind.name());
            let bytes = std::fs::read(dir.join("from").join(&file)).unwrap();
            let report = import::file(&db, &admin(), kind, &bytes, &file, false)
                .await
                .unwrap();
            assert!(
                report.problems.is_empty(),
                "{file}: {:?}",
                problems(&report)
            );
            assert_eq!(
                (report.created, report.applied),
                (report.rows, true),
                "{file}"
            );
        }
        export(&db, &dir.join("to"), false).await;
        for kind in Kind::ALL {
            assert_eq!(
                content(&dir.join("from"), kind),
                content(&dir.join("to"), kind),
                "{}: the same rows, field for field",
                kind.name()
            );
        }

        // The JSON export imports as well (into the copy, where it changes nothing).
        export(&db, &dir.join("json"), true).await;
        for kind in Kind::ALL {
            let bytes =
                std::fs::read(dir.join("json").join(format!("{}.json", kind.name()))).unwrap();
            let report = import::file(&db, &admin(), kind, &bytes, "x.json", false)
                .await
                .unwrap();
            assert!(
                report.problems.is_empty(),
                "{} as JSON: {:?}",
                kind.name(),
                problems(&report)
            );
            assert_eq!(report.unchanged, report.rows, "{} as JSON", kind.name());
        }
        db.close().await.ok();
        std::fs::remove_dir_all(&dir).unwrap();
    }
);

/// Imports `text` as `kind`, expects exactly the problems `(row, column)` and nothing written.
async fn refused(app: &TestApp, kind: Kind, text: &[u8], expected: &[(usize, Option<&str>)]) {
    let before = audit_entries(&app.db).await;
    let report = import::file(&app.app_db, &admin(), kind, text, "bad.csv", false)
        .await
        .unwrap();
    // Each (row, column) once: one cell may break more than one rule.
    let mut found: Vec<(usize, Option<&str>)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref()))
        .collect();
    found.dedup();
    assert_eq!(found, expected, "{}: {:?}", kind.name(), problems(&report));
    assert!(!report.applied);
    assert!(report.problems.iter().all(|p| !p.message.is_empty()));
    assert_eq!(
        audit_entries(&app.db).await,
        before,
        "{}: nothing written",
        kind.name()
    );
}

on_both_databases!(
    every_kind_reports_bad_rows_and_writes_nothing,
    |app: TestApp| async move {
        use Kind::*;
        // The file itself: encoding, ragged rows, columns.
        refused(
            &app,
            Region,
            b"code,name,care_office_region_code\nR60,Caf\xe9,ZK01\n",
            &[(0, None)],
        )
        .await;
        refused(
            &app,
            Region,
            b"code,name,care_office_region_code\nR60,North\n",
            &[(1, None)],
        )
        .await;
        refused(
            &app,
            Region,
            b"code,name\nR60,North\n",
            &[(0, Some("care_office_region_code"))],
        )
        .await;
        refused(
            &app,
            Resv,
            b"region_code,name,colour\nR01,X,red\n",
            &[(0, Some("colour"))],
        )
        .await;
        // Types, references and keys, each named by row and column; a good row beside them
        // is not written either.
        refused(
            &app,
            Region,
            b"code,name,care_office_region_code,population_approx,retired_on\n\
              R60,North,ZK01,many,\n\
              R61,South,ZK99,1000,\n\
              R62,East,ZK01,1000,31-31-2025\n\
              R63,West,ZK01,1000,\n\
              R63,West again,ZK01,1000,\n\
              R64,Fine,ZK01,1000,\n",
            &[
                (1, Some("population_approx")),
                (2, Some("care_office_region_code")),
                (3, Some("retired_on")),
                (5, Some("code")),
            ],
        )
        .await;
        refused(
            &app,
            Resv,
            b"region_code,name,phase,contact_email,website\n\
              R99,Nowhere,NETWORK,,\n\
              R01,Here,DREAMING,,\n\
              R02,There,NETWORK,not-an-address,\n\
              R03,Site,NETWORK,,ftp://example.org\n",
            &[
                (1, Some("region_code")),
                (2, Some("phase")),
                (3, Some("contact_email")),
                (4, Some("website")),
            ],
        )
        .await;
        refused(
            &app,
            Seat,
            b"region_code,organisation,disciplines\n\
              R01,Network,PHYSIOTHERAPY;GENERAL_PRACTICE\n\
              R01,Somebody,ASTROLOGY\n",
            &[(1, Some("disciplines")), (2, Some("disciplines"))],
        )
        .await;
        refused(
            &app,
            Voucher,
            b"region_code;discipline;status;applied_on;decided_on;amount\n\
              R01;OPTOMETRY;GRANTED;2025-01-01;;500000\n\
              R01;OPTOMETRY;APPLIED;2025-13-01;;\n",
            &[(1, Some("amount")), (2, Some("applied_on"))],
        )
        .await;
        refused(
            &app,
            NeighbourhoodCollaboration,
            b"region_code,name,area,population,disciplines\n\
              R01,Wijk,Centrum,-5,\n\
              R01,Wijk 2,,10,GENERAL_PRACTICE\n",
            &[(1, Some("population")), (2, Some("area"))],
        )
        .await;
        refused(
            &app,
            LearningMaterial,
            b"kind,title,summary,published_on,themes,region_codes\n\
              GUIDE,A guide,About it,2025-01-01,NOT_A_THEME,\n\
              EVENT,A meeting,Come,2025-01-01,,R01\n\
              GUIDE,Elsewhere,Here,2025-01-01,,R99\n",
            &[
                (1, Some("themes")),
                (2, Some("event_starts_at")),
                (3, Some("region_codes")),
            ],
        )
        .await;
        refused(
            &app,
            RegionalTableParty,
            b"region_code,kind,organisation\nR01,CASINO,Holland Casino\n",
            &[(1, Some("kind"))],
        )
        .await;
        refused(
            &app,
            Agreement,
            b"region_code,topic,agreed_on\nR01,Fall prevention,yesterday\n",
            &[(1, Some("agreed_on"))],
        )
        .await;
    }
);

on_both_databases!(dutch_spreadsheets_import_once, |app: TestApp| async move {
    // Semicolons, a byte-order mark, DD-MM-YYYY dates, as Dutch spreadsheets save them.
    let file = "\u{feff}region_code;name;area;population;status;established_on;disciplines\n\
                    R01;Wijkverband Noord;Noord;12.000;ACTIVE;01-03-2025;GENERAL_PRACTICE;DISTRICT_NURSING\n";
    let dry = import::file(
        &app.app_db,
        &admin(),
        Kind::NeighbourhoodCollaboration,
        file.as_bytes(),
        "wijken.csv",
        true,
    )
    .await
    .unwrap();
    // The disciplines' `;` is the delimiter here: quote the cell in such files.
    assert_eq!(dry.problems.len(), 1, "{:?}", problems(&dry));
    let file = "\u{feff}region_code;name;area;population;status;established_on;disciplines\n\
                    R01;Wijkverband Noord;Noord;12.000;ACTIVE;01-03-2025;\"GENERAL_PRACTICE;DISTRICT_NURSING\"\n";
    let before = audit_entries(&app.db).await;
    let dry = import::file(
        &app.app_db,
        &admin(),
        Kind::NeighbourhoodCollaboration,
        file.as_bytes(),
        "wijken.csv",
        true,
    )
    .await
    .unwrap();
    assert!(dry.problems.is_empty(), "{:?}", problems(&dry));
    assert_eq!((dry.created, dry.applied), (1, false));
    assert_eq!(
        audit_entries(&app.db).await,
        before,
        "a dry run writes nothing"
    );
    let done = import::file(
        &app.app_db,
        &admin(),
        Kind::NeighbourhoodCollaboration,
        file.as_bytes(),
        "wijken.csv",
        false,
    )
    .await
    .unwrap();
    assert_eq!((done.created, done.applied), (1, true));
    let again = import::file(
        &app.app_db,
        &admin(),
        Kind::NeighbourhoodCollaboration,
        file.as_bytes(),
        "wijken.csv",
        false,
    )
    .await
    .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1));
    let query = r#"{ region(code: "R01") { neighbourhoodCollaborations { name population status
                 establishedOn disciplines { code }
                 provenance { source reference importedAt importedBy } } } }"#;
    let region = app.data_as("admin", &[], query, json!({})).await;
    let imported = region["region"]["neighbourhoodCollaborations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Wijkverband Noord")
        .cloned()
        .unwrap();
    assert_eq!(imported["population"], 12000);
    assert_eq!(imported["establishedOn"], "2025-03-01");
    let provenance = &imported["provenance"];
    assert_eq!(
        (
            &provenance["source"],
            &provenance["reference"],
            &provenance["importedBy"]
        ),
        (
            &json!("REGIONAL_REPORT"),
            &json!("wijken.csv"),
            &json!("steward")
        )
    );
    assert!(provenance["importedAt"].is_string(), "{provenance}");
    // Who imported is for readers of the audit trail.
    let public = app.data(query, json!({})).await;
    let seen = public["region"]["neighbourhoodCollaborations"].to_string();
    assert!(
        !seen.contains("steward") && seen.contains("importedAt"),
        "{seen}"
    );
    assert_eq!(
        imported["disciplines"],
        json!([{ "code": "GENERAL_PRACTICE" }, { "code": "DISTRICT_NURSING" }])
    );
});

on_both_databases!(
    files_are_uploaded_through_graphql_by_their_editors,
    |app: TestApp| async move {
        const IMPORT: &str = "mutation($kind: ImportKind!, $file: Upload!, $dryRun: Boolean) {
        importRecords(kind: $kind, file: $file, dryRun: $dryRun) {
          rows created updated unchanged applied problems { row column message } } }";
        let upload =
            |role: &'static str, kind: &'static str, dry_run: bool, content: &'static str| {
                let app = &app;
                async move {
                    let token = common::token(role, &["R01"]);
                    let vars = json!({ "kind": kind, "file": null, "dryRun": dry_run });
                    app.upload(&token, IMPORT, vars, "upload.csv", content)
                        .await
                }
            };
        let table = "region_code,kind,organisation\nR01,HOSPITAL,Ziekenhuis Noord\n";
        let dry = upload("admin", "REGIONAL_TABLE", true, table).await;
        assert_eq!(dry["data"]["importRecords"]["created"], 1, "{dry}");
        assert_eq!(dry["data"]["importRecords"]["applied"], false);
        let done = upload("admin", "REGIONAL_TABLE", false, table).await;
        assert_eq!(done["data"]["importRecords"]["applied"], true, "{done}");
        let again = upload("admin", "REGIONAL_TABLE", false, table).await;
        assert_eq!(again["data"]["importRecords"]["unchanged"], 1, "{again}");

        let vouchers = "region_code,discipline,status,applied_on,amount,decided_on\nR01,OPTOMETRY,APPLIED,2026-01-05,,\n";
        let staff = upload("zonmw_staff", "VOUCHERS", true, vouchers).await;
        assert_eq!(
            staff["data"]["importRecords"]["problems"],
            json!([]),
            "{staff}"
        );
        let material =
            "kind,title,summary,published_on\nGUIDE,Een gids,Over wijkverbanden,2026-01-05\n";
        let editor = upload("level_editor", "LEARNING_MATERIALS", true, material).await;
        assert_eq!(editor["data"]["importRecords"]["created"], 1, "{editor}");
        let faulty = upload(
            "admin",
            "REGIONAL_TABLE",
            false,
            "region_code,kind,organisation\nR99,HOSPITAL,X\n",
        )
        .await;
        let problem = &faulty["data"]["importRecords"]["problems"][0];
        assert_eq!(
            (problem["row"].as_i64(), problem["column"].as_str()),
            (Some(1), Some("region_code"))
        );

        // Each kind for its own editors: a coordinator imports no regional table, ZonMw staff no
        // materials, a LeVEL editor no vouchers.
        for (role, kind, content) in [
            ("regional_coordinator", "REGIONAL_TABLE", table),
            ("zonmw_staff", "LEARNING_MATERIALS", material),
            ("level_editor", "VOUCHERS", vouchers),
            ("national_analyst", "REGIONS", table),
        ] {
            let refused = upload(role, kind, false, content).await;
            assert_eq!(
                common::error_codes(&refused),
                vec!["FORBIDDEN"],
                "{role} {kind}: {refused}"
            );
        }
    }
);
