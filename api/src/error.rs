//! The one error vocabulary of the API. Every message is safe to show to a client; internal causes
//! stay in `source` and are logged once, where errors leave the GraphQL layer.

use sea_orm::DbErr;
use std::sync::Arc;

/// An error a client can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The request needs a (valid) token.
    #[error("authentication required")]
    Unauthenticated,
    /// The viewer may see the object but not do this to it.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// No such object, or one the viewer may not see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A field of the input is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The change conflicts with the current state (stale version, duplicate key).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Something failed on our side; the cause is logged, never shown.
    #[error("internal server error")]
    Internal(#[source] Arc<DbErr>),
}

impl ApiError {
    /// The machine-readable code sent as `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Invalid { .. } => "BAD_USER_INPUT",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// Shorthand for [`ApiError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::Internal(Arc::new(err))
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(err: Arc<DbErr>) -> Self {
        ApiError::Internal(err)
    }
}

/// The result type of services.
pub type ApiResult<T> = Result<T, ApiError>;
