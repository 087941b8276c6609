//! The transport's protections against hostile clients: slow headers and bodies, too many
//! connections from one address, the security headers on every answer, and request errors
//! answered without `data`.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::AppState;
use api::http::Transport;
use common::{TestApp, error_codes};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const QUERY: &str = "{ region(code: \"R01\") { code } }";

/// A `configure` with the transport `transport`.
fn with_transport(transport: Transport) -> impl Fn(AppState) -> AppState + Clone {
    move |state: AppState| state.with_transport(transport.clone())
}

/// A raw connection to the app, for clients no HTTP library would be.
fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let stream = TcpStream::connect(address).unwrap();
    // A test waiting on a server that never answers fails instead of hanging.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads `stream` until the server closes it; its bytes, or an error if it stayed open.
fn read_until_closed(mut stream: TcpStream) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Posts `QUERY` with `accept`; its status and body.
async fn post(app: &TestApp, accept: &str, query: &str) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", accept)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

on_both_databases!(
    a_client_sending_headers_slowly_is_disconnected_while_others_are_served,
    configure = with_transport(Transport {
        header_read_timeout_ms: 500,
        ..Transport::default()
    }),
    |app: TestApp| async move {
        let slow = connect(&app);
        let mut trickle = slow.try_clone().unwrap();
        let started = Instant::now();
        // One header line every 100 ms: never idle, never done.
        let writer = tokio::task::spawn_blocking(move || {
            let _ = trickle.write_all(b"POST /graphql HTTP/1.1\r\nhost: registry\r\n");
            while trickle.write_all(b"x-slow: 1\r\n").is_ok() && started.elapsed().as_secs() < 10 {
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let closed = tokio::task::spawn_blocking(move || read_until_closed(slow));
        // Meanwhile another client is served.
        assert_eq!(app.data(QUERY, json!({})).await["region"]["code"], "R01");
        closed
            .await
            .unwrap()
            .expect("the slow client is disconnected");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(500) && waited < Duration::from_secs(3),
            "disconnected after {waited:?}"
        );
        writer.await.unwrap();
    }
);

on_both_databases!(
    a_body_that_does_not_arrive_in_time_is_answered_408,
    configure = with_transport(Transport {
        body_read_timeout_ms: 300,
        ..Transport::default()
    }),
    |app: TestApp| async move {
        let answer = tokio::task::spawn_blocking({
            let mut stream = connect(&app);
            move || {
                stream
                    .write_all(
                        b"POST /graphql HTTP/1.1\r\nhost: registry\r\n\
                          content-type: application/json\r\ncontent-length: 100\r\n\r\n{\"query\"",
                    )
                    .unwrap();
                read_until_closed(stream)
            }
        })
        .await
        .unwrap()
        .expect("the server answers and closes the connection");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("connection: close"), "{answer}");
        assert!(answer.contains("\"REQUEST_TIMEOUT\""), "{answer}");
    }
);

on_both_databases!(
    a_client_address_holds_at_most_its_cap_of_connections,
    configure = with_transport(Transport {
        max_connections_per_client: 2,
        ..Transport::default()
    }),
    |app: TestApp| async move {
        let held = [connect(&app), connect(&app)];
        // Both are being served: each answers a request and stays open.
        for stream in &held {
            let mut stream = stream.try_clone().unwrap();
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nhost: registry\r\n\r\n")
                .unwrap();
            let mut buffer = [0; 12];
            stream.read_exact(&mut buffer).unwrap();
            assert_eq!(&buffer, b"HTTP/1.1 200");
        }
        let third = connect(&app);
        let refused = tokio::task::spawn_blocking(move || read_until_closed(third))
            .await
            .unwrap()
            .expect("the third connection is closed");
        assert!(refused.is_empty(), "closed unanswered");
        // Once one is closed, a new connection is served again (the server notices the close
        // when it reads next: retried for at most ten seconds).
        drop(held);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let client = reqwest::Client::new();
            match client.get(format!("{}/healthz", app.address)).send().await {
                Ok(response) => {
                    assert_eq!(response.status(), 200);
                    break;
                }
                Err(err) => assert!(Instant::now() < deadline, "never served again: {err}"),
            }
            tokio::task::yield_now().await;
        }
    }
);

on_both_databases!(
    every_answer_carries_the_security_headers,
    |app: TestApp| async move {
        let get = |path: &str, accept: &str| {
            app.client
                .get(format!("{}{path}", app.address))
                .header("accept", accept)
                .send()
        };
        let answers = [
            (
                "a query",
                get("/graphql?query={__typename}", "application/json").await,
            ),
            ("a probe", get("/healthz", "*/*").await),
            ("a refusal", get("/graphql", "application/json").await),
            ("GraphiQL", get("/graphql", "text/html").await),
            (
                "a bad token",
                app.client
                    .post(format!("{}/graphql", app.address))
                    .bearer_auth("not-a-token")
                    .json(&json!({ "query": QUERY }))
                    .send()
                    .await,
            ),
        ];
        for (what, answer) in answers {
            let answer = answer.unwrap();
            let headers = answer.headers();
            for (name, value) in [
                ("x-content-type-options", "nosniff"),
                ("referrer-policy", "no-referrer"),
                ("x-frame-options", "DENY"),
                ("content-security-policy", "frame-ancestors 'none'"),
            ] {
                assert_eq!(headers[name], value, "{what}: {name}");
            }
            assert!(
                headers.get("strict-transport-security").is_none(),
                "{what}: no HSTS unless configured"
            );
            if what == "GraphiQL" {
                assert_eq!(answer.status(), 200);
                assert!(answer.text().await.unwrap().contains("graphiql"));
            }
        }
    }
);

on_both_databases!(
    strict_transport_security_is_sent_when_configured,
    configure = with_transport(Transport {
        hsts_max_age_seconds: Some(31_536_000),
        ..Transport::default()
    }),
    |app: TestApp| async move {
        let answer = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.headers()["strict-transport-security"],
            "max-age=31536000"
        );
    }
);

on_both_databases!(
    a_query_that_does_not_parse_is_answered_without_data,
    |app: TestApp| async move {
        let (status, body) = post(&app, GRAPHQL_RESPONSE, "{ region(").await;
        assert_eq!(status, 400);
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
        assert!(body.get("data").is_none(), "{body}");
        let (status, body) = post(&app, "application/json", "{ region(").await;
        assert_eq!(status, 200);
        assert!(body.get("data").is_none(), "{body}");
    }
);

on_both_databases!(
    a_query_that_does_not_validate_is_answered_without_data,
    |app: TestApp| async move {
        let invalid = "{ region(code: \"R01\") { nosuchfield } }";
        let (status, body) = post(&app, GRAPHQL_RESPONSE, invalid).await;
        assert_eq!(status, 400);
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
        assert!(body.get("data").is_none(), "{body}");
        // A field error is not a request error: its answer keeps `data`.
        let (status, body) = post(&app, GRAPHQL_RESPONSE, "{ node(id: \"bm9wZQ\") { id } }").await;
        assert_eq!(status, 200);
        assert!(body.get("data").is_some(), "{body}");
    }
);
