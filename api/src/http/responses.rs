//! The answers the transport builds itself, in the GraphQL error format: media types, refusals
//! and headers shared by every endpoint.

use crate::auth::AuthError;
use crate::limits::Limit;
use crate::state::HttpState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The media type of GraphQL responses by the GraphQL-over-HTTP specification.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The response media type a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    /// The `Content-Type` of an answer in this media type.
    pub fn content_type(self) -> &'static str {
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

/// The 406 answer to a client that accepts none of the GraphQL media types.
pub fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "this endpoint answers application/graphql-response+json or application/json",
        Media::Json,
    )
}

/// A request refused by a document limit before execution: 400 with the new media type, else
/// 200. The refusal is counted by whoever found it.
pub fn refused(limit: Limit, message: &str, media: Media) -> Response {
    request_error(limit.code(), message, media)
}

/// A request error (it fails before execution) with `code`: 400 with the new media type, else
/// 200.
pub fn request_error(code: &str, message: &str, media: Media) -> Response {
    let status = match media {
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
        Media::Json => StatusCode::OK,
    };
    error_response(status, code, message, media)
}

/// The 400 answer to JSON that cannot be read (the body, or a `variables` parameter): saying so
/// when it holds half a surrogate pair (valid JSON syntax, but no text), which is the client's
/// input (`BAD_USER_INPUT`).
pub fn unreadable_json(json: &[u8], what: &str, media: Media) -> Response {
    if crate::graphql::inputs::holds_lone_surrogate(json) {
        let message = format!(
            "{what} holds a \\u escape of half a UTF-16 surrogate pair without the other half, \
             which is no text"
        );
        error_response(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", &message, media)
    } else {
        error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("{what} is not JSON"),
            media,
        )
    }
}

/// The 401 answer to a refused token, in the GraphQL error format.
pub fn unauthorized(err: &AuthError) -> Response {
    let body = json!({
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

/// The 503 answer to a request whose token could not be checked because the database could not
/// be read (the cause is logged here, never sent).
pub fn database_unavailable(err: &sea_orm::DbErr) -> Response {
    tracing::warn!(error = %err, "The regions a token keeps could not be read.");
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "the database is unavailable; try again shortly",
        Media::Json,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

/// The 503 answer to a request past its deadline (`REQUEST_TIMEOUT_MS`), counted.
pub fn past_deadline(state: &HttpState) -> Response {
    state.metrics.refused(Limit::Deadline);
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        Limit::Deadline.code(),
        &format!(
            "the request took longer than {} ms",
            state.limits.request_timeout().as_millis()
        ),
        Media::Json,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The 408 answer to a body that did not arrive within `BODY_READ_TIMEOUT_MS`. The rest of the
/// body is left unread, so the connection closes (see `close_after_refused_body`).
pub fn slow_body(timeout: std::time::Duration, media: Media) -> Response {
    error_response(
        StatusCode::REQUEST_TIMEOUT,
        "REQUEST_TIMEOUT",
        &format!(
            "the request body did not arrive within {} ms",
            timeout.as_millis()
        ),
        media,
    )
}

/// `response` with the headers `extra` added (those that are valid header values).
pub fn with_headers(mut response: Response, extra: &[(&'static str, String)]) -> Response {
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

/// An answer with its status, media type and `Retry-After` (for 503s).
pub fn respond(
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

/// The answer to a refused persisted query: "not found" is how automatic persisted queries ask
/// for the document (200, as clients expect); a query outside the allow-list is a request error.
pub fn persisted_refusal(refusal: &crate::persisted::Refusal, media: Media) -> Response {
    let status = match (refusal.code, media) {
        ("PERSISTED_QUERY_NOT_FOUND", _) | (_, Media::Json) => StatusCode::OK,
        _ => StatusCode::BAD_REQUEST,
    };
    error_response(status, refusal.code, &refusal.message, media)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
