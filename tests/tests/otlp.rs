//! Traces leave the process over OTLP/HTTP when a collector is configured. A test binary of its
//! own: it installs the process-wide tracing subscriber.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step fails the test on its own line"
)]

#[path = "registry/common/mod.rs"]
mod common;

use common::{Backend, TestApp};
use serde_json::json;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_to_the_collector() {
    // A stand-in collector that keeps what it is sent.
    let received: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let collector = {
        let received = received.clone();
        axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let received = received.clone();
                    async move {
                        let kind = headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned();
                        received.lock().unwrap().push((kind, body.len()));
                        ""
                    }
                },
            ),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let provider = api::telemetry::init_with_otlp(api::config::LogFormat::Pretty, Some(&endpoint))
        .unwrap()
        .expect("a tracer provider");
    let traced = |state: api::AppState| {
        let settings = api::graphql::SchemaSettings {
            trace_resolvers: true,
            ..api::graphql::SchemaSettings::default()
        };
        let limits = api::limits::Limits {
            rate_limits: "off".to_owned(),
            ..api::limits::Limits::default()
        };
        state.configured(limits, settings, true).unwrap()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, 1, traced).await;
    app.data(
        "query Traced { region(code: \"R01\") { code resv { name } } }",
        json!({}),
    )
    .await;
    // Shutting the provider down flushes the batch (a blocking call).
    tokio::task::spawn_blocking(move || provider.shutdown())
        .await
        .unwrap()
        .unwrap();
    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "the collector received spans");
    assert!(
        received
            .iter()
            .all(|(kind, _)| kind == "application/x-protobuf"),
        "{received:?}"
    );
    assert!(
        received.iter().map(|(_, size)| size).sum::<usize>() > 100,
        "{received:?}"
    );
}
