//! The HTTP layer of a public API: GraphQL over HTTP, every query and transport limit with its
//! status code and headers, rate limiting, health, metrics, and faults of the database.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::AppState;
use api::limits::Limits;
use common::{Backend, TestApp, error_codes, with_limits};
use serde_json::{Value, json};
use std::sync::Arc;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post_raw(
    app: &TestApp,
    accept: Option<&str>,
    content_type: &str,
    body: String,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", content_type)
        .body(body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.expect("send")
}

async fn body(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

on_both_databases!(
    graphql_over_http_negotiates_media_types,
    |app: TestApp| async move {
        let query = json!({ "query": "{ region(code: \"R01\") { code } }" }).to_string();
        // The specification's media type when accepted, application/json otherwise or by default.
        let response = post_raw(
            &app,
            Some(GRAPHQL_RESPONSE),
            "application/json",
            query.clone(),
        )
        .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], GRAPHQL_RESPONSE);
        assert_eq!(body(response).await["data"]["region"]["code"], "R01");
        let response = post_raw(&app, None, "application/json", query.clone()).await;
        assert_eq!(response.headers()["content-type"], "application/json");
        let response = post_raw(&app, Some("text/html"), "application/json", query.clone()).await;
        assert_eq!(response.status(), 406);
        let response = post_raw(&app, None, "text/plain", query.clone()).await;
        assert_eq!(response.status(), 415);
        let response = post_raw(&app, None, "application/json", "{not json".to_owned()).await;
        assert_eq!(response.status(), 400);
        let response = post_raw(
            &app,
            None,
            "application/json",
            "{\"variables\": {}}".to_owned(),
        )
        .await;
        assert_eq!(response.status(), 400);

        // A request error: 400 with the new media type, 200 with application/json.
        let broken = json!({ "query": "{ region(code: \"R01\") { nosuchfield } }" }).to_string();
        let response = post_raw(
            &app,
            Some(GRAPHQL_RESPONSE),
            "application/json",
            broken.clone(),
        )
        .await;
        assert_eq!(response.status(), 400);
        let response = post_raw(&app, Some("application/json"), "application/json", broken).await;
        assert_eq!(response.status(), 200);
        let unparsable = json!({ "query": "{ region(" }).to_string();
        let response = post_raw(&app, Some(GRAPHQL_RESPONSE), "application/json", unparsable).await;
        assert_eq!(response.status(), 400);
        // A field error is not a request error: 200, with data.
        let missing = json!({ "query": "{ node(id: \"bm90LWFuLWlk\") { id } }" }).to_string();
        let response = post_raw(&app, Some(GRAPHQL_RESPONSE), "application/json", missing).await;
        assert_eq!(response.status(), 200);

        // GET: queries in the URL; a mutation is 405.
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[
                (
                    "query",
                    "query One($c: String!) { region(code: $c) { code } }",
                ),
                ("variables", "{\"c\": \"R02\"}"),
                ("operationName", "One"),
            ])
            .header("accept", GRAPHQL_RESPONSE)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        assert_eq!(body(response).await["data"]["region"]["code"], "R02");
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[
                ("query", "{ region(code: \"R01\") { code } }"),
                ("variables", "[1]"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 400);

        // Every answer names its request.
        let response = post_raw(&app, None, "application/json", query).await;
        assert!(!response.headers()["x-request-id"].is_empty());
    }
);

on_both_databases!(batches_are_capped, |app: TestApp| async move {
    let one = json!({ "query": "{ region(code: \"R01\") { code } }" });
    let response = post_raw(
        &app,
        None,
        "application/json",
        json!([one, one]).to_string(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answers = body(response).await;
    assert_eq!(answers.as_array().unwrap().len(), 2);
    assert_eq!(answers[1]["data"]["region"]["code"], "R01");
    let many: Vec<Value> = (0..11).map(|_| one.clone()).collect();
    let response = post_raw(&app, None, "application/json", json!(many).to_string()).await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_codes(&body(response).await), vec!["BATCH_TOO_LARGE"]);
    let response = post_raw(&app, None, "application/json", "[]".to_owned()).await;
    assert_eq!(response.status(), 400);
});

on_both_databases!(
    each_query_limit_refuses_before_any_sql,
    |app: TestApp| async move {
        let refused = |query: String, code: &'static str| {
            let app = &app;
            async move {
                let before = app.statements.get();
                let response = post_raw(
                    app,
                    Some(GRAPHQL_RESPONSE),
                    "application/json",
                    json!({ "query": query }).to_string(),
                )
                .await;
                assert_eq!(response.status(), 400, "{code}");
                let answer = body(response).await;
                assert_eq!(error_codes(&answer), vec![code], "{answer}");
                assert_eq!(app.statements.get(), before, "{code}: no SQL ran");
            }
        };
        let aliases: String = (0..31)
            .map(|i| format!("a{i}: region(code: \"R01\") {{ code }} "))
            .collect();
        refused(format!("{{ {aliases} }}"), "TOO_MANY_ALIASES").await;
        refused(
            format!(
                "{{ region(code: \"R01\") {{ code }} }} #{}",
                "x".repeat(40_000)
            ),
            "DOCUMENT_TOO_LARGE",
        )
        .await;
        refused(format!("{{ {} }}", "a ".repeat(5_001)), "TOO_MANY_TOKENS").await;
        // 30 pages of 100 regions with 22 fields each.
        let pages: String = (0..30)
        .map(|i| {
            format!(
                "p{i}: regions(first: 100) {{ nodes {{ code name populationApprox preferredInsurer \
                 mandateMunicipality confidence notes version createdAt updatedAt \
                 id provenance {{ source reference importedAt }} \
                 careOfficeRegion {{ code name insurer }} izaRegion {{ code name }} }} }} "
            )
        })
        .collect();
        refused(format!("{{ {pages} }}"), "QUERY_TOO_COSTLY").await;
        refused(
            format!(
                "{{ region(code: \"R01\") {{ code {} }} }}",
                "@include(if: true) ".repeat(6)
            ),
            "TOO_MANY_DIRECTIVES",
        )
        .await;
        // Each refusal is counted under its limit.
        let metrics = app.metrics().await;
        for limit in ["aliases", "document_bytes", "tokens", "cost", "directives"] {
            assert!(
                metrics.contains(&format!("registry_refusals_total{{limit=\"{limit}\"}} 1")),
                "{limit}: {metrics}"
            );
        }
        // Within the limits, the same shapes run.
        let fine = app
            .data(
                "{ regions(first: 20) { nodes { code resv { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(fine["regions"]["nodes"].as_array().unwrap().len(), 20);
    }
);

on_both_databases!(
    rate_limits_answer_429_with_retry_after,
    configure = with_limits(Limits {
        rate_limits: "anonymous=3,admin=5".to_owned(),
        ..Limits::default()
    }),
    |app: TestApp| async move {
        let query = "{ region(code: \"R01\") { code } }";
        for left in [2, 1, 0] {
            let response = app.post(None, query, json!({})).await;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["ratelimit-limit"], "3");
            assert_eq!(
                response.headers()["ratelimit-remaining"],
                left.to_string().as_str()
            );
        }
        let before = app.statements.get();
        let response = app.post(None, query, json!({})).await;
        assert_eq!(response.status(), 429);
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(response.headers()["ratelimit-remaining"], "0");
        assert_eq!(error_codes(&body(response).await), vec!["RATE_LIMITED"]);
        assert_eq!(app.statements.get(), before, "no SQL ran");
        // A signed-in viewer has a quota of its own, by role.
        let token = common::token("admin", &[]);
        let response = app.post(Some(&token), query, json!({})).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["ratelimit-limit"], "5");
        // Refusals are counted.
        let metrics = app.metrics().await;
        assert!(
            metrics.contains("registry_refusals_total{limit=\"rate\"} 1"),
            "{metrics}"
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn a_request_past_its_deadline_gets_503() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let limits = Limits {
        request_timeout_ms: 300,
        rate_limits: "off".to_owned(),
        ..Limits::default()
    };
    // A request that waits on the database for as long as a lock is held: it must be cut off at
    // its deadline, whatever the machine's speed. (PostgreSQL, where a reader waits for a lock.)
    let app = TestApp::spawn_with(Backend::Postgres, 1, with_limits(limits)).await;
    let lock = app.db.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE region IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let response = app
        .post(None, "{ region(code: \"R01\") { code } }", json!({}))
        .await;
    let waited = started.elapsed();
    lock.rollback().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(error_codes(&body(response).await), vec!["TIMEOUT"]);
    assert!(
        waited < std::time::Duration::from_secs(5),
        "cut off at the deadline: {waited:?}"
    );
    // Once the lock is gone, requests are answered again.
    let after = app
        .data("{ region(code: \"R01\") { code } }", json!({}))
        .await;
    assert_eq!(after["region"]["code"], "R01");
}

/// The state of a production deployment: no introspection, suggestions or GraphiQL, and CORS for
/// one origin.
fn production(state: AppState) -> AppState {
    let settings = api::graphql::SchemaSettings {
        introspection: false,
        suggestions: false,
        ..api::graphql::SchemaSettings::default()
    };
    let limits = Limits {
        rate_limits: "off".to_owned(),
        ..Limits::default()
    };
    state
        .configured(limits, settings, false)
        .expect("valid")
        .with_cors(vec!["https://dashboard.example".to_owned()])
}

on_both_databases!(
    production_hides_the_schema_and_graphiql,
    configure = production,
    |app: TestApp| async move {
        let introspection = app.gql("{ __schema { types { name } } }", json!({})).await;
        assert!(
            introspection["data"]["__schema"].is_null(),
            "{introspection}"
        );
        let typo = app
            .gql("{ regoins(first: 1) { totalCount } }", json!({}))
            .await;
        let message = typo["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains("Did you mean"), "{message}");
        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_ne!(page.headers()["content-type"], "text/html; charset=utf-8");
        // CORS for the configured origin only.
        let preflight = |origin: &'static str| {
            app.client
                .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "content-type, authorization",
                )
                .send()
        };
        let allowed = preflight("https://dashboard.example").await.unwrap();
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://dashboard.example"
        );
        let other = preflight("https://elsewhere.example").await.unwrap();
        assert!(other.headers().get("access-control-allow-origin").is_none());
    }
);

on_both_databases!(health_readiness_and_metrics, |app: TestApp| async move {
    let get = |path: &'static str| app.client.get(format!("{}{path}", app.address)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(body(ready).await["status"], "ready");
    app.data(
        "query Dashboard { regions(first: 1) { totalCount } }",
        json!({}),
    )
    .await;
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics
            .contains("registry_graphql_requests_total{operation=\"Dashboard\",outcome=\"ok\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("registry_graphql_request_duration_seconds_bucket"));
    assert!(metrics.contains("registry_db_pool_connections{state=\"open\"}"));
});

/// The database of a PostgreSQL test app, by name (from the owner connection's URL).
async fn database_name(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT current_database() AS name",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "name").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn the_service_answers_503_while_the_database_is_away_and_recovers() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn(Backend::Postgres, 1).await;
    let name = database_name(&app).await;
    let admin_url = std::env::var(common::PG_ENV).unwrap();
    let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
    let query = "{ region(code: \"R01\") { code resv { name } } }";
    assert_eq!(app.post(None, query, json!({})).await.status(), 200);
    let region = app
        .data("{ region(code: \"R01\") { id version } }", json!({}))
        .await;
    // A mutation acknowledged before the outage.
    let token = common::token("admin", &[]);
    let update_notes = "mutation($id: ID!, $version: Int!, $notes: String) {
        updateRegion(input: { id: $id, version: $version, notes: $notes }) {
          region { version notes } } }";
    let before = app
        .data_as(
            "admin",
            &[],
            update_notes,
            json!({ "id": region["region"]["id"], "version": region["region"]["version"],
                    "notes": "before the outage" }),
        )
        .await;
    assert_eq!(
        before["updateRegion"]["region"]["notes"],
        "before the outage"
    );
    let id = region["region"]["id"].clone();

    // Connections cut while idle in the pool: the mutation and the reads that find them closed
    // are run again on fresh connections rather than failing. Several requests at once first,
    // so that the pool holds several connections to cut.
    let terminate_connections = || async {
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            .await
            .unwrap();
    };
    let cut_pooled_connections = || async {
        let warm: Vec<_> = (0..8).map(|_| app.post(None, query, json!({}))).collect();
        for response in futures::future::join_all(warm).await {
            assert_eq!(response.status(), 200);
        }
        terminate_connections().await;
    };
    cut_pooled_connections().await;
    let after_cut = app
        .data_as(
            "admin",
            &[],
            update_notes,
            json!({ "id": id, "version": before["updateRegion"]["region"]["version"],
                    "notes": "before the outage" }),
        )
        .await;
    let region = json!({ "region": {
        "id": id,
        "version": after_cut["updateRegion"]["region"]["version"],
    } });
    cut_pooled_connections().await;
    let mut after_cut = Vec::new();
    for _ in 0..5 {
        after_cut.push(app.post(None, query, json!({})).await.status().as_u16());
    }
    assert!(after_cut.iter().all(|s| *s == 200), "{after_cut:?}");

    // Load throughout: four clients querying until told to stop; every answer is 200 or 503.
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let statuses = Arc::new(std::sync::Mutex::new(Vec::<u16>::new()));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (client, url) = (app.client.clone(), format!("{}/graphql", app.address));
            let (running, statuses) = (running.clone(), statuses.clone());
            tokio::spawn(async move {
                while running.load(std::sync::atomic::Ordering::Relaxed) {
                    let status = client
                        .post(&url)
                        .json(&json!({ "query": "{ regions(first: 5) { nodes { code resv { name } } } }" }))
                        .send()
                        .await
                        .map_or(0, |r| r.status().as_u16());
                    statuses.lock().unwrap().push(status);
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            })
        })
        .collect();

    // The database refuses connections: 503 with Retry-After and no database text.
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    terminate_connections().await;
    let response = app.post(None, query, json!({})).await;
    let status = response.status();
    let answer = body(response).await;
    assert_eq!(status, 503, "{answer}");

    assert!(
        error_codes(&answer).contains(&"SERVICE_UNAVAILABLE".to_owned()),
        "{answer}"
    );
    assert!(
        !answer.to_string().contains(&name),
        "no database details: {answer}"
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    // A mutation in that time is refused, not half-done.
    let refused = app
        .post(
            Some(&token),
            update_notes,
            json!({ "id": region["region"]["id"], "version": region["region"]["version"],
                    "notes": "during outage" }),
        )
        .await;
    let status = refused.status();
    assert_eq!(status, 503, "{}", body(refused).await);

    // The database is back: the service recovers without a restart.
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let mut recovered = false;
    for _ in 0..50 {
        if app.post(None, query, json!({})).await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "requests succeed again");
    let notes = app
        .data("{ region(code: \"R01\") { notes } }", json!({}))
        .await;
    assert_eq!(
        notes["region"]["notes"], "before the outage",
        "the acknowledged mutation is kept, the refused one left nothing"
    );
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    for client in load {
        client.await.unwrap();
    }
    let statuses = statuses.lock().unwrap().clone();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "only answers and 503s under load: {statuses:?}"
    );
    assert!(statuses.contains(&503), "the outage showed under load");
    assert_eq!(statuses.last(), Some(&200), "and the load recovered");
    admin.close().await.ok();
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

on_both_databases!(
    automatic_persisted_queries_and_cacheable_gets,
    |app: TestApp| async move {
        let query = "{ region(code: \"R03\") { code name } }";
        let hash = api::persisted::hash(query);
        let send = |body: Value| post_raw(&app, None, "application/json", body.to_string());
        // Unknown hash: the client is asked for the document, then the hash alone works.
        let first = body(send(json!({ "extensions": persisted(&hash) })).await).await;
        assert_eq!(error_codes(&first), vec!["PERSISTED_QUERY_NOT_FOUND"]);
        let full =
            body(send(json!({ "query": query, "extensions": persisted(&hash) })).await).await;
        assert_eq!(full["data"]["region"]["code"], "R03");
        let short = body(send(json!({ "extensions": persisted(&hash) })).await).await;
        assert_eq!(short["data"], full["data"]);
        let wrong =
            body(send(json!({ "query": "{ __typename }", "extensions": persisted(&hash) })).await)
                .await;
        assert_eq!(error_codes(&wrong), vec!["PERSISTED_QUERY_HASH_MISMATCH"]);

        // GET with the hash alone: cacheable for anonymous viewers, with an ETag and 304.
        let extensions = persisted(&hash).to_string();
        let get = |etag: Option<String>, token: Option<String>| {
            let mut request = app
                .client
                .get(format!("{}/graphql", app.address))
                .query(&[("extensions", extensions.as_str())]);
            if let Some(etag) = etag {
                request = request.header("if-none-match", etag);
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send()
        };
        let response = get(None, None).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(body(response).await["data"]["region"]["code"], "R03");
        let again = get(Some(etag.clone()), None).await.unwrap();
        assert_eq!(again.status(), 304);
        assert!(again.bytes().await.unwrap().is_empty());
        let signed_in = get(None, Some(common::token("national_analyst", &[])))
            .await
            .unwrap();
        assert_eq!(signed_in.headers()["cache-control"], "private, no-cache");
    }
);

/// A hash and its document sent together, and then the hash alone: whether the store kept it.
async fn kept_after_registering(app: &TestApp, query: &str) -> (Value, Vec<String>) {
    let hash = api::persisted::hash(query);
    let send = |body: Value| post_raw(app, None, "application/json", body.to_string());
    let registering =
        body(send(json!({ "query": query, "extensions": persisted(&hash) })).await).await;
    let later = body(send(json!({ "extensions": persisted(&hash) })).await).await;
    (registering, error_codes(&later))
}

on_both_databases!(
    a_persisted_query_that_fails_validation_is_not_kept,
    |app: TestApp| async move {
        let (registering, later) =
            kept_after_registering(&app, "{ region(code: \"R01\") { nosuchfield } }").await;
        assert_eq!(error_codes(&registering), vec!["BAD_USER_INPUT"]);
        assert_eq!(later, vec!["PERSISTED_QUERY_NOT_FOUND"]);
    }
);

on_both_databases!(
    a_persisted_query_that_does_not_parse_is_not_kept,
    |app: TestApp| async move {
        let (registering, later) = kept_after_registering(&app, "{ region(code: ").await;
        assert_eq!(error_codes(&registering), vec!["BAD_USER_INPUT"]);
        assert_eq!(later, vec!["PERSISTED_QUERY_NOT_FOUND"]);
    }
);

on_both_databases!(
    a_persisted_query_past_a_document_limit_is_not_kept,
    |app: TestApp| async move {
        let padded = format!("{{ __typename }} #{}", "x".repeat(40 * 1024));
        let (registering, later) = kept_after_registering(&app, &padded).await;
        assert_eq!(error_codes(&registering), vec!["DOCUMENT_TOO_LARGE"]);
        assert_eq!(later, vec!["PERSISTED_QUERY_NOT_FOUND"]);
    }
);

on_both_databases!(
    a_persisted_query_that_costs_too_much_is_not_kept,
    configure = |state: AppState| {
        let settings = api::graphql::SchemaSettings {
            max_cost: 50,
            ..api::graphql::SchemaSettings::default()
        };
        let limits = Limits {
            rate_limits: "off".to_owned(),
            ..Limits::default()
        };
        state.configured(limits, settings, true).expect("valid")
    },
    |app: TestApp| async move {
        let (registering, later) =
            kept_after_registering(&app, "{ regions(first: 100) { nodes { code name } } }").await;
        assert_eq!(error_codes(&registering), vec!["QUERY_TOO_COSTLY"]);
        assert_eq!(later, vec!["PERSISTED_QUERY_NOT_FOUND"]);
        // One that runs is kept.
        let (fine, later) =
            kept_after_registering(&app, "{ region(code: \"R01\") { code } }").await;
        assert_eq!(fine["data"]["region"]["code"], "R01");
        assert!(later.is_empty(), "{later:?}");
    }
);

const REGISTERED: &str = "query Registered { regions(first: 5) { totalCount } }";

/// The state of a deployment that runs only the operation [`REGISTERED`].
fn allow_list(state: AppState) -> AppState {
    let limits = Limits {
        rate_limits: "off".to_owned(),
        ..Limits::default()
    };
    state
        .configured(limits, api::graphql::SchemaSettings::default(), false)
        .expect("valid")
        .with_persisted_queries(api::persisted::PersistedQueries::allow_list([
            REGISTERED.to_owned()
        ]))
}

on_both_databases!(
    the_allow_list_runs_only_registered_operations,
    configure = allow_list,
    |app: TestApp| async move {
        let data = app.data(REGISTERED, json!({})).await;
        assert_eq!(data["regions"]["totalCount"], 54);
        let by_hash = post_raw(
            &app,
            Some(GRAPHQL_RESPONSE),
            "application/json",
            json!({ "extensions": persisted(&api::persisted::hash(REGISTERED)) }).to_string(),
        )
        .await;
        assert_eq!(body(by_hash).await["data"]["regions"]["totalCount"], 54);
        let before = app.statements.get();
        let other = post_raw(
            &app,
            Some(GRAPHQL_RESPONSE),
            "application/json",
            json!({ "query": "{ regions(first: 6) { totalCount } }" }).to_string(),
        )
        .await;
        assert_eq!(other.status(), 400);
        assert_eq!(
            error_codes(&body(other).await),
            vec!["PERSISTED_QUERY_NOT_ALLOWED"]
        );
        assert_eq!(app.statements.get(), before, "no SQL ran");
    }
);

async fn queries_read_the_replica_and_mutations_the_primary(backend: Backend) {
    use migration::{Migrator, MigratorTrait};
    // A "replica" that does not follow the primary, so it shows where each read went.
    let replica_db = common::TestDatabase::create(backend).await;
    let (replica, _) = api::db::connect(&replica_db.url).await.unwrap();
    Migrator::up(&replica, None).await.unwrap();
    api::seed::run(&replica, 1).await.unwrap();
    let with_replica = {
        let replica = replica.clone();
        move |state: AppState| state.with_read_replica(replica.clone())
    };
    let app = TestApp::spawn_with(backend, 1, with_replica).await;
    let region = app
        .data("{ region(code: \"R01\") { notes } }", json!({}))
        .await;
    let changed = app.update_region("R01", "notes: \"on the primary\"").await;
    // The mutation and what it reads back: the primary.
    assert_eq!(changed["notes"], "on the primary");
    // A query: the replica, which has not seen the change.
    let read = app
        .data("{ region(code: \"R01\") { notes } }", json!({}))
        .await;
    assert_eq!(
        read["region"]["notes"], region["region"]["notes"],
        "{backend:?}"
    );
    drop(app);
    replica.close().await.ok();
    drop(replica_db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_read_the_replica_and_mutations_the_primary_sqlite() {
    queries_read_the_replica_and_mutations_the_primary(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn queries_read_the_replica_and_mutations_the_primary_postgres() {
    queries_read_the_replica_and_mutations_the_primary(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_requests_in_flight() {
    // The server of `api serve`: graceful shutdown with a request still running.
    let database = common::TestDatabase::create(Backend::Sqlite).await;
    let (db, statements) = api::db::connect(&database.url).await.unwrap();
    use migration::{Migrator, MigratorTrait};
    Migrator::up(&db, None).await.unwrap();
    api::seed::run(&db, 1).await.unwrap();
    let counter = statements.clone();
    let state = AppState::new(db, statements, common::test_verifier());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        api::http::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
    });
    let client = reqwest::Client::new();
    // A slow request: the whole dashboard.
    let before = counter.get();
    let slow = tokio::spawn({
        let client = client.clone();
        let address = address.clone();
        async move {
            client
                .post(format!("{address}/graphql"))
                .json(&json!({ "query": "{ coverage { byRegion { figures { vouchers { vouchers } seats { multidisciplinarySeats } } } } }" }))
                .send()
                .await
        }
    });
    // Stop once the request is being answered (its first statement has run). The counter has no
    // signal to await: it is polled, for at most ten seconds.
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while counter.get() == before {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the request in flight ran a statement");
    stop.send(()).unwrap();
    let answer = slow
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert!(answer["data"]["coverage"]["byRegion"].is_array());
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    // New connections are refused once it has stopped.
    assert!(
        client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn a_statement_past_the_timeout_is_cut_off_as_unavailable() {
    use sea_orm::ConnectionTrait;
    let database = common::TestDatabase::create(Backend::Postgres).await;
    let limits = Limits {
        statement_timeout_ms: 50,
        ..Limits::default()
    };
    let (db, _) = api::db::connect_with(&database.url, &limits).await.unwrap();
    let err = db
        .execute_unprepared("SELECT pg_sleep(2)")
        .await
        .expect_err("cut off by statement_timeout");
    assert!(api::error::is_unavailable(&err), "{err}");
    let api_error = api::error::ApiError::from(err);
    assert_eq!(api_error.code(), "SERVICE_UNAVAILABLE");
    assert!(
        !api_error.to_string().contains("statement"),
        "no database text"
    );
    // The connection is still good for the next statement.
    db.execute_unprepared("SELECT 1").await.unwrap();
    db.close().await.ok();
}
