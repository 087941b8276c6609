//! GraphQL over HTTP (the GraphQL-over-HTTP specification), with the API's transport limits.
//!
//! - `POST /graphql` takes `application/json` (else 415): one request object, or an array of at
//!   most `MAX_BATCH` (0 refuses batches).
//! - `GET /graphql` takes `query`, `operationName`, `variables` and `extensions` in the URL; a
//!   mutation over GET is 405. Browsers asking for HTML get GraphiQL in the development profile.
//! - Responses are `application/graphql-response+json` when the client accepts it (then a request
//!   that fails to parse or validate is 400), else `application/json` (always 200 for a
//!   well-formed request); a client accepting neither gets 406.
//! - Before execution: authentication (401), the rate limit (429 with `Retry-After` and
//!   `RateLimit-*` headers), document size, tokens and aliases; depth, cost and directives are
//!   checked by the schema. A database that is unreachable or busy gives 503 with `Retry-After`.

use crate::access::{Role, Viewer};
use crate::limits::{self, Limit, Limits, Quotas};
use crate::metrics::Metrics;
use crate::{AppState, auth, graphql};
use async_graphql::http::GraphiQLSource;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

/// The media type of GraphQL responses by the GraphQL-over-HTTP specification.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What the HTTP layer keeps between requests.
pub struct HttpState {
    pub limits: Limits,
    /// GraphiQL for browsers (development profile only).
    pub graphiql: bool,
    limiters: Option<RateLimiters>,
    pub metrics: Metrics,
    executions: Executions,
}

/// Turns to execute: at most so many GraphQL operations run at once, the others wait in line.
/// On a few cores more at once only add memory (every operation builds its answer in full),
/// not throughput.
#[derive(Clone)]
struct Executions(Arc<tokio::sync::Semaphore>);

impl Executions {
    fn new(slots: usize) -> Self {
        Executions(Arc::new(tokio::sync::Semaphore::new(slots.max(1))))
    }

    /// Waits for a turn, counted in `waiting` meanwhile; the turn ends when the permit drops.
    async fn turn(&self, waiting: &prometheus::IntGauge) -> tokio::sync::OwnedSemaphorePermit {
        if let Ok(permit) = self.0.clone().try_acquire_owned() {
            return permit;
        }
        let _waiting = Waiting::new(waiting);
        self.0
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

/// Counts one waiting operation while it lives: also one dropped while waiting (its deadline
/// passed) stops being counted.
struct Waiting<'a>(&'a prometheus::IntGauge);

impl<'a> Waiting<'a> {
    fn new(gauge: &'a prometheus::IntGauge) -> Self {
        gauge.inc();
        Waiting(gauge)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

type Limiter = DefaultKeyedRateLimiter<String, StateInformationMiddleware>;

/// The `RateLimit-*` headers of an admitted request.
type RateHeaders = Vec<(&'static str, String)>;

struct RateLimiters {
    quotas: Quotas,
    by_role: HashMap<Option<Role>, Limiter>,
}

impl HttpState {
    /// The HTTP state for `limits`; an invalid `RATE_LIMITS` is an error.
    pub fn new(limits: Limits, graphiql: bool) -> Result<Self, String> {
        let limiters = limits.quotas()?.map(|quotas| {
            let roles = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
            let by_role = roles
                .map(|role| {
                    let per_minute = NonZeroU32::new(quotas.of(role)).unwrap_or(NonZeroU32::MIN);
                    let limiter = governor::RateLimiter::keyed(Quota::per_minute(per_minute))
                        .with_middleware::<StateInformationMiddleware>();
                    (role, limiter)
                })
                .collect();
            RateLimiters { quotas, by_role }
        });
        Ok(HttpState {
            executions: Executions::new(limits.executions()),
            limits,
            graphiql,
            limiters,
            metrics: Metrics::new(),
        })
    }

    /// Takes one request from the viewer's quota; `Err` is the 429 answer.
    fn take(
        &self,
        viewer: &Viewer,
        client: Option<SocketAddr>,
    ) -> Result<RateHeaders, Box<Response>> {
        let Some(limiters) = &self.limiters else {
            return Ok(Vec::new());
        };
        let role = viewer.role();
        let key = match (viewer.sub(), client) {
            (Some(sub), _) => format!("sub:{sub}"),
            (None, Some(addr)) => format!("ip:{}", addr.ip()),
            (None, None) => "ip:unknown".to_owned(),
        };
        let Some(limiter) = limiters.by_role.get(&role) else {
            return Ok(Vec::new());
        };
        let limit = limiters.quotas.of(role);
        match limiter.check_key(&key) {
            Ok(state) => Ok(vec![
                ("ratelimit-limit", limit.to_string()),
                (
                    "ratelimit-remaining",
                    state.remaining_burst_capacity().to_string(),
                ),
                ("ratelimit-policy", format!("{limit};w=60")),
            ]),
            Err(not_until) => {
                self.metrics.refused(Limit::Rate);
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut response = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    Limit::Rate.code(),
                    &format!(
                        "rate limit of {limit} requests per minute exceeded; retry in {seconds} s"
                    ),
                    Media::Json,
                );
                let headers = response.headers_mut();
                for (name, value) in [
                    ("retry-after", seconds.max(1).to_string()),
                    ("ratelimit-limit", limit.to_string()),
                    ("ratelimit-remaining", "0".to_owned()),
                    ("ratelimit-reset", seconds.max(1).to_string()),
                ] {
                    if let Ok(value) = HeaderValue::from_str(&value) {
                        headers.insert(name, value);
                    }
                }
                Err(Box::new(response))
            }
        }
    }
}

/// The response media type a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => GRAPHQL_RESPONSE,
            Media::Json => "application/json",
        }
    }
}

/// Chooses the response media type from `Accept` (none: `application/json`); `None` if the client
/// accepts neither.
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, Media)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let range = parts.next().unwrap_or("").to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let media = match range.as_str() {
            GRAPHQL_RESPONSE => Media::GraphqlResponse,
            "application/json" | "application/*" | "*/*" => Media::Json,
            _ => continue,
        };
        // Equal preference: the specification's media type wins.
        let better = match best {
            None => true,
            Some((bq, bm)) => q > bq || (q == bq && media == Media::GraphqlResponse && bm != media),
        };
        if better {
            best = Some((q, media));
        }
    }
    best.map(|(_, media)| media)
}

/// A GraphQL error body with `code`.
pub fn error_response(status: StatusCode, code: &str, message: &str, media: Media) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    response
}

/// A request refused by a limit before execution: 400 with the new media type, else 200.
fn refused(state: &HttpState, limit: Limit, message: String, media: Media) -> Response {
    state.metrics.refused(limit);
    let status = match media {
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
        Media::Json => StatusCode::OK,
    };
    error_response(status, limit.code(), &message, media)
}

/// Checks a request's document against the size, token and alias limits; on success, the name
/// of the document's only operation, if it has one (for the metrics). The parsed document stays
/// in the request, so the engine does not parse it again.
fn check_document(
    limits: &Limits,
    request: &mut async_graphql::Request,
) -> Result<Option<String>, (Limit, String)> {
    let query = &request.query;
    if query.len() > limits.max_document_bytes {
        return Err((
            Limit::DocumentBytes,
            format!(
                "the query document has {} bytes; at most {} are accepted",
                query.len(),
                limits.max_document_bytes
            ),
        ));
    }
    let tokens = limits::count_tokens(query);
    if tokens > limits.max_tokens {
        return Err((
            Limit::Tokens,
            format!(
                "the query document has {tokens} tokens; at most {} are accepted",
                limits.max_tokens
            ),
        ));
    }
    // A document that does not parse is left to the schema, which reports it properly.
    let Ok(document) = request.parsed_query() else {
        return Ok(None);
    };
    let aliases = limits::count_aliases(document);
    if aliases > limits.max_aliases {
        return Err((
            Limit::Aliases,
            format!(
                "the query uses {aliases} aliases; at most {} are accepted",
                limits.max_aliases
            ),
        ));
    }
    let mut names = document
        .operations
        .iter()
        .map(|(name, _)| name.map(|n| n.to_string()));
    Ok(match (names.next(), names.next()) {
        (Some(name), None) => name,
        _ => None,
    })
}

/// Whether a response is a request error (parse or validation): no data and no error with a path.
fn is_request_error(response: &async_graphql::Response) -> bool {
    matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The HTTP status and headers of an executed response.
fn finish(response: &async_graphql::Response, media: Media) -> (StatusCode, Option<&'static str>) {
    let code = |c: &str| {
        response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|v| *v == async_graphql::Value::from(c))
        })
    };
    if code("SERVICE_UNAVAILABLE") {
        return (StatusCode::SERVICE_UNAVAILABLE, Some("2"));
    }
    if media == Media::GraphqlResponse && is_request_error(response) {
        return (StatusCode::BAD_REQUEST, None);
    }
    (StatusCode::OK, None)
}

fn client_of(request_headers: &axum::http::Extensions) -> Option<SocketAddr> {
    request_headers
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

/// Authenticates and takes from the rate limit: the viewer and the rate-limit headers.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    client: Option<SocketAddr>,
) -> Result<(Viewer, RateHeaders), Box<Response>> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let viewer = auth::authenticate(&state.verifier, authorization)
        .map_err(|err| Box::new(crate::unauthorized(&err)))?;
    let rate = state.http.take(&viewer, client)?;
    Ok((viewer, rate))
}

fn with_headers(mut response: Response, extra: &[(&'static str, String)]) -> Response {
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

/// Executes one request and records it under its operation name (given, or `named`: that of
/// the document's only operation).
async fn run(
    state: &AppState,
    viewer: &Viewer,
    request: async_graphql::Request,
    named: Option<String>,
) -> async_graphql::Response {
    let operation = request
        .operation_name
        .clone()
        .or(named)
        .unwrap_or_else(|| "anonymous".to_owned());
    let started = Instant::now();
    let turn = state
        .http
        .executions
        .turn(state.http.metrics.waiting())
        .await;
    let response = graphql::execute_on(
        &state.schema,
        state.db.clone(),
        state.read_db.clone(),
        Some(state.cache.tables()),
        viewer.clone(),
        request,
    )
    .await;
    drop(turn);
    for error in &response.errors {
        let code = error.extensions.as_ref().and_then(|x| x.get("code"));
        for limit in [Limit::Depth, Limit::Cost, Limit::Directives] {
            if code.is_some_and(|c| *c == async_graphql::Value::from(limit.code())) {
                state.http.metrics.refused(limit);
            }
        }
    }
    let outcome = if response.errors.is_empty() {
        "ok"
    } else if is_request_error(&response) {
        "rejected"
    } else {
        "error"
    };
    state
        .http
        .metrics
        .request(&operation, outcome, started.elapsed().as_secs_f64());
    response
}

/// An answer with its status, media type and `Retry-After` (for 503s).
fn respond(
    status: StatusCode,
    retry_after: Option<&'static str>,
    body: axum::body::Bytes,
    media: Media,
) -> Response {
    let mut out = (status, body).into_response();
    let headers = out.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
    }
    out
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Some(media) = negotiate(headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "this endpoint answers application/graphql-response+json or application/json",
            Media::Json,
        );
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // Files come as multipart requests (the GraphQL multipart request specification).
    let multipart = essence == "multipart/form-data";
    if essence != "application/json" && !multipart {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as application/json (or multipart/form-data to upload a file)",
            media,
        );
    }
    let (viewer, rate) = match admit(&state, headers, client_of(&parts.extensions)) {
        Ok(admitted) => admitted,
        Err(response) => return *response,
    };
    let bytes: Bytes = match axum::body::to_bytes(body, state.http.limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            state.http.metrics.refused(Limit::Body);
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                Limit::Body.code(),
                &format!(
                    "the body exceeds {} bytes",
                    state.http.limits.max_body_bytes
                ),
                media,
            );
        }
    };
    let bad =
        |message: &str| error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, media);
    if multipart {
        let options = async_graphql::http::MultipartOptions::default().max_num_files(4);
        let body = futures::io::Cursor::new(bytes.to_vec());
        return match async_graphql::http::receive_body(Some(&content_type), body, options).await {
            Ok(request) => with_headers(answer_one(&state, &viewer, request, media).await, &rate),
            Err(err) => bad(&format!("invalid multipart request: {err}")),
        };
    }
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return bad("the body is not JSON");
    };
    let response = match value {
        Value::Array(items) => {
            let limits = &state.http.limits;
            if items.is_empty() || items.len() > limits.max_batch {
                let message = if limits.max_batch == 0 {
                    "batched requests are not accepted; send one request object".to_owned()
                } else {
                    format!(
                        "a batch holds 1 to {} requests; this one has {}",
                        limits.max_batch,
                        items.len()
                    )
                };
                state.http.metrics.refused(Limit::Batch);
                return error_response(
                    StatusCode::BAD_REQUEST,
                    Limit::Batch.code(),
                    &message,
                    media,
                );
            }
            let mut answers: Vec<axum::body::Bytes> = Vec::with_capacity(items.len());
            let refusal = |message: &str, code: &str| {
                axum::body::Bytes::from(
                    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
                        .to_string(),
                )
            };
            let mut unavailable = false;
            for item in items {
                let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(item) else {
                    return bad("each request of a batch needs a `query` string");
                };
                if let Err(refused) = state.persisted.resolve(&mut request) {
                    answers.push(refusal(&refused.message, refused.code));
                    continue;
                }
                if request.query.trim().is_empty() {
                    return bad("each request of a batch needs a `query` string");
                }
                let named = match check_document(limits, &mut request) {
                    Ok(named) => named,
                    Err((limit, message)) => {
                        state.http.metrics.refused(limit);
                        answers.push(refusal(&message, limit.code()));
                        continue;
                    }
                };
                let done = execute(&state, &viewer, request, named, Media::Json).await;
                unavailable |= done.status == StatusCode::SERVICE_UNAVAILABLE;
                answers.push(done.body);
            }
            let status = if unavailable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            let mut body =
                Vec::with_capacity(answers.iter().map(|a| a.len() + 1).sum::<usize>() + 2);
            body.push(b'[');
            for (i, answer) in answers.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(answer);
            }
            body.push(b']');
            let mut out = (status, body).into_response();
            out.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(media.content_type()),
            );
            out
        }
        Value::Object(_) => {
            let Ok(request) = serde_json::from_value::<async_graphql::Request>(value) else {
                return bad("the request needs a `query` string; `variables` must be an object");
            };
            answer_one(&state, &viewer, request, media).await
        }
        _ => return bad("the body must be a JSON object (or an array of them)"),
    };
    with_headers(response, &rate)
}

/// Answers one request: persisted query, document limits, execution.
async fn answer_one(
    state: &AppState,
    viewer: &Viewer,
    mut request: async_graphql::Request,
    media: Media,
) -> Response {
    if let Err(refusal) = state.persisted.resolve(&mut request) {
        return persisted_refusal(&refusal, media);
    }
    if request.query.trim().is_empty() {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request needs a `query` string",
            media,
        );
    }
    let named = match check_document(&state.http.limits, &mut request) {
        Ok(named) => named,
        Err((limit, message)) => return refused(&state.http, limit, message, media),
    };
    answer(state, viewer, request, named, media).await.0
}

/// Runs one request (see [`execute`]) and answers it; also says whether the answer is a success
/// (200 without errors).
async fn answer(
    state: &AppState,
    viewer: &Viewer,
    request: async_graphql::Request,
    named: Option<String>,
    media: Media,
) -> (Response, bool) {
    let done = execute(state, viewer, request, named, media).await;
    (
        respond(done.status, done.retry_after, done.body, media),
        done.success,
    )
}

/// One executed request: its status, `Retry-After`, body, and whether it succeeded.
struct Executed {
    status: StatusCode,
    retry_after: Option<&'static str>,
    body: axum::body::Bytes,
    success: bool,
}

/// Runs one request, alone or in a batch, or answers it from the response cache (anonymous
/// queries); after a mutation, reads the new data version before answering, so that the next
/// read of any viewer on this replica, cached or not, shows the change.
async fn execute(
    state: &AppState,
    viewer: &Viewer,
    mut request: async_graphql::Request,
    named: Option<String>,
    media: Media,
) -> Executed {
    let mutation = graphql::runs_mutation(&mut request);
    let key = (viewer.role().is_none() && !mutation && request.uploads.is_empty())
        .then(|| state.cache.key(media.content_type(), &request))
        .flatten();
    if let Some(key) = &key {
        let hit = state.cache.get(key);
        state.http.metrics.cache(hit.is_some());
        if let Some(hit) = hit {
            return Executed {
                status: StatusCode::OK,
                retry_after: None,
                body: hit.body.clone(),
                success: true,
            };
        }
    }
    let answer = run(state, viewer, request, named).await;
    if mutation {
        // Where queries read: with a lagging replica, data and version stay in step.
        state
            .cache
            .refresh(state.read_db.as_ref().unwrap_or(&state.db))
            .await;
    }
    let (status, retry_after) = finish(&answer, media);
    let body = axum::body::Bytes::from(serde_json::to_vec(&answer).unwrap_or_default());
    let success = answer.errors.is_empty() && status == StatusCode::OK;
    if let Some(key) = key.filter(|_| success) {
        state
            .cache
            .put(key, crate::cache::Cached { body: body.clone() });
    }
    Executed {
        status,
        retry_after,
        body,
        success,
    }
}

/// `GET /graphql`: GraphiQL for a browser in development, otherwise a query in the URL.
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let headers = &parts.headers;
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let params: HashMap<String, String> =
        axum::extract::Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
    if wants_html && state.http.graphiql && !params.contains_key("query") {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let media = if wants_html {
        Some(Media::Json)
    } else {
        negotiate(headers)
    };
    let Some(media) = media else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "this endpoint answers application/graphql-response+json or application/json",
            Media::Json,
        );
    };
    let bad =
        |message: &str| error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, media);
    let mut object = serde_json::Map::new();
    object.insert(
        "query".to_owned(),
        json!(params.get("query").cloned().unwrap_or_default()),
    );
    if let Some(name) = params.get("operationName").filter(|n| !n.is_empty()) {
        object.insert("operationName".to_owned(), json!(name));
    }
    for field in ["variables", "extensions"] {
        if let Some(text) = params.get(field).filter(|v| !v.is_empty()) {
            match serde_json::from_str::<Value>(text) {
                Ok(value @ Value::Object(_)) => {
                    object.insert(field.to_owned(), value);
                }
                _ => return bad(&format!("`{field}` must be a JSON object")),
            }
        }
    }
    let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(Value::Object(object))
    else {
        return bad("the request parameters are not valid");
    };
    if let Err(refusal) = state.persisted.resolve(&mut request) {
        return persisted_refusal(&refusal, media);
    }
    if request.query.trim().is_empty() {
        return bad("a GET request needs a `query` parameter (or a known persistedQuery)");
    }
    if graphql::runs_mutation(&mut request) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
            media,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let (viewer, rate) = match admit(&state, headers, client_of(&parts.extensions)) {
        Ok(admitted) => admitted,
        Err(response) => return *response,
    };
    let named = match check_document(&state.http.limits, &mut request) {
        Ok(named) => named,
        Err((limit, message)) => {
            return with_headers(refused(&state.http, limit, message, media), &rate);
        }
    };
    let (response, ok) = answer(&state, &viewer, request, named, media).await;
    let response = if ok {
        cacheable(response, viewer.role().is_none(), headers).await
    } else {
        response
    };
    with_headers(response, &rate)
}

/// A successful GET answer with an `ETag` (304 when the client has it) and `Cache-Control`:
/// shared caches may keep an anonymous answer for a minute; a signed-in viewer's only the client,
/// revalidating.
async fn cacheable(response: Response, anonymous: bool, request: &HeaderMap) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let digest = crate::persisted::hash(&String::from_utf8_lossy(&bytes));
    let etag = format!("W/\"{}\"", &digest[..32]);
    let cache_control = if anonymous {
        "public, max-age=60"
    } else {
        "private, no-cache"
    };
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The answer to a refused persisted query: "not found" is how automatic persisted queries ask
/// for the document (200, as clients expect); a query outside the allow-list is a request error.
fn persisted_refusal(refusal: &crate::persisted::Refusal, media: Media) -> Response {
    let status = match (refusal.code, media) {
        ("PERSISTED_QUERY_NOT_FOUND", _) | (_, Media::Json) => StatusCode::OK,
        _ => StatusCode::BAD_REQUEST,
    };
    error_response(status, refusal.code, &refusal.message, media)
}

/// The request deadline: a request still running after `REQUEST_TIMEOUT_MS` is answered with
/// 503; its work is dropped (an open transaction rolls back).
pub async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.http.limits.request_timeout();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            state.http.metrics.refused(Limit::Deadline);
            let mut response = error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                Limit::Deadline.code(),
                &format!("the request took longer than {} ms", limit.as_millis()),
                Media::Json,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn operations_beyond_the_slots_wait_their_turn() {
        let executions = Executions::new(1);
        let waiting = prometheus::IntGauge::new("waiting", "waiting").expect("gauge");
        let first = executions.turn(&waiting).await;
        let mut second = Box::pin(executions.turn(&waiting));
        let wait = std::time::Duration::from_millis(20);
        assert!(tokio::time::timeout(wait, &mut second).await.is_err());
        assert_eq!(waiting.get(), 1);
        // One that gives up waiting (its deadline passed) stops being counted.
        let third = tokio::time::timeout(wait, executions.turn(&waiting)).await;
        assert!(third.is_err());
        assert_eq!(waiting.get(), 1);
        drop(first);
        let second = tokio::time::timeout(std::time::Duration::from_secs(5), second)
            .await
            .expect("the second gets the turn the first gave up");
        assert_eq!(waiting.get(), 0);
        drop(second);
        assert!(executions.0.try_acquire().is_ok());
    }

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header"),
        );
        negotiate(&headers)
    }

    #[test]
    fn accept_headers_are_negotiated() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept(GRAPHQL_RESPONSE), Some(Media::GraphqlResponse));
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Media::Json)
        );
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn documents_are_checked_against_the_limits() {
        let limits = Limits {
            max_document_bytes: 100,
            max_tokens: 20,
            max_aliases: 1,
            ..Limits::default()
        };
        let check = |query: &str| {
            check_document(&limits, &mut async_graphql::Request::new(query)).map_err(|e| e.0)
        };
        assert!(check("{ a }").is_ok());
        assert_eq!(
            check(&format!("{{ a }} #{}", "x".repeat(100))),
            Err(Limit::DocumentBytes)
        );
        assert_eq!(
            check("{ a b c d e f g h i j k l m n o p q r s t }"),
            Err(Limit::Tokens)
        );
        assert_eq!(check("{ x: a y: a }"), Err(Limit::Aliases));
    }
}
