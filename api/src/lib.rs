//! The national registry of regional primary-care collaborations (RESVs): a GraphQL API over the
//! regions, their RESVs, seats, subsidies, vouchers, neighbourhood collaborations and the LeVEL
//! learning network.
//!
//! [`app`] builds the HTTP router without I/O, so tests can drive the real application; the
//! subcommands of the binary are [`serve`], [`migrate`], [`seed`] and [`schema_sdl`].

pub mod access;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod graphql;
pub mod seed;
pub mod service;
pub mod telemetry;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use auth::{AuthError, TokenVerifier};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use config::Config;
use db::StatementCounter;
use graphql::RegistrySchema;
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: RegistrySchema,
    /// SQL statements run so far (for tests and benchmarks).
    pub statements: StatementCounter,
    /// Checks bearer tokens.
    pub verifier: Arc<TokenVerifier>,
}

impl AppState {
    /// The same state with the coverage settings `settings`.
    pub fn with_coverage_settings(mut self, settings: graphql::coverage::CoverageSettings) -> Self {
        self.schema = graphql::schema_with(settings);
        self
    }

    /// State over an open database, trusting the keys of `verifier`.
    pub fn new(
        db: DatabaseConnection,
        statements: StatementCounter,
        verifier: TokenVerifier,
    ) -> Self {
        AppState {
            db,
            schema: graphql::schema(),
            statements,
            verifier: Arc::new(verifier),
        }
    }
}

/// The largest request body accepted (HTTP 413 beyond).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The HTTP application: `/graphql` (POST and GET; GraphiQL for browsers), `/export/{file}`
/// (CSV and JSON downloads) and `/healthz`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/export/{file}", get(export::download))
        .route("/healthz", get(|| async { "ok" }))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(close_after_refused_body))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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

/// Whether the operation a request would run is a mutation (refused over GET, which must be safe).
fn runs_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    document.operations.iter().any(|(name, operation)| {
        let selected = match (&request.operation_name, name) {
            (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && operation.node.ty == OperationType::Mutation
    })
}

/// Authenticates once per request, then executes it as that viewer. A present but invalid token
/// is answered with 401, never served as anonymous.
async fn execute(state: &AppState, headers: &HeaderMap, request: GraphQLRequest) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let viewer = match auth::authenticate(&state.verifier, authorization) {
        Ok(viewer) => viewer,
        Err(err) => return unauthorized(&err),
    };
    let response: GraphQLResponse = graphql::execute(
        &state.schema,
        state.db.clone(),
        viewer,
        request.into_inner(),
    )
    .await
    .into();
    response.into_response()
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

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    execute(&state, &headers, request).await
}

/// GET: GraphiQL for a browser (which asks for HTML), otherwise a query in the URL.
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match request {
        Ok(request) if !wants_html && runs_mutation(&request.0) => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            axum::Json(serde_json::json!({
                "errors": [{ "message": "mutations must be sent with POST", "extensions": { "code": "METHOD_NOT_ALLOWED" } }]
            })),
        )
            .into_response(),
        Ok(request) if !wants_html => execute(&state, &headers, request).await,
        Err(rejection) if !wants_html => rejection.into_response(),
        _ => Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response(),
    }
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn schema_sdl() -> String {
    graphql::schema().sdl()
}

async fn open(config: &Config) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let (db, statements) = db::connect(&config.database_url).await?;
    Migrator::up(&db, None).await?;
    Ok((db, statements))
}

/// `migrate`: applies pending migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    open(config).await?;
    tracing::info!("The database schema is up to date.");
    Ok(())
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
    let listener = tokio::net::TcpListener::bind(config.bind_addr).await?;
    tracing::info!(address = %listener.local_addr()?, profile = ?config.auth.profile, "Serving the registry; GraphiQL at /graphql.");
    let state = AppState::new(db, statements, verifier).with_coverage_settings(
        graphql::coverage::CoverageSettings {
            disclosure_threshold: config.disclosure_min_count,
        },
    );
    axum::serve(listener, app(state))
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
