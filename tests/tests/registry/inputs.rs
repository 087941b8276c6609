//! Inputs bounded and normalised, the same on SQLite and PostgreSQL: whatever a client sends, it
//! gets a clear `BAD_USER_INPUT` (never `INTERNAL`), and nothing is lost; searches take their
//! text literally; a read-only database refuses writes with 503 and keeps answering reads.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::AppState;
use common::{APP_ROLE, Backend, TestApp, error_codes, token};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const REGIONS_NAMED: &str =
    "query($n: String) { regions(first: 5, filter: { nameContains: $n }) { totalCount } }";

/// Posts `body` as it is, asking for the specification's media type; status and body.
async fn post_raw(app: &TestApp, body: String) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", GRAPHQL_RESPONSE)
        .header("content-type", "application/json")
        .bearer_auth(token("admin", &[]))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Asserts that `body` is refused before execution as the client's input, saying `why`.
async fn refused_before_execution(app: &TestApp, what: &str, body: String, why: &str) {
    let (status, answer) = post_raw(app, body).await;
    assert_eq!(status, 400, "{what}: {answer}");
    assert_eq!(
        error_codes(&answer),
        vec!["BAD_USER_INPUT"],
        "{what}: {answer}"
    );
    assert!(answer.get("data").is_none(), "{what}: {answer}");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(why), "{what}: {message}");
}

fn request(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

on_both_databases!(
    malformed_inputs_are_refused_before_execution,
    |app: TestApp| async move {
        let codes: Vec<String> = (0..70_000).map(|i| format!("R{i}")).collect();
        let cases = [
            (
                "a NUL in a variable",
                request(REGIONS_NAMED, json!({ "n": "Noord\u{0}" })),
                "NUL",
            ),
            (
                "a NUL in the document",
                request(
                    "{ regions(first: 5, filter: { nameContains: \"a\\u0000\" }) { totalCount } }",
                    json!({}),
                ),
                "NUL",
            ),
            (
                "a string past the default maximum",
                request(REGIONS_NAMED, json!({ "n": "x".repeat(10_001) })),
                "at most 10000",
            ),
            (
                "a list of 70,000 codes",
                request(
                    "query($c: [String!]) { regions(first: 5, filter: { codes: $c }) { totalCount } }",
                    json!({ "c": codes }),
                ),
                "at most 1000",
            ),
            (
                "an input object naming a field twice",
                request(
                    "{ regions(first: 5, filter: { nameContains: \"a\", nameContains: \"b\" }) { totalCount } }",
                    json!({}),
                ),
                "`nameContains` twice",
            ),
            (
                "a surrogate escape in the document",
                request(
                    "{ regions(first: 5, filter: { nameContains: \"\\uD800\" }) { totalCount } }",
                    json!({}),
                ),
                "surrogate",
            ),
            (
                "a lone surrogate in the JSON variables",
                format!(
                    "{{\"query\": {}, \"variables\": {{\"n\": \"a\\ud800b\"}}}}",
                    json!(REGIONS_NAMED)
                ),
                "surrogate",
            ),
        ];
        for (what, body, why) in cases {
            refused_before_execution(&app, what, body, why).await;
        }
    }
);

on_both_databases!(
    a_date_outside_1900_to_2100_is_refused,
    |app: TestApp| async move {
        for date in ["1850-01-01", "2101-01-01", "9999-12-31"] {
            // Scalars are read as the field runs: a field error, as for any malformed date.
            let body = app
                .gql(
                    "query($d: Date) { coverage(asOf: $d) { national { regions } } }",
                    json!({ "d": date }),
                )
                .await;
            assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{date}: {body}");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("from 1900-01-01 to 2100-12-31"),
                "{date}: {message}"
            );
        }
        let fine = app
            .data(
                "{ coverage(asOf: \"2025-07-01\") { national { regions } } }",
                json!({}),
            )
            .await;
        assert_eq!(fine["coverage"]["national"]["regions"], 54);
    }
);

on_both_databases!(
    a_refused_mutation_input_changes_nothing,
    |app: TestApp| async move {
        let before = app
            .data("{ region(code: \"R01\") { id version notes } }", json!({}))
            .await;
        let region = &before["region"];
        let mutation = "mutation($id: ID!, $version: Int!, $notes: String) {
            updateRegion(input: { id: $id, version: $version, notes: $notes }) { region { notes } } }";
        let body = request(
            mutation,
            json!({ "id": region["id"], "version": region["version"], "notes": "a\u{0}b" }),
        );
        refused_before_execution(&app, "a NUL in a mutation", body, "NUL").await;
        let after = app
            .data("{ region(code: \"R01\") { id version notes } }", json!({}))
            .await;
        assert_eq!(after, before);
    }
);

on_both_databases!(search_text_is_bounded, |app: TestApp| async move {
    let body = app
        .gql(REGIONS_NAMED, json!({ "n": "x".repeat(201) }))
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("filter.nameContains") && message.contains("at most 200"),
        "{message}"
    );
    let fine = app
        .data(REGIONS_NAMED, json!({ "n": "x".repeat(200) }))
        .await;
    assert_eq!(fine["regions"]["totalCount"], 0);
});

/// Creates a neighbourhood collaboration named `name` in R01 as an admin.
async fn collaboration(app: &TestApp, name: &str) {
    let data = app
        .data_as(
            "admin",
            &[],
            "mutation($name: String!) { createNeighbourhoodCollaboration(input: {
                regionCode: \"R01\", name: $name, area: \"Centrum\" }) {
                neighbourhoodCollaboration { name } userErrors { message } } }",
            json!({ "name": name }),
        )
        .await;
    let created = &data["createNeighbourhoodCollaboration"]["neighbourhoodCollaboration"];
    assert_eq!(created["name"], name, "{data}");
}

/// The names of the collaborations whose name contains `text`.
async fn named(app: &TestApp, text: &str) -> Vec<String> {
    let data = app
        .data(
            "query($t: String) { neighbourhoodCollaborations(first: 100, filter: { nameContains: $t }) {
                nodes { name } } }",
            json!({ "t": text }),
        )
        .await;
    let mut names: Vec<String> = data["neighbourhoodCollaborations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

on_both_databases!(
    a_search_takes_wildcards_literally,
    |app: TestApp| async move {
        for name in [
            "Wijk 50% Noord",
            "Wijk 500 Zuid",
            "Team a_b",
            "Team axb",
            "Pad c\\d",
            "Pad cd",
        ] {
            collaboration(&app, name).await;
        }
        assert_eq!(named(&app, "50%").await, vec!["Wijk 50% Noord"]);
        assert_eq!(named(&app, "a_b").await, vec!["Team a_b"]);
        assert_eq!(named(&app, "c\\d").await, vec!["Pad c\\d"]);
    }
);

/// The URL the app would connect to, opened read-only: SQLite's `mode=ro`; on PostgreSQL the
/// app's role with every transaction read-only, as on a hot standby.
fn read_only_url(app: &TestApp) -> String {
    match app.backend {
        Backend::Sqlite => app.database_url.replace("mode=rwc", "mode=ro"),
        Backend::Postgres => format!(
            "{}?options=-c%20default_transaction_read_only%3Don",
            common::database::with_user(&app.database_url, APP_ROLE)
        ),
    }
}

on_both_databases!(
    a_read_only_database_answers_reads_and_refuses_writes_with_503,
    |app: TestApp| async move {
        let (db, statements) = api::db::connect(&read_only_url(&app)).await.unwrap();
        let limits = api::limits::Limits {
            rate_limits: "off".to_owned(),
            ..api::limits::Limits::default()
        };
        let state = AppState::new(db, statements, common::test_verifier())
            .configured(limits, api::graphql::SchemaSettings::default(), true)
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(api::http::serve(listener, state, std::future::pending()));
        let post = |query: &'static str| {
            app.client
                .post(format!("{address}/graphql"))
                .bearer_auth(token("admin", &[]))
                .json(&json!({ "query": query }))
                .send()
        };

        let read = post("{ region(code: \"R01\") { code notes } }")
            .await
            .unwrap();
        assert_eq!(read.status(), 200);
        let read: Value = read.json().await.unwrap();
        assert_eq!(read["data"]["region"]["code"], "R01", "{read}");

        let write = post(
            "mutation { createNeighbourhoodCollaboration(input: {
                regionCode: \"R01\", name: \"Alleen lezen\", area: \"Centrum\" }) {
                neighbourhoodCollaboration { name } } }",
        )
        .await
        .unwrap();
        assert_eq!(write.status(), 503);
        assert!(write.headers().get("retry-after").is_some());
        let write: Value = write.json().await.unwrap();
        assert_eq!(error_codes(&write), vec!["SERVICE_UNAVAILABLE"], "{write}");
        assert!(
            named(&app, "Alleen lezen").await.is_empty(),
            "nothing written"
        );
    }
);
