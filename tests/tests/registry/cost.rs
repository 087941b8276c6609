//! The cost of an operation: estimated before it runs (nested lists multiply, plain lists
//! included), refused over the limit with the cost and the limit in the error, reported after it
//! ran, and charged to the rate limit by what it actually returned.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::limits::Limits;
use common::{TestApp, error_codes, with_limits};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::Duration;

/// Neighbourhood collaborations, their region, its collaborations, …, `levels` deep, from a page
/// of 100 regions: 170 bytes of query that fan out through plain lists.
fn fan_out(levels: usize) -> String {
    let mut inner = "name".to_owned();
    for _ in 0..levels {
        inner = format!("neighbourhoodCollaborations {{ name region {{ code {inner} }} }}");
    }
    format!("{{ regions(first: 100) {{ nodes {{ code {inner} }} }} }}")
}

/// An app as `serve` runs it: with the watcher of the data version (no answers kept, so every
/// request runs), once the version is known.
async fn watched(backend: common::Backend) -> TestApp {
    let app = TestApp::spawn_with(backend, 1, |state| {
        state.with_response_cache(0, None, Duration::from_secs(3600))
    })
    .await;
    let mut versions = app.cache.subscribe();
    tokio::time::timeout(Duration::from_secs(10), versions.wait_for(|v| *v > 0))
        .await
        .expect("the data version is read at start")
        .expect("the watcher runs");
    app
}

/// The cost error of `body`: its code, cost and limit.
fn refusal(body: &Value) -> (Vec<String>, u64, u64) {
    let extensions = &body["errors"][0]["extensions"];
    (
        error_codes(body),
        extensions["cost"].as_u64().unwrap(),
        extensions["limit"].as_u64().unwrap(),
    )
}

async fn fan_out_is_refused_before_it_runs(backend: common::Backend) {
    let app = watched(backend).await;
    let mut costs = Vec::new();
    let aliased = format!(
        "{{ a: {} b: {} }}",
        &fan_out(2)[1..fan_out(2).len() - 1],
        &fan_out(2)[1..fan_out(2).len() - 1]
    );
    for query in [fan_out(3), fan_out(4), aliased] {
        let before = app.statements.get();
        let body = app.gql(&query, json!({})).await;
        let (codes, cost, limit) = refusal(&body);
        assert_eq!(codes, vec!["QUERY_TOO_COSTLY"], "{body}");
        assert_eq!(limit, 50_000);
        assert!(cost > limit, "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
        // Nothing of the operation ran: at most the largest lists were read, once.
        assert!(app.statements.get() - before <= 12, "{query}");
        costs.push(cost);
    }
    // One level deeper multiplies the cost by the largest list of collaborations again.
    assert!(costs[1] > costs[0] * 2, "{costs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_through_plain_lists_is_refused_before_it_runs_sqlite() {
    fan_out_is_refused_before_it_runs(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn fan_out_through_plain_lists_is_refused_before_it_runs_postgres() {
    fan_out_is_refused_before_it_runs(common::Backend::Postgres).await;
}

async fn cost_is_reported(backend: common::Backend) {
    let app = watched(backend).await;
    let body = app.gql(&fan_out(1), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let cost = &body["extensions"]["cost"];
    let (requested, actual) = (
        cost["requested"].as_u64().unwrap(),
        cost["actual"].as_u64().unwrap(),
    );
    assert_eq!(cost["limit"], 50_000);
    // The actual cost is the fields of the answer: every region, collaboration and their fields.
    let regions = body["data"]["regions"]["nodes"].as_array().unwrap();
    let collaborations: u64 = regions
        .iter()
        .map(|r| r["neighbourhoodCollaborations"].as_array().unwrap().len() as u64)
        .sum();
    let expected = 1 + 1 + regions.len() as u64 * 2 + collaborations * (2 + 2);
    assert_eq!(actual, expected, "{cost}");
    // The estimate bounds it: the largest list of collaborations, for each of 100 regions.
    assert!(requested >= actual, "{cost}");
    assert!(requested <= 100 * 2 + 2 + 100 * 3 * 100, "{cost}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_reports_its_requested_and_actual_cost_sqlite() {
    cost_is_reported(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn every_answer_reports_its_requested_and_actual_cost_postgres() {
    cost_is_reported(common::Backend::Postgres).await;
}

on_both_databases!(
    the_rate_limit_charges_what_an_answer_returned,
    configure = with_limits(Limits {
        rate_limits: "anonymous=20".to_owned(),
        ..Limits::default()
    }),
    |app: TestApp| async move {
        // Aliased lookups of every region: one request, but hundreds of fields.
        let lookups: String = (1..=30)
            .map(|i| {
                format!(
                    "r{i}: region(code: \"R{i:02}\") {{ code name populationApprox \
                     preferredInsurer mandateMunicipality confidence notes }} "
                )
            })
            .collect();
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": format!("{{ {lookups} }}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let actual = body["extensions"]["cost"]["actual"].as_u64().unwrap();
        assert_eq!(actual, 30 * 8);
        // 240 fields cost three units of the twenty; the next request sees them gone.
        let next = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ region(code: \"R01\") { code } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(next.headers()["ratelimit-remaining"], "16");
    }
);

on_both_databases!(
    the_reference_tables_stay_within_the_bounds_the_estimate_counts,
    |app: TestApp| async move {
        let count = |table: &'static str| {
            let db = app.db.clone();
            async move {
                let sql = format!("SELECT COUNT(*) AS n FROM {table}");
                let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
                let row = db.query_one(statement).await.unwrap().unwrap();
                usize::try_from(row.try_get::<i64>("", "n").unwrap()).unwrap()
            }
        };
        use api::graphql::cost::{CARE_OFFICE_REGIONS, DISCIPLINES, IZA_REGIONS};
        assert!(count("discipline").await <= DISCIPLINES);
        assert!(count("care_office_region").await <= CARE_OFFICE_REGIONS);
        assert!(count("iza_region").await <= IZA_REGIONS);
    }
);

on_both_databases!(
    an_answer_over_the_response_size_limit_is_refused,
    configure = with_limits(Limits {
        max_response_bytes: 2_000,
        rate_limits: "off".to_owned(),
        ..Limits::default()
    }),
    |app: TestApp| async move {
        let small = app
            .gql("{ region(code: \"R01\") { code } }", json!({}))
            .await;
        assert!(small.get("errors").is_none(), "{small}");
        let body = app
            .gql(
                "{ regions(first: 100) { nodes { code name notes } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["RESPONSE_TOO_LARGE"], "{body}");
        let extensions = &body["errors"][0]["extensions"];
        assert_eq!(extensions["limit"], 2_000);
        assert!(extensions["bytes"].as_u64().unwrap() > 2_000, "{body}");
        assert!(body.get("data").is_none(), "{body}");
    }
);
