//! The one place where errors get their `extensions.code`, and where internal errors are logged
//! (once, with their cause) and reduced to a safe message.

use crate::error::ApiError;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{ErrorExtensionValues, Response, Value};
use std::sync::Arc;

/// Adds `extensions.code` to every error raised from an [`ApiError`].
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
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
                    api.code()
                }
                // Input coercion and other errors raised by the GraphQL engine itself.
                None => "BAD_USER_INPUT",
            };
            error
                .extensions
                .get_or_insert_with(ErrorExtensionValues::default)
                .set("code", Value::from(code));
        }
        response
    }
}
