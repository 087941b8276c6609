//! The test harness: the real application on a fresh, migrated and seeded database, on SQLite or
//! PostgreSQL, spoken to over HTTP.

#![allow(
    dead_code,
    reason = "the OTLP test binary and the benchmark use only a part of the harness"
)]

pub mod database;

#[allow(
    unused_imports,
    reason = "the registry binary names it; the OTLP binary does not"
)]
pub use database::PG_ENV;
pub use database::{APP_ROLE, TestDatabase};

use api::AppState;
use api::db::StatementCounter;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::future::Future;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The application under test, listening on a random local port.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The database as its owner sees it (every row), for checks behind the API's back.
    pub db: DatabaseConnection,
    /// The database as the app connects to it (on PostgreSQL: a role under row-level security).
    pub app_db: DatabaseConnection,
    pub statements: StatementCounter,
    pub backend: Backend,
    /// The database's URL, as its owner.
    pub database_url: String,
    /// The app's response cache, whose data version tests wait on.
    pub cache: std::sync::Arc<api::cache::ResponseCache>,
    /// The app's turns to execute, which a test may hold to keep requests waiting.
    pub turns: api::throttle::Turns,
}

/// Installs the tests' log subscriber once: `RUST_LOG` (default `warn`) written through the test
/// harness, so a passing test prints nothing and a failing one shows its logs with its output.
fn quiet_logs() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        // Another subscriber may be installed already (then it stays): not an error.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

impl TestApp {
    /// Spawns the app on a fresh database, migrated and seeded at `scale` (54 × scale regions):
    /// a copy of the template of this process (see [`database`]).
    /// On PostgreSQL without [`PG_ENV`] it fails the test, saying how to run it.
    pub async fn spawn(backend: Backend, scale: u32) -> TestApp {
        Self::spawn_with(backend, scale, |state| state).await
    }

    /// Spawns the app with its state changed by `configure` (see [`TestApp::spawn`]). Tests send
    /// many requests from one address, so the rate limit is off unless `configure` sets one.
    pub async fn spawn_with(
        backend: Backend,
        scale: u32,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> TestApp {
        quiet_logs();
        let database = TestDatabase::seeded(backend, scale).await;
        let database_url = database.url.clone();
        let (db, owner_statements) = api::db::connect(&database.url).await.expect("connect");
        // On PostgreSQL the app connects, as in production, as a role that does not own the
        // tables (its rights are granted in the template), so the row-level security policies
        // apply to everything it does.
        let (app_db, statements) = if database.is_postgres() {
            api::db::connect(&database::with_user(&database.url, APP_ROLE))
                .await
                .expect("connect as the app role")
        } else {
            (db.clone(), owner_statements)
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let unlimited = api::limits::Limits {
            rate_limits: "off".to_owned(),
            ..api::limits::Limits::default()
        };
        let state = AppState::new(app_db.clone(), statements.clone(), test_verifier())
            .configured(unlimited, api::graphql::SchemaSettings::default(), true)
            .expect("valid limits");
        let state = configure(state);
        let cache = state.cache.clone();
        let turns = state.http.turns.clone();
        // The server task owns the database guard: a test's `async move` block may capture only
        // some fields of the app, and the database must outlive every request. It serves as the
        // binary does, with the transport's protections.
        tokio::spawn(async move {
            let _database = database;
            let _ = api::http::serve(listener, state, std::future::pending()).await;
        });
        TestApp {
            address,
            client: reqwest::Client::new(),
            db,
            app_db,
            statements,
            backend,
            database_url,
            cache,
            turns,
        }
    }

    /// Posts a GraphQL request and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_with(None, query, variables).await
    }

    /// Posts a GraphQL request with a bearer token (or none) and returns the whole response body.
    pub async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post(token, query, variables)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    /// Posts a GraphQL request with a bearer token (or none) and returns the HTTP response.
    pub async fn post(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send")
    }

    /// Posts a GraphQL request as `role` (keeping `regions`) that must succeed; returns `data`.
    pub async fn data_as(
        &self,
        role: &str,
        regions: &[&str],
        query: &str,
        variables: Value,
    ) -> Value {
        let body = self
            .gql_with(Some(&token(role, regions)), query, variables)
            .await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Posts a GraphQL request that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Updates region `code` as an admin with the input fields `fields` (e.g. `notes: "x"`), after
    /// reading its id and version; returns the stored region's `version notes preferredInsurer
    /// populationApprox`.
    pub async fn update_region(&self, code: &str, fields: &str) -> Value {
        let region = self
            .data(
                &format!("{{ region(code: \"{code}\") {{ id version }} }}"),
                json!({}),
            )
            .await;
        let mutation = format!(
            "mutation($id: ID!, $version: Int!) {{
               updateRegion(input: {{ id: $id, version: $version, {fields} }}) {{
                 region {{ version notes preferredInsurer populationApprox }}
                 userErrors {{ message }} }} }}"
        );
        let variables =
            json!({ "id": region["region"]["id"], "version": region["region"]["version"] });
        let data = self.data_as("admin", &[], &mutation, variables).await;
        let stored = data["updateRegion"]["region"].clone();
        assert!(stored.is_object(), "updateRegion refused: {data}");
        stored
    }

    /// Posts `query` with the file `name` holding `content` as `variables.file`, as a GraphQL
    /// multipart request; returns the whole response body.
    pub async fn upload(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        name: &str,
        content: &str,
    ) -> Value {
        let operations = json!({ "query": query, "variables": variables });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(content.as_bytes().to_vec())
                    .file_name(name.to_owned())
                    .mime_str("text/csv")
                    .expect("a MIME type"),
            );
        self.client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("a JSON body")
    }

    /// The entries of the audit trail so far: how a test sees whether anything was written.
    #[expect(
        clippy::disallowed_methods,
        reason = "tests inspect the whole audit table"
    )]
    pub async fn audit_count(&self) -> u64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::audit_log::Entity::find()
            .count(&self.db)
            .await
            .expect("count")
    }

    /// The response cache's hits so far, from `/metrics`.
    pub async fn cache_hits(&self) -> u64 {
        self.metrics()
            .await
            .lines()
            .find(|l| l.starts_with("registry_response_cache_total{outcome=\"hit\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// The text of `/metrics`.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("a body")
    }

    /// The value of the metric line that starts with `series`, if `/metrics` has it.
    pub async fn metric(&self, series: &str) -> Option<f64> {
        self.metrics()
            .await
            .lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
    }

    /// Runs a request and returns its data and the SQL statements it took.
    pub async fn counted(&self, query: &str, variables: Value) -> (Value, u64) {
        let before = self.statements.get();
        let data = self.data(query, variables).await;
        (data, self.statements.get() - before)
    }
}

/// Issuer and audience the test app requires.
pub const ISSUER: &str = "test-issuer";
pub const AUDIENCE: &str = "test-audience";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The verifier of the test app: the test RS256 and ES256 keys, no HS256.
pub fn test_verifier() -> api::auth::TokenVerifier {
    let mut verifier = api::auth::TokenVerifier::new(ISSUER, AUDIENCE, 5);
    verifier
        .trust_pem("test-rs", &fixture("test-rs.pem"))
        .expect("RS key");
    verifier
        .trust_pem("test-es", &fixture("test-es.pem"))
        .expect("ES key");
    verifier
}

/// Claims for `role` keeping `regions`, valid for ten minutes.
pub fn claims(role: &str, regions: &[&str]) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": format!("test-{role}"), "role": role, "iss": ISSUER, "aud": AUDIENCE,
        "exp": now + 600, "nbf": now - 5, "iat": now,
    });
    if !regions.is_empty() {
        claims["regions"] = json!(regions);
    }
    claims
}

/// Signs `claims` with a fixture key: `alg` RS256 or ES256, under `kid`.
pub fn sign(
    claims: &Value,
    alg: jsonwebtoken::Algorithm,
    kid: Option<&str>,
    key_file: &str,
) -> String {
    use jsonwebtoken::{EncodingKey, Header};
    let pem = fixture(key_file);
    let key = match alg {
        jsonwebtoken::Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        jsonwebtoken::Algorithm::HS256 => Ok(EncodingKey::from_secret(&pem)),
        _ => EncodingKey::from_rsa_pem(&pem),
    }
    .expect("a private key");
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

/// A valid RS256 token for `role` keeping `regions`.
pub fn token(role: &str, regions: &[&str]) -> String {
    sign(
        &claims(role, regions),
        jsonwebtoken::Algorithm::RS256,
        Some("test-rs"),
        "test-rs-private.pem",
    )
}

/// The error codes of a response, in order.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("NONE")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A `configure` for [`TestApp::spawn_with`]: the state with `limits` and the default schema.
pub fn with_limits(limits: api::limits::Limits) -> impl Fn(AppState) -> AppState + Clone {
    move |state: AppState| {
        state
            .configured(
                limits.clone(),
                api::graphql::SchemaSettings::default(),
                true,
            )
            .expect("valid limits")
    }
}

/// Runs `test` on a fresh app for `backend`, at `scale`, with its state changed by `configure`.
pub async fn run<C, F, Fut>(backend: Backend, scale: u32, configure: C, test: F)
where
    C: FnOnce(AppState) -> AppState,
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    test(TestApp::spawn_with(backend, scale, configure).await).await;
}

/// Declares a test that runs on SQLite and on PostgreSQL: a module `$name` with the tests
/// `sqlite` and `postgres`, each on a fresh app (at scale 1 unless a scale is given, with the
/// state changed by `configure = ..` if given). Built with `SKIP_POSTGRES=1`, the PostgreSQL
/// variant is ignored (see `tests/build.rs`); without [`PG_ENV`] it fails.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, configure = $configure:expr, $test:expr) => {
        $crate::on_both_databases!(@tests $name, 1, $configure, $test);
    };
    ($name:ident, $test:expr) => {
        $crate::on_both_databases!(@tests $name, 1, |state| state, $test);
    };
    ($name:ident, $scale:expr, $test:expr) => {
        $crate::on_both_databases!(@tests $name, $scale, |state| state, $test);
    };
    (@tests $name:ident, $scale:expr, $configure:expr, $test:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let backend = $crate::common::Backend::Sqlite;
                $crate::common::run(backend, $scale, $configure, $test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
            async fn postgres() {
                let backend = $crate::common::Backend::Postgres;
                $crate::common::run(backend, $scale, $configure, $test).await;
            }
        }
    };
}
