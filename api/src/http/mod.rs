//! The transport: the router, and the one way a request for the registry's data comes in.
//!
//! `/graphql` and `/export/{file}` pass the same [`admission`] (token, rate limit, deadline,
//! metrics, access log; a turn to execute when the work begins); a GraphQL request is then
//! classified once into an [`operation::Operation`] ([`graphql`]). `/healthz`, `/readyz` and
//! `/metrics` are probes outside the admission. Every answer carries the [security
//! headers](SECURITY_HEADERS); connections are accepted and read by the [`server`].

mod admission;
mod graphql;
pub mod operation;
pub mod responses;
pub mod server;

pub use crate::limits::Transport;
pub use responses::{GRAPHQL_RESPONSE, Media, error_response, negotiate};
pub use server::serve;

use crate::state::AppState;
use admission::{Admitted, Answered};
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The HTTP application: `/graphql` (POST and GET; GraphiQL for browsers in development),
/// `/export/{file}` (CSV and JSON downloads), `/healthz`, `/readyz` and `/metrics`.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/export/{file}", get(export))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admission::admit,
        ));
    let cors = cors_layer(&state.cors_origins);
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let hsts = state
        .transport
        .hsts_max_age_seconds
        .and_then(|seconds| HeaderValue::from_str(&format!("max-age={seconds}")).ok());
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
        .layer(axum::middleware::map_response(move |response| {
            secured(response, hsts.clone())
        }))
        .with_state(state)
}

/// The security headers of the Dutch API Design Rules, on every answer: no content sniffing, no
/// referrer, never shown in a frame. (A fuller `Content-Security-Policy` would stop GraphiQL,
/// which loads its scripts from a CDN.)
pub const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
];

/// `response` with the [`SECURITY_HEADERS`], and `Strict-Transport-Security` when configured
/// (`HSTS_MAX_AGE_SECONDS`: only behind TLS).
async fn secured(mut response: Response, hsts: Option<HeaderValue>) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if let Some(hsts) = hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    response
}

/// `GET /export/{file}`: the download as the admitted viewer, in a turn to execute (building an
/// export runs its GraphQL queries).
async fn export(
    State(state): State<AppState>,
    Extension(admitted): Extension<Admitted>,
    Path(file): Path<String>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let _turn = admission::turn(&state).await;
    let mut response =
        crate::export::download(&state, &admitted.viewer, &file, &params, &headers).await;
    // An export pays for its rows as an answer does for its fields.
    if let Some(crate::export::Rows(rows)) = response.extensions().get().copied() {
        admitted.charge(&state, rows).await;
    }
    response.extensions_mut().insert(Answered(file));
    response
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
    let check = crate::db::pending_migrations(&state.db);
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

/// A body refused with 413 (too large) or 408 (too slow) is left unread, so the connection cannot
/// carry another request: say so, or a client may reuse it and see its next request cut off.
async fn close_after_refused_body(mut response: Response) -> Response {
    if matches!(
        response.status(),
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
    ) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
