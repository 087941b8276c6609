//! The national registry of regional primary-care collaborations (RESVs): a GraphQL API over the
//! regions, their RESVs, seats, subsidies, vouchers, neighbourhood collaborations and the LeVEL
//! learning network.
//!
//! [`app`] builds the HTTP router without I/O, so tests can drive the real application; the
//! subcommands of the binary are [`serve`], [`migrate`], [`seed`] and [`schema_sdl`].

pub mod access;
pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod graphql;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod persisted;
pub mod restore;
pub mod seed;
pub mod service;
pub mod telemetry;

use auth::{AuthError, TokenVerifier};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use config::Config;
use db::StatementCounter;
use graphql::RegistrySchema;
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The primary database.
    pub db: DatabaseConnection,
    /// A read replica, if configured (`DATABASE_READ_URL`): queries read from it.
    pub read_db: Option<DatabaseConnection>,
    pub schema: RegistrySchema,
    /// SQL statements run so far (for tests and benchmarks).
    pub statements: StatementCounter,
    /// Checks bearer tokens.
    pub verifier: Arc<TokenVerifier>,
    /// Limits, rate limiters and metrics of the HTTP layer.
    pub http: Arc<http::HttpState>,
    /// Origins allowed to call the API from a browser (`*`: any; empty: no CORS headers).
    pub cors_origins: Arc<Vec<String>>,
    /// Automatic persisted queries, or the allow-list of operations that may run.
    pub persisted: Arc<persisted::PersistedQueries>,
    /// Anonymous answers and reference tables by data version; both out of the way until
    /// [`AppState::with_response_cache`] started the watcher of the version.
    pub cache: Arc<cache::ResponseCache>,
}

impl AppState {
    /// State over an open database, trusting the keys of `verifier`, with the default limits and
    /// schema settings (development: GraphiQL, introspection and suggestions on).
    pub fn new(
        db: DatabaseConnection,
        statements: StatementCounter,
        verifier: TokenVerifier,
    ) -> Self {
        AppState {
            db,
            read_db: None,
            schema: graphql::schema(),
            statements,
            verifier: Arc::new(verifier),
            http: Arc::new(
                http::HttpState::new(limits::Limits::default(), true)
                    .expect("the default rate limits are valid"),
            ),
            cors_origins: Arc::new(Vec::new()),
            persisted: Arc::new(persisted::PersistedQueries::default()),
            // Off: a cache without its watcher would never learn of changes made elsewhere.
            cache: Arc::new(cache::ResponseCache::new(0)),
        }
    }

    /// The same state with a response cache of `entries` answers (0: none), kept current by
    /// a watcher of the data version (spawned here; call from within a Tokio runtime). The
    /// watcher runs even without answers to keep: the reference tables are kept by it too.
    pub fn with_response_cache(
        mut self,
        entries: usize,
        listen_url: Option<String>,
        poll: std::time::Duration,
    ) -> Self {
        self.cache = Arc::new(cache::ResponseCache::new(entries));
        let read = self.read_db.clone().unwrap_or_else(|| self.db.clone());
        self.cache.watch(read, listen_url, poll);
        self
    }

    /// The same state reading queries from `replica`.
    pub fn with_read_replica(mut self, replica: DatabaseConnection) -> Self {
        self.read_db = Some(replica);
        self
    }

    /// The same state with the persisted-query store `persisted`.
    pub fn with_persisted_queries(mut self, persisted: persisted::PersistedQueries) -> Self {
        self.persisted = Arc::new(persisted);
        self
    }

    /// The same state with `limits`, schema `settings` and GraphiQL on or off.
    pub fn configured(
        mut self,
        limits: limits::Limits,
        settings: graphql::SchemaSettings,
        graphiql: bool,
    ) -> Result<Self, String> {
        self.schema = graphql::schema_with(settings);
        self.http = Arc::new(http::HttpState::new(limits, graphiql)?);
        Ok(self)
    }

    /// The same state allowing browsers from `origins` (`*`: any).
    pub fn with_cors(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = Arc::new(origins);
        self
    }
}

/// Answers the response cache keeps by default.
pub const DEFAULT_CACHE_ENTRIES: usize = 2000;

/// The HTTP application: `/graphql` (POST and GET; GraphiQL for browsers in development),
/// `/export/{file}` (CSV and JSON downloads), `/healthz`, `/readyz` and `/metrics`.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/graphql", get(http::get).post(http::post))
        .route("/export/{file}", get(export::download))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::deadline,
        ));
    let cors = cors_layer(&state.cors_origins);
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(RequestBodyLimitLayer::new(state.http.limits.max_body_bytes))
        .layer(axum::middleware::map_response(close_after_refused_body))
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    use tower_http::cors::{AllowOrigin, Any};
    let base = CorsLayer::new()
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            axum::http::HeaderName::from_static("ratelimit-limit"),
            axum::http::HeaderName::from_static("ratelimit-remaining"),
        ]);
    if origins.iter().any(|o| o == "*") {
        base.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        base.allow_origin(AllowOrigin::list(list))
    }
}

/// `/readyz`: 200 when the database answers and its migrations are current, else 503.
async fn readyz(State(state): State<AppState>) -> Response {
    let check = async {
        use sea_orm::ConnectionTrait;
        // Read the applied versions directly: the API's role may not create the table that
        // `get_pending_migrations` would create if it were missing.
        let rows = state
            .db
            .query_all(sea_orm::Statement::from_string(
                state.db.get_database_backend(),
                "SELECT version FROM seaql_migrations",
            ))
            .await?;
        let applied: std::collections::HashSet<String> = rows
            .iter()
            .filter_map(|row| row.try_get::<String>("", "version").ok())
            .collect();
        let pending = Migrator::migrations()
            .iter()
            .filter(|m| !applied.contains(m.name()))
            .count();
        Ok::<usize, sea_orm::DbErr>(pending)
    };
    let (status, body) = match tokio::time::timeout(std::time::Duration::from_secs(3), check).await
    {
        Ok(Ok(0)) => (StatusCode::OK, serde_json::json!({ "status": "ready" })),
        Ok(Ok(pending)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "migrations pending", "pending": pending }),
        ),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "Not ready: the database does not answer.");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "database unavailable" }),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({ "status": "database timed out" }),
        ),
    };
    (status, axum::Json(body)).into_response()
}

/// `/metrics`: Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.http.metrics.render(&state.db, state.statements.get()),
    )
        .into_response()
}

/// A body refused with 413 is left unread, so the connection cannot carry another request: say
/// so, or a client may reuse it and see its next request cut off.
async fn close_after_refused_body(mut response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The 401 answer to a refused token, in the GraphQL error format.
pub(crate) fn unauthorized(err: &AuthError) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": format!("invalid token: {err}"), "extensions": { "code": "UNAUTHENTICATED" } }]
    });
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{err}\"");
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge.replace(['\r', '\n'], " ")) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn schema_sdl() -> String {
    graphql::schema().sdl()
}

async fn open(config: &Config) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let (db, statements) = db::connect_with(&config.database_url, &config.limits).await?;
    Migrator::up(&db, None).await?;
    Ok((db, statements))
}

/// `check`: the data-quality report as text (or JSON), and the number of problems found.
pub async fn check(config: &Config, json: bool) -> anyhow::Result<(String, usize)> {
    use sea_orm::EntityTrait;
    let (db, _) = open(config).await?;
    let report = service::quality::report(&db).await?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the steward's report names every region, outside any viewer's scope"
    )]
    let regions: std::collections::HashMap<i32, entity::region::Model> =
        entity::region::Entity::find()
            .all(&db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let code = |id: &i32| regions.get(id).map_or("?", |r| r.code.as_str()).to_owned();
    let name = |id: &i32| regions.get(id).map_or("?", |r| r.name.as_str()).to_owned();
    let text = if json {
        let regions: Vec<serde_json::Value> = report
            .regions
            .iter()
            .map(|(id, issues)| {
                serde_json::json!({
                    "code": code(id),
                    "name": name(id),
                    "issues": issues.iter().map(|i| serde_json::json!({
                        "kind": i.kind.tag(),
                        "count": i.count,
                        "message": i.kind.message(i.count),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let by_kind: serde_json::Map<String, serde_json::Value> = report
            .by_kind()
            .into_iter()
            .map(|(kind, n)| (kind.tag().to_owned(), n.into()))
            .collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "issueCount": report.issue_count(),
                "regionsByKind": by_kind,
                "regions": regions,
            }))?
        )
    } else {
        let mut out = format!(
            "{} problem(s) in {} region(s).\n",
            report.issue_count(),
            report.regions.len()
        );
        for (kind, n) in report.by_kind() {
            out.push_str(&format!("  {}: {n} region(s)\n", kind.tag()));
        }
        for (id, issues) in &report.regions {
            out.push_str(&format!("{} {}\n", code(id), name(id)));
            for issue in issues {
                out.push_str(&format!("  - {}\n", issue.kind.message(issue.count)));
            }
        }
        out
    };
    Ok((text, report.issue_count()))
}

/// `import`: applies a file of official data as the system (an admin), all or nothing.
pub async fn import(
    config: &Config,
    args: &config::ImportArgs,
) -> anyhow::Result<service::import::Report> {
    let (db, _) = open(config).await?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let kind = args
        .kind
        .as_deref()
        .or(Some(stem))
        .and_then(service::import::Kind::parse)
        .ok_or_else(|| {
            anyhow::anyhow!("say what {name} holds with --kind (its name is not that of an export)")
        })?;
    let system = access::Viewer::user("api-import".to_owned(), access::Role::Admin, Vec::new());
    Ok(service::import::file(&db, &system, kind, &bytes, &name, args.dry_run).await?)
}

/// `export`: every object of the registry as files, read as the system (an admin's rights, so
/// with contact data and internal notes): the steward's full copy.
pub async fn export_all(
    config: &Config,
    args: &config::ExportArgs,
) -> anyhow::Result<Vec<(std::path::PathBuf, usize)>> {
    let (db, _) = open(config).await?;
    let system = access::Viewer::user("api-export".to_owned(), access::Role::Admin, Vec::new());
    export::write_all(&db, &system, &args.out, args.format == "json").await
}

/// `migrate`: applies pending migrations and loads the reference data (disciplines, care-office
/// and IZA regions): a registry ready for `seed` or for `import DIR`.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (db, _) = open(config).await?;
    seed::reference_data(&db).await?;
    tracing::info!("The database schema is up to date and holds the reference data.");
    Ok(())
}

/// `import DIR`: restores a whole export directory as the system (an admin), all or nothing.
pub async fn restore(
    config: &Config,
    args: &config::ImportArgs,
) -> anyhow::Result<restore::Restore> {
    let (db, _) = open(config).await?;
    let system = access::Viewer::user("api-import".to_owned(), access::Role::Admin, Vec::new());
    restore::directory(&db, &system, &args.file, args.dry_run).await
}

/// `seed`: migrates, then loads reference and demonstration data.
pub async fn seed(config: &Config, scale: u32) -> anyhow::Result<()> {
    let (db, _) = open(config).await?;
    let report = seed::run(&db, scale).await?;
    tracing::info!(
        regions = report.regions,
        demonstration_generated = report.demonstration_generated,
        "The registry is seeded."
    );
    Ok(())
}

/// `serve`: migrates, seeds an empty registry, then serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let (db, statements) = open(&config).await?;
    if let Some(report) = seed::run_if_empty(&db).await? {
        tracing::info!(
            regions = report.regions,
            "The registry was empty; loaded the seed data."
        );
    }
    let verifier = TokenVerifier::from_config(&config.auth)?;
    let development = config.auth.profile == config::Profile::Development;
    let open_schema = config.introspection.unwrap_or(development);
    let settings = graphql::SchemaSettings {
        coverage: graphql::coverage::CoverageSettings {
            disclosure_threshold: config.disclosure_min_count,
        },
        max_depth: config.limits.max_depth,
        max_cost: config.limits.max_cost,
        max_directives: config.limits.max_directives,
        introspection: open_schema,
        suggestions: open_schema,
        trace_resolvers: config.otlp_endpoint.is_some(),
    };
    let state = AppState::new(db, statements, verifier)
        .configured(config.limits.clone(), settings, development)
        .map_err(anyhow::Error::msg)?
        .with_cors(config.cors_origins.clone());
    let state = match &config.database_read_url {
        Some(url) => {
            let (replica, _) = db::connect_with(url, &config.limits).await?;
            tracing::info!("Queries read from the read replica.");
            state.with_read_replica(replica)
        }
        None => state,
    };
    // Notifications reach only the primary's listeners; with a replica the row is polled there.
    let listen = (config.database_read_url.is_none() && cache::notifies(&state.db))
        .then(|| config.database_url.clone());
    let state = state.with_response_cache(
        config.response_cache_entries,
        listen,
        std::time::Duration::from_millis(config.data_version_poll_ms),
    );
    let state = match &config.persisted_queries_file {
        Some(path) => state.with_persisted_queries(
            persisted::PersistedQueries::load(path).map_err(anyhow::Error::msg)?,
        ),
        None => state,
    };
    let listener = tokio::net::TcpListener::bind(config.bind_addr).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        profile = ?config.auth.profile,
        introspection = open_schema,
        "Serving the registry at /graphql."
    );
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// `token`: mints a development token with the local development key.
pub fn token(config: &Config, args: &config::TokenArgs) -> anyhow::Result<String> {
    if config.auth.profile != config::Profile::Development && !config.auth.allow_hs256 {
        anyhow::bail!(
            "development tokens are only trusted in the development profile (or with JWT_ALLOW_HS256)"
        );
    }
    access::Role::parse(&args.role).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role `{}`; use regional_coordinator, zonmw_staff, national_analyst, level_editor or admin",
            args.role
        )
    })?;
    if args.role == "regional_coordinator" && args.regions.is_empty() {
        anyhow::bail!("a regional_coordinator token needs at least one --region");
    }
    let ttl = auth::parse_ttl(&args.ttl).map_err(anyhow::Error::msg)?;
    let now = chrono::Utc::now().timestamp();
    let claims = auth::Claims {
        sub: args.sub.clone(),
        role: args.role.clone(),
        regions: (!args.regions.is_empty()).then(|| args.regions.clone()),
        iss: config.auth.issuer.clone(),
        aud: config.auth.audience.clone(),
        exp: now + ttl,
        nbf: now,
        iat: now,
    };
    let secret = auth::dev_secret(&config.auth.hs256_secret_file)?;
    auth::mint_dev_token(&secret, &claims)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("Shutting down: no new connections, finishing requests in flight.");
}
