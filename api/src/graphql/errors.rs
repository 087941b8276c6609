//! The one place where errors get their `extensions.code`, and where internal errors are logged
//! (once, with their cause) and reduced to a safe message.
//!
//! It runs on the finished response rather than as a schema extension: an extension wraps every
//! field's resolution, and costs per field what this costs per error.

use crate::error::ApiError;
use async_graphql::{ErrorExtensionValues, Response, Value};

/// Adds `extensions.code` to every error raised from an [`ApiError`]; errors the engine raised
/// itself (input coercion, ...) are the client's.
pub fn add_codes(response: &mut Response) {
    for error in &mut response.errors {
        let code = match error.source::<ApiError>() {
            Some(api) => {
                match api {
                    ApiError::Internal(cause) => {
                        tracing::error!(error = %cause, path = ?error.path, "A request failed on our side.");
                    }
                    ApiError::Unavailable(cause) => {
                        tracing::warn!(error = %cause, path = ?error.path, "The database is unavailable.");
                    }
                    _ => {}
                }
                Some(api.code())
            }
            None => None,
        };
        if let Some(code) = code {
            error
                .extensions
                .get_or_insert_with(ErrorExtensionValues::default)
                .set("code", Value::from(code));
        }
    }
}
