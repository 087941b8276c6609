//! Replicas sharing one Redis (`REDIS_URL`): together they hold one rate-limit budget and one
//! store of automatic persisted queries; without Redis each serves on, from memory, and says so
//! in its metrics. These tests need the Redis at 127.0.0.1:6379 (and `redis-server` for the one
//! that stops and starts its own); each keeps its keys under a prefix of its own.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the tests fix; a missing field fails on its own line"
)]

use crate::common;

use api::AppState;
use api::limits::Limits;
use common::{Backend, TestApp, error_codes};
use serde_json::{Value, json};
use std::time::Duration;

const QUERY: &str = "{ region(code: \"R01\") { code } }";

/// The Redis the tests share; fails the test, saying why, when it does not answer.
async fn shared_redis() -> String {
    let address = "127.0.0.1:6379";
    assert!(
        pings(address).await,
        "these tests need Redis at {address}: apt-get install redis-server (.ci/run starts it)"
    );
    format!("redis://{address}")
}

/// Whether a Redis answers PING at `address` (a local one answers at once, or refuses).
async fn pings(address: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut answer = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// A `configure` for a replica: `rate_limits`, and Redis at `url` under `prefix`, tried again
/// soon after a failure.
fn replica(
    rate_limits: &str,
    url: &str,
    prefix: &str,
) -> impl FnOnce(AppState) -> AppState + use<> {
    let limits = Limits {
        rate_limits: rate_limits.to_owned(),
        ..Limits::default()
    };
    let (url, prefix) = (url.to_owned(), prefix.to_owned());
    move |state: AppState| {
        state
            .configured(limits, api::graphql::SchemaSettings::default(), true)
            .expect("valid limits")
            .with_redis(&url, &prefix, Duration::from_millis(50))
            .expect("a valid REDIS_URL")
    }
}

/// A key prefix no other test uses.
fn prefix() -> String {
    format!("test:{}:", uuid::Uuid::new_v4())
}

/// Three replicas on Redis at `url`, under one prefix.
async fn replicas(backend: Backend, rate_limits: &str, url: &str) -> Vec<TestApp> {
    let prefix = prefix();
    let mut apps = Vec::new();
    for _ in 0..3 {
        apps.push(TestApp::spawn_with(backend, 1, replica(rate_limits, url, &prefix)).await);
    }
    apps
}

async fn backend_in_use(app: &TestApp) -> (Option<f64>, Option<f64>) {
    (
        app.metric("registry_rate_limit_backend{backend=\"redis\"}")
            .await,
        app.metric("registry_rate_limit_backend{backend=\"memory\"}")
            .await,
    )
}

fn persisted(query: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": api::persisted::hash(query) } })
}

async fn send(app: &TestApp, body: Value) -> Value {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

/// Declares a test `$name` taking a [`Backend`], on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await;
            }
        }
    };
}

async fn three_replicas_sharing_redis_hold_one_budget(backend: Backend) {
    let apps = replicas(backend, "anonymous=5", &shared_redis().await).await;
    let mut remaining = Vec::new();
    for app in apps.iter().cycle().take(5) {
        let response = app.post(None, QUERY, json!({})).await;
        assert_eq!(response.status(), 200);
        remaining.push(
            response.headers()["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    // The sixth, on the replica that has answered only one so far, is over the shared budget.
    let sixth = apps[2].post(None, QUERY, json!({})).await;
    assert_eq!(sixth.status(), 429);
    assert_eq!(
        error_codes(&sixth.json().await.unwrap()),
        vec!["RATE_LIMITED"]
    );
    assert_eq!(backend_in_use(&apps[2]).await, (Some(1.0), Some(0.0)));
}
on_both_backends!(three_replicas_sharing_redis_hold_one_budget);

async fn a_persisted_query_learnt_on_one_replica_is_found_on_another(backend: Backend) {
    let apps = replicas(backend, "off", &shared_redis().await).await;
    let query = "{ region(code: \"R02\") { code } }";
    let unknown = send(&apps[1], json!({ "extensions": persisted(query) })).await;
    assert_eq!(error_codes(&unknown), vec!["PERSISTED_QUERY_NOT_FOUND"]);
    let registered = send(
        &apps[0],
        json!({ "query": query, "extensions": persisted(query) }),
    )
    .await;
    assert_eq!(registered["data"]["region"]["code"], "R02");
    for app in &apps[1..] {
        let by_hash = send(app, json!({ "extensions": persisted(query) })).await;
        assert_eq!(by_hash["data"]["region"]["code"], "R02");
    }
    // One that fails validation is learnt nowhere.
    let broken = "{ region(code: \"R02\") { nosuchfield } }";
    send(
        &apps[0],
        json!({ "query": broken, "extensions": persisted(broken) }),
    )
    .await;
    let elsewhere = send(&apps[1], json!({ "extensions": persisted(broken) })).await;
    assert_eq!(error_codes(&elsewhere), vec!["PERSISTED_QUERY_NOT_FOUND"]);
}
on_both_backends!(a_persisted_query_learnt_on_one_replica_is_found_on_another);

/// A local port nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

async fn without_redis_a_replica_serves_and_limits_from_memory(backend: Backend) {
    let url = format!("redis://127.0.0.1:{}", closed_port().await);
    let app = TestApp::spawn_with(backend, 1, replica("anonymous=3", &url, &prefix())).await;
    for left in ["2", "1", "0"] {
        let response = app.post(None, QUERY, json!({})).await;
        assert_eq!(response.status(), 200, "served without Redis");
        assert_eq!(response.headers()["ratelimit-remaining"], left);
    }
    assert_eq!(app.post(None, QUERY, json!({})).await.status(), 429);
    assert_eq!(backend_in_use(&app).await, (Some(0.0), Some(1.0)));
    let fallbacks = app.metric("registry_redis_fallbacks_total").await;
    assert!(fallbacks.is_some_and(|n| n >= 4.0), "{fallbacks:?}");
}
on_both_backends!(without_redis_a_replica_serves_and_limits_from_memory);

async fn without_redis_persisted_queries_are_learnt_in_memory(backend: Backend) {
    let url = format!("redis://127.0.0.1:{}", closed_port().await);
    let app = TestApp::spawn_with(backend, 1, replica("off", &url, &prefix())).await;
    let registered = send(
        &app,
        json!({ "query": QUERY, "extensions": persisted(QUERY) }),
    )
    .await;
    assert_eq!(registered["data"]["region"]["code"], "R01");
    let by_hash = send(&app, json!({ "extensions": persisted(QUERY) })).await;
    assert_eq!(by_hash["data"]["region"]["code"], "R01");
}
on_both_backends!(without_redis_persisted_queries_are_learnt_in_memory);

/// A `redis-server` of the test's own on `port`, stopped when dropped.
struct OwnRedis(std::process::Child);

impl OwnRedis {
    async fn start(port: u16) -> OwnRedis {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("this test starts redis-server (apt-get install redis-server)");
        let address = format!("127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !pings(&address).await {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start on {address}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        OwnRedis(child)
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn a_replica_goes_back_to_redis_when_it_returns(backend: Backend) {
    let port = closed_port().await;
    let url = format!("redis://127.0.0.1:{port}");
    let redis = OwnRedis::start(port).await;
    let app = TestApp::spawn_with(backend, 1, replica("anonymous=100", &url, &prefix())).await;
    assert_eq!(app.post(None, QUERY, json!({})).await.status(), 200);
    assert_eq!(backend_in_use(&app).await, (Some(1.0), Some(0.0)));
    drop(redis);
    assert_eq!(app.post(None, QUERY, json!({})).await.status(), 200);
    assert_eq!(backend_in_use(&app).await, (Some(0.0), Some(1.0)));
    let _redis = OwnRedis::start(port).await;
    // The replica tries Redis again 50 ms after the failure; its connection reconnects.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        assert_eq!(app.post(None, QUERY, json!({})).await.status(), 200);
        if backend_in_use(&app).await == (Some(1.0), Some(0.0)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "back on Redis within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}
on_both_backends!(a_replica_goes_back_to_redis_when_it_returns);
