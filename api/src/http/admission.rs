//! One admission for every endpoint that answers with the registry's data (`/graphql` and
//! `/export`): the bearer token becomes a [`Viewer`] (401 if it is invalid), the viewer's quota
//! is taken from (429 with `Retry-After` and `RateLimit-*` headers), the request runs within its
//! deadline (503), and every answer, admitted or refused, is counted in the metrics by endpoint
//! and status and written to the access log. The endpoints take their [`turn`] to execute where
//! the work begins: a GraphQL operation once it is classified (an answer from the response cache
//! takes none), an export once its file is known.

use crate::access::{Role, Viewer};
use crate::auth;
use crate::limits::Limit;
use crate::state::AppState;
use crate::throttle::Turn;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::time::Instant;

use super::responses::{self, Media};

/// An admitted request's viewer, put in the request's extensions for the endpoint.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub viewer: Viewer,
    /// The client's address (an anonymous viewer's quota is kept by it).
    pub client: Option<std::net::IpAddr>,
}

impl Admitted {
    /// Charges the viewer's quota for what the request cost beyond the unit its admission took:
    /// `fields` fields of an answer, or rows of an export (see [`crate::throttle::units`]).
    pub async fn charge(&self, state: &AppState, fields: usize) {
        if let Some(limiters) = &state.http.rate {
            let units = crate::throttle::units(fields).saturating_sub(1);
            limiters.charge(&self.viewer, self.client, units).await;
        }
    }
}

/// The operation an endpoint answered, put in the response's extensions for the access log.
#[derive(Debug, Clone)]
pub struct Answered(pub String);

/// The admission middleware (see the module's documentation).
pub async fn admit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |path| path.as_str().to_owned());
    // Read from the request before awaiting: a borrowed request is not `Send`.
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}").to_owned());
    let client = client_of(&request);
    let (response, role) = match admission(&state, authorization.as_deref(), client).await {
        // Refused before a viewer was admitted: no role to name.
        Err(refusal) => (*refusal, "none"),
        Ok((viewer, rate)) => {
            let role = viewer.role().map_or("anonymous", Role::as_str);
            request.extensions_mut().insert(Admitted { viewer, client });
            let limit = state.http.limits.request_timeout();
            let response = match tokio::time::timeout(limit, next.run(request)).await {
                Ok(response) => response,
                // Its work is dropped: an open transaction rolls back.
                Err(_) => responses::past_deadline(&state.http),
            };
            (responses::with_headers(response, &rate), role)
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.http.metrics.answered(&endpoint, status, seconds);
    let operation = response
        .extensions()
        .get::<Answered>()
        .map_or("", |answered| crate::metrics::bounded(&answered.0));
    tracing::info!(
        endpoint = %endpoint,
        operation,
        status,
        viewer.role = role,
        duration_ms = seconds * 1000.0,
        "Answered a request."
    );
    response
}

/// The address the request came from.
fn client_of(request: &Request) -> Option<std::net::IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The `RateLimit-*` headers of an admitted request.
type RateHeaders = Vec<(&'static str, String)>;

/// Authenticates the request and takes from the viewer's quota: the viewer and the rate-limit
/// headers of its answer, or the refusal to send instead.
async fn admission(
    state: &AppState,
    authorization: Option<&str>,
    client: Option<std::net::IpAddr>,
) -> Result<(Viewer, RateHeaders), Box<Response>> {
    let viewer = auth::authenticate(&state.verifier, authorization)
        .map_err(|err| Box::new(responses::unauthorized(&err)))?;
    // The regions a token keeps must exist: from memory at the data version known here.
    let read = state.read_db.as_ref().unwrap_or(&state.db);
    match state
        .regions
        .check(read, state.cache.version(), &viewer)
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(err)) => return Err(Box::new(responses::unauthorized(&err))),
        Err(err) => return Err(Box::new(responses::database_unavailable(&err))),
    }
    let Some(limiters) = &state.http.rate else {
        return Ok((viewer, Vec::new()));
    };
    match limiters.take(&viewer, client).await {
        Ok(None) => Ok((viewer, Vec::new())),
        Ok(Some(allowance)) => Ok((
            viewer,
            vec![
                ("ratelimit-limit", allowance.limit.to_string()),
                ("ratelimit-remaining", allowance.remaining.to_string()),
                ("ratelimit-policy", format!("{};w=60", allowance.limit)),
            ],
        )),
        Err(exceeded) => {
            state.http.metrics.refused(Limit::Rate);
            let seconds = exceeded.retry_after_seconds;
            let response = responses::error_response(
                StatusCode::TOO_MANY_REQUESTS,
                Limit::Rate.code(),
                &format!(
                    "rate limit of {} requests per minute exceeded; retry in {seconds} s",
                    exceeded.limit
                ),
                Media::Json,
            );
            let wait = seconds.max(1).to_string();
            Err(Box::new(responses::with_headers(
                response,
                &[
                    ("retry-after", wait.clone()),
                    ("ratelimit-limit", exceeded.limit.to_string()),
                    ("ratelimit-remaining", "0".to_owned()),
                    ("ratelimit-reset", wait),
                ],
            )))
        }
    }
}

/// Waits for a turn to execute (`MAX_CONCURRENT_EXECUTIONS`), counted as waiting meanwhile; the
/// turn ends when it drops.
pub async fn turn(state: &AppState) -> Turn {
    state.http.turns.turn(state.http.metrics.waiting()).await
}
