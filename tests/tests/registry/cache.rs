//! The response cache: identical anonymous queries on unchanged data are answered from memory,
//! every committed change (through the API or behind its back) is seen, and signed-in viewers
//! are never served from it.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the schema fixes; a missing field fails on its own line"
)]

use crate::common;

use common::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::Duration;

const QUERY: &str = r#"query($code: String!) { region(code: $code) { code name resv { name } } }"#;

async fn spawn(backend: common::Backend) -> TestApp {
    TestApp::spawn_with(backend, 1, |state| {
        state.with_response_cache(100, None, Duration::from_millis(50))
    })
    .await
}

/// Whether `variables` are answered from the cache (the hit counter moves). Statement counts
/// cannot tell: the watcher's polls run on the same pool at any moment.
async fn from_cache(app: &TestApp, variables: Value) -> (Value, bool) {
    let before = app.cache_hits().await;
    let data = app.data(QUERY, variables).await;
    (data, app.cache_hits().await > before)
}

/// Waits until the watcher has read the data version (the cache is inert before).
async fn warmed(app: &TestApp) {
    for _ in 0..100 {
        app.data(QUERY, json!({ "code": "R01" })).await;
        if from_cache(app, json!({ "code": "R01" })).await.1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the cache never answered");
}

/// The data version in the database.
async fn stored_version(app: &TestApp) -> i64 {
    let statement = sea_orm::Statement::from_string(
        app.db.get_database_backend(),
        "SELECT version FROM data_version WHERE id = 1",
    );
    let row = app.db.query_one(statement).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Waits until `cache` knows data version `version`, on its signal (at most ten seconds, so a
/// watcher that never reads it fails the test rather than hanging it).
async fn seen(cache: &api::cache::ResponseCache, version: i64) {
    let mut versions = cache.subscribe();
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        versions.wait_for(|v| *v >= version),
    );
    assert!(
        matches!(waited.await, Ok(Ok(_))),
        "the watcher never read version {version} (it knows {})",
        cache.version()
    );
}

/// Waits until the app's watcher knows data version `version`.
async fn known_version(app: &TestApp, version: i64) {
    seen(&app.cache, version).await;
}

/// Waits until `cache`'s watcher listens for the data-version notifications, on its signal.
async fn listening(cache: &api::cache::ResponseCache) {
    let mut listening = cache.listening();
    let waited = tokio::time::timeout(Duration::from_secs(10), listening.wait_for(|l| *l));
    assert!(
        matches!(waited.await, Ok(Ok(_))),
        "no session listens for the data-version notifications"
    );
}

async fn name_of(app: &TestApp, code: &str) -> Value {
    app.data(QUERY, json!({ "code": code })).await["region"]["name"].clone()
}

async fn test(backend: common::Backend) {
    let app = spawn(backend).await;
    warmed(&app).await;

    // Identical anonymous queries: from memory; other variables are other answers.
    let (first, hit) = from_cache(&app, json!({ "code": "R01" })).await;
    assert!(hit);
    let (other, hit) = from_cache(&app, json!({ "code": "R02" })).await;
    assert!(!hit, "a new question is computed");
    assert_ne!(first, other);
    let (again, hit) = from_cache(&app, json!({ "code": "R02" })).await;
    assert_eq!((again, hit), (other, true));

    // Signed-in viewers are never answered from the cache.
    for _ in 0..2 {
        let before = app.statements.get();
        app.data_as("national_analyst", &[], QUERY, json!({ "code": "R01" }))
            .await;
        assert!(
            app.statements.get() > before,
            "computed for a signed-in viewer"
        );
    }

    // A mutation through this replica shows at once.
    app.update_region("R01", r#"name: "Achterhoek (renamed)""#)
        .await;
    assert_eq!(name_of(&app, "R01").await, "Achterhoek (renamed)");

    // A change behind the API's back shows once the version is read again.
    let txn =
        api::db::begin_with_claims(&app.db, &api::access::Claims::of(api::access::Role::Admin))
            .await
            .unwrap();
    txn.execute_unprepared("UPDATE region SET name = 'Changed in SQL' WHERE code = 'R02'")
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let changed = stored_version(&app).await;
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = name_of(&app, "R02").await;
        if seen == "Changed in SQL" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, "Changed in SQL");
    // An error is not kept: the same bad query fails again with its error.
    let bad = app.gql("{ region(code: 1) { code } }", json!({})).await;
    assert!(bad.get("errors").is_some());
    // The change may be seen (read from the database) before the watcher has read the new
    // version; once it has, the new answer is cached in turn.
    known_version(&app, changed).await;
    assert_eq!(name_of(&app, "R02").await, "Changed in SQL");
    assert!(
        from_cache(&app, json!({ "code": "R02" })).await.1,
        "the new answer is cached in turn"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_answers_are_cached_until_the_data_change_sqlite() {
    test(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn anonymous_answers_are_cached_until_the_data_change_postgres() {
    test(common::Backend::Postgres).await;
}

/// On PostgreSQL every replica hears of a commit through `NOTIFY`, without waiting for a poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn commits_are_notified_to_every_replica() {
    let app = TestApp::spawn(common::Backend::Postgres, 1).await;
    let cache = std::sync::Arc::new(api::cache::ResponseCache::new(10));
    // A poll of an hour: only a notification can make the watcher read the version again.
    cache.watch(
        app.db.clone(),
        Some(app.database_url.clone()),
        Duration::from_secs(3600),
    );
    seen(&cache, 1).await;
    // The listener needs a moment to subscribe; until then a change may precede it.
    listening(&cache).await;
    let known = cache.version();
    assert!(known > 0);
    app.update_region("R03", r#"notes: "notified""#).await;
    // Only a notification can wake the watcher within the hour: seeing the next version is it.
    seen(&cache, known + 1).await;
    assert!(cache.version() > known, "the commit was notified");
}

const DISCIPLINES: &str = "{ disciplines { code nameNl } }";

/// The Dutch name of discipline `code` in `data` of [`DISCIPLINES`].
fn dutch_name(data: &Value, code: &str) -> Value {
    data["disciplines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .map(|d| d["nameNl"].clone())
        .unwrap_or(Value::Null)
}

/// Runs [`DISCIPLINES`] until it runs no SQL (the table is kept in memory), at most 100 times.
async fn until_kept(app: &TestApp) -> Value {
    for _ in 0..100 {
        let (data, statements) = app.counted(DISCIPLINES, json!({})).await;
        if statements == 0 {
            return data;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the discipline table was never kept");
}

/// The reference tables (disciplines, care-office and IZA regions) are read once per data
/// version, whoever asks, with the response cache off; a change of the data (even one behind
/// the API's back) makes them read again.
async fn reference_tables(backend: common::Backend) {
    // No answers kept, and a poll of an hour: only this replica's mutations move the version,
    // so every statement counted is the test's own.
    let app = TestApp::spawn_with(backend, 1, |state| {
        state.with_response_cache(0, None, Duration::from_secs(3600))
    })
    .await;
    let kept = until_kept(&app).await;
    assert_eq!(dutch_name(&kept, "GENERAL_PRACTICE"), "Huisartsen");
    // Signed-in viewers and other fields use the same tables: once they are kept, a region's
    // care-office and IZA regions and its seats' disciplines cost no SQL.
    let seats = "{ region(code: \"R01\") {
        careOfficeRegion { code izaRegions { code } } izaRegion { code careOfficeRegion { code } }
        resv { seats { disciplines { code } } } } }";
    app.data(seats, json!({})).await;
    let before = app.statements.get();
    let anonymous = app.data(seats, json!({})).await;
    let anonymous_statements = app.statements.get() - before;
    let before = app.statements.get();
    let signed_in = app.data_as("national_analyst", &[], seats, json!({})).await;
    let signed_in_statements = app.statements.get() - before;
    assert_eq!(signed_in, anonymous);
    // Region, RESV, seats, seat disciplines; no reference table (claims aside on PostgreSQL).
    assert_eq!(anonymous_statements, 4);
    let claims = u64::from(backend == common::Backend::Postgres);
    assert_eq!(signed_in_statements, 4 + claims);

    // What the kept tables answered is what the database says.
    let region = &anonymous["region"];
    assert!(
        region["resv"]["seats"][0]["disciplines"][0]["code"].is_string(),
        "{anonymous}"
    );
    let codes = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
            let rows = db.query_all(statement).await.unwrap();
            let codes: Vec<String> = rows
                .iter()
                .map(|row| row.try_get_by_index::<String>(0).unwrap())
                .collect();
            json!(codes)
        }
    };
    assert_eq!(
        json!([region["careOfficeRegion"]["code"]]),
        codes(
            "SELECT c.code FROM region r JOIN care_office_region c \
             ON c.id = r.care_office_region_id WHERE r.code = 'R01'"
        )
        .await
    );
    assert_eq!(
        json!([region["izaRegion"]["careOfficeRegion"]["code"]]),
        codes(
            "SELECT c.code FROM region r JOIN iza_region i ON i.id = r.iza_region_id \
             JOIN care_office_region c ON c.id = i.care_office_region_id WHERE r.code = 'R01'"
        )
        .await
    );
    let iza_codes: Vec<Value> = region["careOfficeRegion"]["izaRegions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].clone())
        .collect();
    assert!(!iza_codes.is_empty(), "{anonymous}");
    assert_eq!(
        json!(iza_codes),
        codes(
            "SELECT code FROM iza_region WHERE care_office_region_id = \
             (SELECT care_office_region_id FROM region WHERE code = 'R01') ORDER BY code"
        )
        .await
    );

    // A change behind the API's back, then a mutation through this replica, which reads the
    // new version: the table is read again, once, and shows the change.
    let txn =
        api::db::begin_with_claims(&app.db, &api::access::Claims::of(api::access::Role::Admin))
            .await
            .unwrap();
    txn.execute_unprepared(
        "UPDATE discipline SET name_nl = 'Huisartsenzorg' WHERE code = 'GENERAL_PRACTICE'",
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    app.update_region("R02", r#"notes: "a new version""#).await;
    let (data, statements) = app.counted(DISCIPLINES, json!({})).await;
    assert_eq!(dutch_name(&data, "GENERAL_PRACTICE"), "Huisartsenzorg");
    assert_eq!(statements, 1, "read again at the new version");
    assert_eq!(until_kept(&app).await, data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_tables_are_read_once_per_data_version_sqlite() {
    reference_tables(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn reference_tables_are_read_once_per_data_version_postgres() {
    reference_tables(common::Backend::Postgres).await;
}
