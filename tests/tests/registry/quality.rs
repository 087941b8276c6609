//! The data-quality report against a computation over the rows, on a registry with known defects.
#![allow(
    clippy::disallowed_methods,
    reason = "the independent computation reads whole tables, outside any viewer's scope"
)]
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the schema fixes; a missing field fails on its own line"
)]

use crate::common;

use common::TestApp;
use entity::*;
use sea_orm::EntityTrait;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// (region code, issue kind) → count, from the rows.
async fn expected(app: &TestApp) -> BTreeMap<(String, String), i64> {
    let txn =
        api::db::begin_with_claims(&app.db, &api::access::Claims::of(api::access::Role::Admin))
            .await
            .unwrap();
    let regions = region::Entity::find().all(&txn).await.unwrap();
    let resvs = resv::Entity::find().all(&txn).await.unwrap();
    let seats = seat::Entity::find().all(&txn).await.unwrap();
    let subsidies = subsidy::Entity::find().all(&txn).await.unwrap();
    let vouchers = voucher::Entity::find().all(&txn).await.unwrap();
    let collaborations = neighbourhood_collaboration::Entity::find()
        .all(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let code: HashMap<i32, String> = regions.iter().map(|r| (r.id, r.code.clone())).collect();
    let resv_region: HashMap<i32, i32> = resvs.iter().map(|v| (v.id, v.region_id)).collect();
    let with_resv: HashSet<i32> = resvs.iter().map(|v| v.region_id).collect();
    let mut out = BTreeMap::new();
    let mut add = |region: i32, kind: &str, n: i64| {
        *out.entry((code[&region].clone(), kind.to_owned()))
            .or_insert(0) += n;
    };
    let demo = SourceKind::Demonstration;
    for r in &regions {
        if !with_resv.contains(&r.id) {
            add(r.id, "NO_RESV", 1);
        }
        if r.preferred_insurer
            .as_deref()
            .is_none_or(|i| i.trim().is_empty())
        {
            add(r.id, "NO_PREFERRED_INSURER", 1);
        }
        if r.population_approx.is_none_or(|p| p <= 0) {
            add(r.id, "POPULATION_MISSING", 1);
        }
        if r.source == demo {
            add(r.id, "DEMONSTRATION_DATA", 1);
        }
    }
    for v in resvs.iter().filter(|v| v.source == demo) {
        add(v.region_id, "DEMONSTRATION_DATA", 1);
    }
    for s in &seats {
        if s.mandate_status == MandateStatus::None {
            add(resv_region[&s.resv_id], "SEATS_WITHOUT_MANDATE", 1);
        }
        if s.source == demo {
            add(resv_region[&s.resv_id], "DEMONSTRATION_DATA", 1);
        }
    }
    for s in subsidies.iter().filter(|s| s.region_id.is_some()) {
        let region = s.region_id.unwrap();
        if s.status == ApplicationStatus::Granted && !with_resv.contains(&region) {
            add(region, "GRANTED_WITHOUT_RESV", 1);
        }
        if s.source == demo {
            add(region, "DEMONSTRATION_DATA", 1);
        }
    }
    for v in vouchers.iter().filter(|v| v.source == demo) {
        add(v.region_id, "DEMONSTRATION_DATA", 1);
    }
    for c in collaborations.iter().filter(|c| c.source == demo) {
        add(c.region_id, "DEMONSTRATION_DATA", 1);
    }
    out
}

const REPORT: &str = "{ dataQuality { issueCount byKind { kind regions }
    regions { region { code } issues { kind count message } } } }";

fn answered(data: &serde_json::Value) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for r in data["dataQuality"]["regions"].as_array().unwrap() {
        let code = r["region"]["code"].as_str().unwrap().to_owned();
        for issue in r["issues"].as_array().unwrap() {
            assert!(!issue["message"].as_str().unwrap().is_empty());
            out.insert(
                (code.clone(), issue["kind"].as_str().unwrap().to_owned()),
                issue["count"].as_i64().unwrap(),
            );
        }
    }
    out
}

on_both_databases!(
    the_quality_report_lists_known_defects,
    |app: TestApp| async move {
        // Defects: a region without insurer and population.
        let changed = app
            .update_region("R05", "preferredInsurer: null, populationApprox: null")
            .await;
        assert!(changed["preferredInsurer"].is_null(), "{changed}");

        let data = app
            .data_as("national_analyst", &[], REPORT, json!({}))
            .await;
        let report = answered(&data);
        assert_eq!(report, expected(&app).await);
        for kind in ["NO_PREFERRED_INSURER", "POPULATION_MISSING"] {
            assert_eq!(
                report.get(&("R05".to_owned(), kind.to_owned())),
                Some(&1),
                "{kind}"
            );
        }
        // Every kind occurs on the demonstration registry with its defects.
        let kinds: BTreeSet<&str> = report.keys().map(|(_, k)| k.as_str()).collect();
        for kind in [
            "NO_RESV",
            "SEATS_WITHOUT_MANDATE",
            "GRANTED_WITHOUT_RESV",
            "DEMONSTRATION_DATA",
        ] {
            assert!(kinds.contains(kind), "{kind}");
        }
        let total: i64 = data["dataQuality"]["issueCount"].as_i64().unwrap();
        assert_eq!(total as usize, report.len());
        let demo_regions = data["dataQuality"]["byKind"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "DEMONSTRATION_DATA")
            .unwrap()["regions"]
            .clone();
        assert_eq!(demo_regions, 54);
        // For stewards only: its counts include applications that are not public.
        let anonymous = app.gql(REPORT, json!({})).await;
        assert_eq!(common::error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
        let coordinator = app
            .gql_with(
                Some(&common::token("regional_coordinator", &["R05"])),
                REPORT,
                json!({}),
            )
            .await;
        assert_eq!(common::error_codes(&coordinator), vec!["FORBIDDEN"]);
        // One statement (and the claims on PostgreSQL), whatever the registry's size.
        let before = app.statements.get();
        app.data_as("admin", &[], "{ dataQuality { issueCount } }", json!({}))
            .await;
        let statements = app.statements.get() - before;
        assert!(statements <= 2, "{statements} statements");
    }
);

/// The rows of each kind, counted in the database.
async fn counts(app: &TestApp) -> BTreeMap<&'static str, usize> {
    use sea_orm::PaginatorTrait;
    let txn =
        api::db::begin_with_claims(&app.db, &api::access::Claims::of(api::access::Role::Admin))
            .await
            .unwrap();
    let mut out = BTreeMap::new();
    out.insert("regions", region::Entity::find().count(&txn).await.unwrap());
    out.insert("resvs", resv::Entity::find().count(&txn).await.unwrap());
    out.insert("seats", seat::Entity::find().count(&txn).await.unwrap());
    out.insert(
        "agreements",
        agreement::Entity::find().count(&txn).await.unwrap(),
    );
    out.insert(
        "subsidies",
        subsidy::Entity::find().count(&txn).await.unwrap(),
    );
    out.insert(
        "vouchers",
        voucher::Entity::find().count(&txn).await.unwrap(),
    );
    out.insert(
        "neighbourhood-collaborations",
        neighbourhood_collaboration::Entity::find()
            .count(&txn)
            .await
            .unwrap(),
    );
    out.insert(
        "regional-table",
        regional_table_party::Entity::find()
            .count(&txn)
            .await
            .unwrap(),
    );
    out.insert(
        "learning-materials",
        learning_material::Entity::find().count(&txn).await.unwrap(),
    );
    txn.commit().await.unwrap();
    out.into_iter().map(|(k, v)| (k, v as usize)).collect()
}

/// The rows of a reference table.
async fn reference_count<E: sea_orm::EntityTrait>(app: &TestApp) -> usize
where
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    let n = E::find().count(&app.db).await.expect("count");
    usize::try_from(n).expect("a count")
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    (header, reader.records().map(Result::unwrap).collect())
}

on_both_databases!(
    every_kind_of_object_is_exported_with_provenance,
    |app: TestApp| async move {
        let expected = counts(&app).await;
        let get = |name: &'static str, format: &'static str, token: Option<String>| {
            let mut request = app
                .client
                .get(format!("{}/export/{name}.{format}", app.address));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        let analyst = || Some(common::token("national_analyst", &[]));
        for (name, rows) in &expected {
            let text = get(name, "csv", analyst()).await;
            let (header, records) = parse_csv(&text);
            assert_eq!(records.len(), *rows, "{name}");
            assert!(
                header.contains(&"source".to_owned())
                    && header.contains(&"source_reference".to_owned())
            );
            let source = header.iter().position(|h| h == "source").unwrap();
            assert!(
                records.iter().all(|r| !r[source].is_empty()),
                "{name}: provenance on every row"
            );
            let json: Vec<serde_json::Value> =
                serde_json::from_str(&get(name, "json", analyst()).await).unwrap();
            assert_eq!(json.len(), *rows, "{name} as JSON");
        }
        // Anonymous viewers get what they may see: granted subsidies, no delegates' contact data.
        let (header, records) = parse_csv(&get("subsidies", "csv", None).await);
        let status = header.iter().position(|h| h == "status").unwrap();
        assert!(!records.is_empty() && records.iter().all(|r| &r[status] == "GRANTED"));
        let (header, records) = parse_csv(&get("seats", "csv", None).await);
        // Not even as an empty column: an empty cell would clear the value on import.
        assert!(!header.iter().any(|h| h == "delegate_email"));
        assert!(!records.is_empty());

        // `api export`: the steward's full copy, every kind in one file each.
        let dir =
            std::env::temp_dir().join(format!("registry-export-{}", uuid::Uuid::new_v4().simple()));
        let system =
            api::access::Viewer::user("test".to_owned(), api::access::Role::Admin, Vec::new());
        let written = api::export::write_all(&app.app_db, &system, &dir, false)
            .await
            .unwrap();
        // And the reference data `api migrate` brings, so the copy says what it was made against.
        let reference: std::collections::HashMap<&str, usize> = [
            ("disciplines", entity::DisciplineCode::ALL.len()),
            (
                "care-office-regions",
                reference_count::<entity::care_office_region::Entity>(&app).await,
            ),
            (
                "iza-regions",
                reference_count::<entity::iza_region::Entity>(&app).await,
            ),
        ]
        .into();
        assert_eq!(written.len(), expected.len() + reference.len());
        for (path, rows) in &written {
            let name = path.file_stem().unwrap().to_str().unwrap();
            let want = expected.get(name).or(reference.get(name));
            assert_eq!(Some(rows), want, "{name}");
            let (_, records) = parse_csv(&std::fs::read_to_string(path).unwrap());
            assert_eq!(records.len(), *rows, "{name} on disk");
        }
        let (header, records) = parse_csv(&std::fs::read_to_string(dir.join("seats.csv")).unwrap());
        let email = header.iter().position(|h| h == "delegate_email").unwrap();
        assert!(
            records.iter().any(|r| r[email].contains('@')),
            "the full copy has contact data"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
);

fn import_report(report: &api::service::import::Report) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

async fn subsidy_count(app: &TestApp) -> usize {
    counts(app).await["subsidies"]
}

on_both_databases!(
    subsidy_decisions_import_all_or_nothing,
    |app: TestApp| async move {
        use api::service::import;
        let admin =
            api::access::Viewer::user("steward".to_owned(), api::access::Role::Admin, Vec::new());
        let db = &app.app_db;
        // Re-importing the registry's own export changes nothing.
        let export = app
            .client
            .get(format!("{}/export/subsidies.csv", app.address))
            .bearer_auth(common::token("admin", &[]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let again = import::subsidies(db, &admin, export.as_bytes(), "subsidies.csv", false)
            .await
            .unwrap();
        assert!(again.problems.is_empty(), "{:?}", import_report(&again));
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, again.rows)
        );
        assert_eq!(again.rows, subsidy_count(&app).await);

        // A Dutch spreadsheet: semicolons, a byte-order mark, decimal commas, DD-MM-YYYY dates.
        let before = subsidy_count(&app).await;
        let dutch = "\u{feff}region_code;kind;status;applicant;amount_requested;amount_granted;applied_on;decided_on;zonmw_reference\n\
                 R02;IMPLEMENTATION;GRANTED;Huisartsen Amstelland;1.250.000,00;1.100.000,00;01-02-2026;15-04-2026;ZONMW-2026-001\n";
        let dry = import::subsidies(db, &admin, dutch.as_bytes(), "besluiten.csv", true)
            .await
            .unwrap();
        assert_eq!((dry.created, dry.applied), (1, false));
        assert_eq!(
            subsidy_count(&app).await,
            before,
            "a dry run writes nothing"
        );
        let done = import::subsidies(db, &admin, dutch.as_bytes(), "besluiten.csv", false)
            .await
            .unwrap();
        assert_eq!(
            (done.created, done.applied),
            (1, true),
            "{:?}",
            import_report(&done)
        );
        assert_eq!(subsidy_count(&app).await, before + 1);
        let stored = app
        .data_as(
            "national_analyst",
            &[],
            "{ subsidies(first: 1, filter: { regionCodes: [\"R02\"], kinds: [IMPLEMENTATION], appliedFrom: \"2026-01-01\" }) {
                nodes { amountGranted decidedOn provenance { source reference } history { action } } } }",
            json!({}),
        )
        .await;
        let node = &stored["subsidies"]["nodes"][0];
        assert_eq!(node["amountGranted"], "1100000.00");
        assert_eq!(node["decidedOn"], "2026-04-15");
        assert_eq!(node["provenance"]["source"], "ZONMW_DECISION");
        assert_eq!(node["provenance"]["reference"], "besluiten.csv");
        assert_eq!(node["history"][0]["action"], "CREATE");
        let twice = import::subsidies(db, &admin, dutch.as_bytes(), "besluiten.csv", false)
            .await
            .unwrap();
        assert_eq!((twice.created, twice.unchanged), (0, 1), "idempotent");

        // Every problem is reported with its row and column, and nothing is written.
        let before = subsidy_count(&app).await;
        let faulty = "region_code,kind,status,amount_requested,amount_granted,applied_on,zonmw_reference\n\
                  R99,IMPLEMENTATION,APPLIED,,,2026-01-01,X-1\n\
                  R03,IMPLEMENTATION,APPLIED,,,2026-13-01,X-2\n\
                  R03,IMPLEMENTATION,GRANTED,2500000,2500000,2026-01-01,X-3\n\
                  R04,PREPARATION,APPLIED,,,2026-01-01,X-4\n\
                  R05,PREPARATION,APPLIED,,,2026-01-01,X-4\n\
                  R06,GRANT,APPLIED,,,2026-01-01,X-6\n";
        let report = import::subsidies(db, &admin, faulty.as_bytes(), "faulty.csv", false)
            .await
            .unwrap();
        let problems = import_report(&report);
        assert!(!report.applied);
        for expected in [
            "row 1, column region_code: no region with code `R99`",
            "row 2, column applied_on: `2026-13-01` is not a date",
            "row 3, column amount_requested: must be between EUR 1 and EUR 2000000",
            "row 5, column zonmw_reference: `X-4` occurs twice",
            "row 6, column kind: `GRANT` is not one of",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{expected}: {problems:?}"
            );
        }
        assert_eq!(subsidy_count(&app).await, before, "nothing written");
        for (file, expected) in [
            (
                "kind,status,applied_on,zonmw_reference\nRESEARCH,APPLIED,2026-01-01,Y\n",
                "column region_code: the column is missing",
            ),
            (
                "region_code,kind,status,applied_on,zonmw_reference,colour\n,RESEARCH,APPLIED,2026-01-01,Y,red\n",
                "column colour: unknown column",
            ),
        ] {
            let report = import::subsidies(db, &admin, file.as_bytes(), "f.csv", false)
                .await
                .unwrap();
            assert!(
                import_report(&report)
                    .iter()
                    .any(|p| p.starts_with(expected)),
                "{:?}",
                import_report(&report)
            );
        }
        let latin1 = b"region_code,kind,status,applied_on,zonmw_reference\nR01,PREPARATION,APPLIED,2026-01-01,Caf\xe9\n";
        let report = import::subsidies(db, &admin, latin1, "f.csv", false)
            .await
            .unwrap();
        assert!(
            import_report(&report)[0].contains("not UTF-8"),
            "{:?}",
            import_report(&report)
        );
        assert_eq!(subsidy_count(&app).await, before, "nothing written");

        // Only ZonMw staff and admins import decisions.
        let coordinator = api::access::Viewer::user(
            "c".to_owned(),
            api::access::Role::RegionalCoordinator,
            vec!["R02".to_owned()],
        );
        let refused = import::subsidies(db, &coordinator, dutch.as_bytes(), "b.csv", false).await;
        assert!(matches!(refused, Err(api::error::ApiError::Forbidden)));
    }
);

/// Posts `file` to `importSubsidies` as a GraphQL multipart request.
async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    file: &str,
    dry_run: bool,
) -> serde_json::Value {
    app.upload(
        token,
        "mutation($file: Upload!, $dryRun: Boolean) { importSubsidies(file: $file, dryRun: $dryRun) {
           rows created updated unchanged applied problems { row column message } } }",
        json!({ "file": null, "dryRun": dry_run }),
        name,
        file,
    )
    .await
}

on_both_databases!(
    decisions_are_uploaded_through_graphql,
    |app: TestApp| async move {
        let file = "region_code,kind,status,amount_requested,amount_granted,applied_on,decided_on,zonmw_reference\n\
                R07,IMPLEMENTATION,GRANTED,900000,800000,2026-02-01,2026-05-01,ZONMW-2026-007\n";
        let staff = common::token("zonmw_staff", &[]);
        let dry = upload(&app, &staff, "decisions.csv", file, true).await;
        assert_eq!(dry["data"]["importSubsidies"]["created"], 1, "{dry}");
        assert_eq!(dry["data"]["importSubsidies"]["applied"], false);
        let done = upload(&app, &staff, "decisions.csv", file, false).await;
        assert_eq!(done["data"]["importSubsidies"]["applied"], true, "{done}");
        let again = upload(&app, &staff, "decisions.csv", file, false).await;
        assert_eq!(again["data"]["importSubsidies"]["unchanged"], 1);
        let faulty = upload(&app, &staff, "bad.csv", &file.replace("R07", "R99"), false).await;
        let problem = &faulty["data"]["importSubsidies"]["problems"][0];
        assert_eq!(
            (problem["row"].as_i64(), problem["column"].as_str()),
            (Some(1), Some("region_code"))
        );
        let coordinator = common::token("regional_coordinator", &["R07"]);
        let refused = upload(&app, &coordinator, "decisions.csv", file, false).await;
        assert_eq!(common::error_codes(&refused), vec!["FORBIDDEN"]);
    }
);
