//! GraphQL over HTTP (the GraphQL-over-HTTP specification), behind the [admission](super::admission).
//!
//! - `POST /graphql` takes `application/json` (else 415): one request object, or an array of at
//!   most `MAX_BATCH` (0 refuses batches); files come as `multipart/form-data`.
//! - `GET /graphql` takes `query`, `operationName`, `variables` and `extensions` in the URL; a
//!   mutation over GET is 405. Browsers asking for HTML get GraphiQL in the development profile.
//! - Responses are `application/graphql-response+json` when the client accepts it (then a request
//!   that fails to parse or validate is 400), else `application/json` (always 200 for a
//!   well-formed request); a client accepting neither gets 406.
//! - Every request, alone or in a batch, takes one path: its persisted query is resolved, its
//!   document checked against the size, token and alias limits and classified once
//!   ([`Operation`]), then [`execute`] answers it (from the response cache, or in a turn).
//!   Depth, cost and directives are checked by the schema. A database that is unreachable or
//!   busy gives 503 with `Retry-After`. An automatic persisted query sent with its document is
//!   learnt only after that, if its answer has no request error ([`Prepared::learn`]).

use super::admission::{self, Admitted, Answered};
use super::operation::{self, Operation};
use super::responses::{self, Media, error_response};
use crate::limits::Limit;
use crate::state::AppState;
use async_graphql::http::GraphiQLSource;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Instant;

/// The most files one multipart request carries.
const MAX_FILES: usize = 4;

/// Why a request of a body is not executed.
enum Unfit {
    /// Its persisted query is unknown or not allowed.
    Persisted(crate::persisted::Refusal),
    /// It has no document.
    Empty,
    /// Its document is past a limit (counted already).
    Limit(Limit, String),
    /// Its document holds an input the server does not read (see [`crate::graphql::inputs`]).
    Input(String),
}

/// A request ready to execute: its operation, and the automatic persisted query to learn (hash
/// and document) once it ran.
struct Prepared {
    operation: Operation,
    to_learn: Option<(String, String)>,
}

impl Prepared {
    /// Learns the request's persisted query if it ran without a request error: a document that
    /// did not parse or validate, or cost too much, is not kept.
    async fn learn(self, state: &AppState, done: &Executed) {
        if let Some((hash, query)) = self.to_learn.filter(|_| !done.rejected) {
            state.persisted.learn(hash, query).await;
        }
    }
}

/// Resolves a request's persisted query and classifies it (see [`operation::classify`]).
async fn prepare(
    state: &AppState,
    request: &mut async_graphql::Request,
    batch: bool,
) -> Result<Prepared, Unfit> {
    let resolved = state
        .persisted
        .resolve(request)
        .await
        .map_err(Unfit::Persisted)?;
    if request.query.trim().is_empty() {
        return Err(Unfit::Empty);
    }
    // Before anything parses the document: the parser cannot read a surrogate escape.
    crate::graphql::inputs::check_source(&request.query).map_err(|refused| {
        Unfit::Input(match refused.pos {
            Some(pos) => format!(
                "{} (line {}, column {})",
                refused.message, pos.line, pos.column
            ),
            None => refused.message,
        })
    })?;
    let operation = operation::classify(&state.http.limits, request, resolved.named, batch)
        .map_err(|(limit, message)| {
            state.http.metrics.refused(limit);
            Unfit::Limit(limit, message)
        })?;
    Ok(Prepared {
        operation,
        to_learn: resolved.to_learn.map(|hash| (hash, request.query.clone())),
    })
}

/// Whether a response is a request error (parse or validation): no data and no error with a path.
fn is_request_error(response: &async_graphql::Response) -> bool {
    matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The body of an executed response. A request error has no `data` at all (the
/// GraphQL-over-HTTP specification: the request failed before execution), where async-graphql
/// would write `"data": null`.
fn serialized(response: &async_graphql::Response) -> Bytes {
    #[derive(serde::Serialize)]
    struct RequestError<'a> {
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
        errors: &'a [async_graphql::ServerError],
    }
    let bytes = if is_request_error(response) {
        serde_json::to_vec(&RequestError {
            extensions: &response.extensions,
            errors: &response.errors,
        })
    } else {
        serde_json::to_vec(response)
    };
    Bytes::from(bytes.unwrap_or_default())
}

/// An executed response and its body, or, when the body exceeds `MAX_RESPONSE_BYTES`, the
/// refusal in its place: a request error naming its size and the limit, with no data.
fn capped(state: &AppState, answer: async_graphql::Response) -> (async_graphql::Response, Bytes) {
    let body = serialized(&answer);
    let most = state.http.limits.max_response_bytes;
    if body.len() <= most {
        return (answer, body);
    }
    state.http.metrics.refused(Limit::ResponseBytes);
    let mut error = async_graphql::ServerError::new(
        format!(
            "the answer would be {} bytes, more than the limit of {most}: ask for smaller pages \
             or fewer fields",
            body.len()
        ),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", Limit::ResponseBytes.code());
    extensions.set("bytes", body.len() as u64);
    extensions.set("limit", most as u64);
    error.extensions = Some(extensions);
    let refusal = async_graphql::Response::from_errors(vec![error]);
    let body = serialized(&refusal);
    (refusal, body)
}

/// The HTTP status and `Retry-After` of an executed response.
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

/// Executes one classified request in a turn and records it under its operation's name.
async fn run(
    state: &AppState,
    admitted: &Admitted,
    request: async_graphql::Request,
    operation: &Operation,
) -> async_graphql::Response {
    let started = Instant::now();
    let turn = admission::turn(state).await;
    // A mutation, and everything it reads back, stays on the primary, as its writes left it.
    let (read_pool, tables) = if operation.is_mutation() {
        (state.db.clone(), None)
    } else {
        (
            state.read_db.clone().unwrap_or_else(|| state.db.clone()),
            Some(state.tables()),
        )
    };
    let response = crate::graphql::execute_on(
        &state.schema,
        state.db.clone(),
        read_pool,
        tables,
        admitted.viewer.clone(),
        request,
    )
    .await;
    drop(turn);
    admitted
        .charge(state, crate::graphql::cost::reported(&response))
        .await;
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
        .request(operation.label(), outcome, started.elapsed().as_secs_f64());
    response
}

/// One executed request: its status, `Retry-After`, body, whether it succeeded, and whether
/// it was a request error (it did not parse, validate, or fit the cost).
struct Executed {
    status: StatusCode,
    retry_after: Option<&'static str>,
    body: Bytes,
    success: bool,
    rejected: bool,
}

impl Executed {
    fn into_response(self, media: Media) -> Response {
        responses::respond(self.status, self.retry_after, self.body, media)
    }
}

/// Answers one classified request, alone or in a batch: from the response cache (anonymous
/// queries), or by running it; after a mutation, reads the new data version before answering, so
/// that the next read of any viewer on this replica, cached or not, shows the change.
async fn execute(
    state: &AppState,
    admitted: &Admitted,
    request: async_graphql::Request,
    operation: &Operation,
    media: Media,
) -> Executed {
    let mutation = operation.is_mutation();
    let key = (admitted.viewer.role().is_none() && !mutation && request.uploads.is_empty())
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
                rejected: false,
            };
        }
    }
    let answer = run(state, admitted, request, operation).await;
    if mutation {
        // Where queries read: with a lagging replica, data and version stay in step.
        state
            .cache
            .refresh(state.read_db.as_ref().unwrap_or(&state.db))
            .await;
    }
    let (answer, body) = capped(state, answer);
    let (status, retry_after) = finish(&answer, media);
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
        rejected: is_request_error(&answer),
    }
}

/// A 400 answer with the code `BAD_REQUEST`.
fn bad(message: &str, media: Media) -> Response {
    error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, media)
}

/// `response`, naming `operation` for the access log.
fn answered(mut response: Response, operation: &str) -> Response {
    response
        .extensions_mut()
        .insert(Answered(operation.to_owned()));
    response
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Some(media) = responses::negotiate(headers) else {
        return responses::not_acceptable();
    };
    let Some(admitted) = parts.extensions.get::<Admitted>().cloned() else {
        return internal();
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
    let limits = &state.http.limits;
    let timeout = state.transport.body_read_timeout();
    let bytes = match tokio::time::timeout(
        timeout,
        axum::body::to_bytes(body, limits.max_body_bytes),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            state.http.metrics.refused(Limit::Body);
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                Limit::Body.code(),
                &format!("the body exceeds {} bytes", limits.max_body_bytes),
                media,
            );
        }
        Err(_) => return responses::slow_body(timeout, media),
    };
    if multipart {
        // async-graphql counts the files only together with a size limit (and then by bytes), so
        // their number is checked here too.
        let options = async_graphql::http::MultipartOptions::default()
            .max_num_files(MAX_FILES)
            .max_file_size(limits.max_body_bytes);
        let body = futures::io::Cursor::new(bytes.to_vec());
        return match async_graphql::http::receive_body(Some(&content_type), body, options).await {
            Ok(request) if request.uploads.len() > MAX_FILES => bad(
                &format!(
                    "a request carries at most {MAX_FILES} files; this one has {}",
                    request.uploads.len()
                ),
                media,
            ),
            Ok(request) => one(&state, &admitted, request, media).await,
            Err(err) => bad(&format!("invalid multipart request: {err}"), media),
        };
    }
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return responses::unreadable_json(&bytes, "the body", media);
    };
    match value {
        Value::Array(items) => batch(&state, &admitted, items, media).await,
        Value::Object(_) => match serde_json::from_value::<async_graphql::Request>(value) {
            Ok(request) => one(&state, &admitted, request, media).await,
            Err(_) => bad(
                "the request needs a `query` string; `variables` must be an object",
                media,
            ),
        },
        _ => bad(
            "the body must be a JSON object (or an array of them)",
            media,
        ),
    }
}

/// The answer to a handler reached without admission (a routing mistake, not the client's).
fn internal() -> Response {
    tracing::error!("A GraphQL request reached its handler without admission.");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal server error",
        Media::Json,
    )
}

/// Answers one request that came alone.
async fn one(
    state: &AppState,
    admitted: &Admitted,
    mut request: async_graphql::Request,
    media: Media,
) -> Response {
    let prepared = match prepare(state, &mut request, false).await {
        Ok(prepared) => prepared,
        Err(Unfit::Persisted(refusal)) => return responses::persisted_refusal(&refusal, media),
        Err(Unfit::Empty) => return bad("the request needs a `query` string", media),
        Err(Unfit::Limit(limit, message)) => return responses::refused(limit, &message, media),
        Err(Unfit::Input(message)) => {
            return responses::request_error("BAD_USER_INPUT", &message, media);
        }
    };
    let label = prepared.operation.label().to_owned();
    let done = execute(state, admitted, request, &prepared.operation, media).await;
    prepared.learn(state, &done).await;
    answered(done.into_response(media), &label)
}

/// Answers a batch: each request on its own, in order, as `application/json` parts; 503 when
/// any found the database unavailable.
async fn batch(state: &AppState, admitted: &Admitted, items: Vec<Value>, media: Media) -> Response {
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
    let refusal = |message: &str, code: &str| {
        Bytes::from(
            json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
                .to_string(),
        )
    };
    let each = "each request of a batch needs a `query` string";
    let mut answers: Vec<Bytes> = Vec::with_capacity(items.len());
    let mut unavailable = false;
    for item in items {
        let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(item) else {
            return bad(each, media);
        };
        let prepared = match prepare(state, &mut request, true).await {
            Ok(prepared) => prepared,
            Err(Unfit::Persisted(refused)) => {
                answers.push(refusal(&refused.message, refused.code));
                continue;
            }
            Err(Unfit::Empty) => return bad(each, media),
            Err(Unfit::Limit(limit, message)) => {
                answers.push(refusal(&message, limit.code()));
                continue;
            }
            Err(Unfit::Input(message)) => {
                answers.push(refusal(&message, "BAD_USER_INPUT"));
                continue;
            }
        };
        let done = execute(state, admitted, request, &prepared.operation, Media::Json).await;
        unavailable |= done.status == StatusCode::SERVICE_UNAVAILABLE;
        prepared.learn(state, &done).await;
        answers.push(done.body);
    }
    let status = if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut body = Vec::with_capacity(answers.iter().map(|a| a.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, answer) in answers.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(answer);
    }
    body.push(b']');
    let response = responses::respond(status, None, Bytes::from(body), media);
    answered(response, "batch")
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
        responses::negotiate(headers)
    };
    let Some(media) = media else {
        return responses::not_acceptable();
    };
    let Some(admitted) = parts.extensions.get::<Admitted>().cloned() else {
        return internal();
    };
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
                Ok(_) => return bad(&format!("`{field}` must be a JSON object"), media),
                Err(_) => {
                    return responses::unreadable_json(
                        text.as_bytes(),
                        &format!("`{field}`"),
                        media,
                    );
                }
            }
        }
    }
    let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(Value::Object(object))
    else {
        return bad("the request parameters are not valid", media);
    };
    let prepared = match prepare(&state, &mut request, false).await {
        Ok(prepared) => prepared,
        Err(Unfit::Persisted(refusal)) => return responses::persisted_refusal(&refusal, media),
        Err(Unfit::Empty) => {
            return bad(
                "a GET request needs a `query` parameter (or a known persistedQuery)",
                media,
            );
        }
        Err(Unfit::Limit(limit, message)) => return responses::refused(limit, &message, media),
        Err(Unfit::Input(message)) => {
            return responses::request_error("BAD_USER_INPUT", &message, media);
        }
    };
    if prepared.operation.is_mutation() {
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
    let label = prepared.operation.label().to_owned();
    let done = execute(&state, &admitted, request, &prepared.operation, media).await;
    let success = done.success;
    prepared.learn(&state, &done).await;
    let response = done.into_response(media);
    let response = if success {
        cacheable(response, admitted.viewer.role().is_none(), headers).await
    } else {
        response
    };
    answered(response, &label)
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
