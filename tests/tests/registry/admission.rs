//! One admission for `/graphql` and `/export`: the same token check, the same rate limit (one
//! quota for both), the same turns to execute and deadline, and both counted in the metrics.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::AppState;
use api::limits::Limits;
use common::{TestApp, error_codes, with_limits};
use serde_json::{Value, json};

const QUERY: &str = "{ region(code: \"R01\") { code } }";
const EXPORT: &str = "/export/regions.csv";

/// One turn to execute, and requests cut off after a moment: a test holding the turn sees every
/// request wait for it.
fn one_turn(request_timeout_ms: u64) -> impl Fn(AppState) -> AppState + Clone {
    with_limits(Limits {
        max_executions: 1,
        request_timeout_ms,
        rate_limits: "off".to_owned(),
        ..Limits::default()
    })
}

async fn export(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{EXPORT}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("send")
}

/// The headers a refusal is known by, and its body.
async fn refusal(response: reqwest::Response) -> (u16, Vec<String>, Value) {
    let status = response.status().as_u16();
    let mut names: Vec<String> = response
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| {
            name.starts_with("ratelimit-")
                || ["retry-after", "www-authenticate", "content-type"].contains(&name.as_str())
        })
        .collect();
    names.sort();
    (status, names, response.json().await.expect("a JSON body"))
}

on_both_databases!(
    exports_and_queries_share_one_rate_limit,
    configure = with_limits(Limits {
        rate_limits: "anonymous=2".to_owned(),
        ..Limits::default()
    }),
    |app: TestApp| async move {
        for left in ["1", "0"] {
            let response = export(&app, None).await;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["ratelimit-limit"], "2");
            assert_eq!(response.headers()["ratelimit-remaining"], left);
        }
        // The quota is spent for both endpoints, and both refuse alike.
        let refused_export = export(&app, None).await;
        let retry: u64 = refused_export.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(refused_export.headers()["ratelimit-remaining"], "0");
        let (status, headers, body) = refusal(refused_export).await;
        assert_eq!(status, 429);
        assert_eq!(error_codes(&body), vec!["RATE_LIMITED"]);
        let (graphql_status, graphql_headers, graphql_body) =
            refusal(app.post(None, QUERY, json!({})).await).await;
        assert_eq!(graphql_status, status);
        assert_eq!(graphql_headers, headers);
        assert_eq!(error_codes(&graphql_body), error_codes(&body));
        assert_eq!(
            app.metric("registry_refusals_total{limit=\"rate\"}").await,
            Some(2.0)
        );
    }
);

on_both_databases!(
    exports_refuse_a_bad_token_as_graphql_does,
    |app: TestApp| async move {
        let forged = "not-a-token";
        let refused_export = refusal(export(&app, Some(forged)).await).await;
        let refused_query = refusal(app.post(Some(forged), QUERY, json!({})).await).await;
        assert_eq!(refused_export.0, 401);
        assert!(
            refused_export.1.contains(&"www-authenticate".to_owned()),
            "{:?}",
            refused_export.1
        );
        assert_eq!(refused_export, refused_query);
        // A valid token is admitted.
        let token = common::token("admin", &[]);
        assert_eq!(export(&app, Some(&token)).await.status(), 200);
    }
);

on_both_databases!(
    exports_are_counted_in_the_metrics_like_graphql,
    |app: TestApp| async move {
        assert_eq!(export(&app, None).await.status(), 200);
        assert_eq!(export(&app, Some("not-a-token")).await.status(), 401);
        app.data(QUERY, json!({})).await;
        let answered = |endpoint: &str, status: u16| {
            format!("registry_http_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}}")
        };
        assert_eq!(
            app.metric(&answered("/export/{file}", 200)).await,
            Some(1.0)
        );
        assert_eq!(
            app.metric(&answered("/export/{file}", 401)).await,
            Some(1.0)
        );
        assert_eq!(app.metric(&answered("/graphql", 200)).await, Some(1.0));
        assert_eq!(
            app.metric("registry_http_request_duration_seconds_count{endpoint=\"/export/{file}\"}")
                .await,
            Some(2.0)
        );
    }
);

/// Waits until `/metrics` shows `n` operations waiting for a turn. The gauge has no signal to
/// await: it is polled, for at most ten seconds.
async fn until_waiting(app: &TestApp, n: f64) {
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while app.metric("registry_graphql_executions_waiting").await != Some(n) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the request waits for its turn");
}

on_both_databases!(
    an_export_waits_for_a_turn_to_execute,
    configure = one_turn(60_000),
    |app: TestApp| async move {
        let held = app.turns.try_turn().expect("the only turn is free");
        let waiting = tokio::spawn({
            let client = app.client.clone();
            let url = format!("{}{EXPORT}", app.address);
            async move { client.get(url).send().await }
        });
        until_waiting(&app, 1.0).await;
        assert!(
            !waiting.is_finished(),
            "the export waits while the turn is held"
        );
        drop(held);
        let response = waiting.await.unwrap().expect("send");
        assert_eq!(response.status(), 200);
        until_waiting(&app, 0.0).await;
    }
);

on_both_databases!(
    an_export_past_its_deadline_gets_503_as_graphql_does,
    configure = one_turn(200),
    |app: TestApp| async move {
        // Held for the whole test: every request waits past its deadline.
        let _held = app.turns.try_turn().expect("the only turn is free");
        let refused_export = export(&app, None).await;
        assert_eq!(refused_export.headers()["retry-after"], "1");
        let refused_export = refusal(refused_export).await;
        assert_eq!(refused_export.0, 503);
        assert_eq!(error_codes(&refused_export.2), vec!["TIMEOUT"]);
        let refused_query = refusal(app.post(None, QUERY, json!({})).await).await;
        assert_eq!(refused_query.0, refused_export.0);
        assert_eq!(refused_query.1, refused_export.1);
        assert_eq!(
            error_codes(&refused_query.2),
            error_codes(&refused_export.2)
        );
        assert_eq!(
            app.metric("registry_refusals_total{limit=\"deadline\"}")
                .await,
            Some(2.0)
        );
        // Given up, neither is counted as waiting any more.
        until_waiting(&app, 0.0).await;
    }
);

on_both_databases!(
    an_export_pays_for_its_rows,
    configure = with_limits(Limits {
        rate_limits: "anonymous=3".to_owned(),
        ..Limits::default()
    }),
    |app: TestApp| async move {
        // Every seat of every RESV: hundreds of rows, several units of the three.
        let response = app
            .client
            .get(format!("{}/export/seats.csv", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let rows = response.text().await.unwrap().lines().count() - 1;
        assert!(rows > 300, "{rows} seats");
        // The quota is spent by what the export wrote, not by its one request.
        let (status, _, body) = refusal(export(&app, None).await).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(error_codes(&body), vec!["RATE_LIMITED"]);
    }
);

/// A multipart request with `files` files, each mapped to an entry of the `files` variable.
async fn upload_files(app: &TestApp, files: usize) -> (u16, Value) {
    let query =
        "mutation($files: [Upload!]!) { importRecords(kind: REGIONS, file: $files) { rows } }";
    let nulls: Vec<Value> = (0..files).map(|_| Value::Null).collect();
    let map: serde_json::Map<String, Value> = (0..files)
        .map(|i| (i.to_string(), json!([format!("variables.files.{i}")])))
        .collect();
    let mut form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": query, "variables": { "files": nulls } }).to_string(),
        )
        .text("map", Value::Object(map).to_string());
    for i in 0..files {
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(b"code\nR01\n".to_vec())
                .file_name(format!("regions-{i}.csv"))
                .mime_str("text/csv")
                .unwrap(),
        );
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(common::token("admin", &[]))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_both_databases!(
    a_multipart_request_holds_at_most_four_files,
    |app: TestApp| async move {
        let (status, body) = upload_files(&app, 5).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_codes(&body), vec!["BAD_REQUEST"], "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("files"),
            "{body}"
        );
        // Four files are read (the mutation then refuses a list where it takes one file).
        let (status, body) = upload_files(&app, 4).await;
        assert_ne!(status, 400, "{body}");
    }
);
