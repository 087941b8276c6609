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
    /// The database cannot be reached or is busy; the request may be retried (HTTP 503).
    #[error("the database is unavailable; try again shortly")]
    Unavailable(#[source] Arc<DbErr>),
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
            ApiError::Unavailable(_) => "SERVICE_UNAVAILABLE",
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

/// Whether `err` means the database is unreachable, gone or too busy (as opposed to a failed
/// statement): the pool timed out, the connection broke, PostgreSQL ended or cancelled it
/// (SQLSTATE classes 08 and 57, which includes the statement timeout), or another transaction
/// held what it needed ([`Refusal::Contention`]: SQLite busy or locked past its busy timeout, a
/// PostgreSQL serialization failure or deadlock). Each is worth retrying as it is.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
        || refusal_of(err) == Some(Refusal::Contention)
        || sqlx_error(err).is_some_and(|e| {
            matches!(e, Error::PoolTimedOut | Error::PoolClosed)
                || closed_connection(e)
                || sqlstate(e).is_some_and(|code| code.starts_with("57"))
        })
}

/// Whether `err` says that the connection a statement went out on was closed or broken (so the
/// statement may be tried on another), as opposed to the database being unreachable (acquiring
/// a connection failed or timed out) or the statement failing (class 57014, the statement
/// timeout, included).
pub fn is_broken_connection(err: &DbErr) -> bool {
    sqlx_error(err).is_some_and(closed_connection)
}

/// The sqlx error under a failed connection, statement or query.
fn sqlx_error(err: &DbErr) -> Option<&sea_orm::sqlx::Error> {
    use sea_orm::RuntimeErr::SqlxError;
    match err {
        DbErr::Conn(SqlxError(e)) | DbErr::Exec(SqlxError(e)) | DbErr::Query(SqlxError(e)) => {
            Some(e)
        }
        _ => None,
    }
}

/// A connection that broke or that PostgreSQL ended: I/O, protocol, a crashed SQLite worker;
/// admin_shutdown, crash_shutdown, cannot_connect_now; connection exceptions (class 08).
fn closed_connection(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    matches!(e, Error::Io(_) | Error::Protocol(_) | Error::WorkerCrashed)
        || sqlstate(e).is_some_and(|code| {
            matches!(code.as_str(), "57P01" | "57P02" | "57P03") || code.starts_with("08")
        })
}

/// The SQLSTATE of a PostgreSQL error.
fn sqlstate(e: &sea_orm::sqlx::Error) -> Option<String> {
    match e {
        sea_orm::sqlx::Error::Database(db) => db
            .try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>()
            .map(|pg| pg.code().to_owned()),
        _ => None,
    }
}

/// The extended result code of a SQLite error.
fn sqlite_code(e: &sea_orm::sqlx::Error) -> Option<i32> {
    use sea_orm::sqlx::error::DatabaseError;
    match e {
        sea_orm::sqlx::Error::Database(db) => db
            .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
            .and_then(|lite| lite.code())
            .and_then(|code| code.parse().ok()),
        _ => None,
    }
}

/// Why the database refused a statement, read from its error code (SQLSTATE on PostgreSQL, the
/// extended result code on SQLite), never from the message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A unique index: the constraint's name where the database gives it (PostgreSQL).
    Unique(Option<String>),
    /// A foreign key: the row refers to one that does not exist, or is still referred to.
    ForeignKey,
    /// A CHECK or NOT NULL constraint.
    Check,
    /// Another transaction holds the row or the database: serialization failure, deadlock,
    /// lock not available (PostgreSQL 40001, 40P01, 55P03); busy or locked (SQLite 5, 6, with
    /// their extended codes). Retryable: the API answers it as SERVICE_UNAVAILABLE (503).
    Contention,
    /// The database or transaction is read-only (PostgreSQL 25006; SQLite 8).
    ReadOnly,
}

/// The refusal `err` stands for, if it is one.
pub fn refusal_of(err: &DbErr) -> Option<Refusal> {
    use sea_orm::sqlx::error::ErrorKind;
    let e = sqlx_error(err)?;
    let sea_orm::sqlx::Error::Database(db) = e else {
        return None;
    };
    match db.kind() {
        ErrorKind::UniqueViolation => {
            return Some(Refusal::Unique(db.constraint().map(str::to_owned)));
        }
        ErrorKind::ForeignKeyViolation => return Some(Refusal::ForeignKey),
        ErrorKind::CheckViolation | ErrorKind::NotNullViolation => return Some(Refusal::Check),
        _ => {}
    }
    if let Some(code) = sqlstate(e) {
        return match code.as_str() {
            "40001" | "40P01" | "55P03" => Some(Refusal::Contention),
            "25006" => Some(Refusal::ReadOnly),
            _ => None,
        };
    }
    // SQLite: the primary result code is the low byte of the extended one.
    match sqlite_code(e).map(|code| code & 0xff) {
        Some(5 | 6) => Some(Refusal::Contention),
        Some(8) => Some(Refusal::ReadOnly),
        _ => None,
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::from(Arc::new(err))
    }
}

impl From<Arc<DbErr>> for ApiError {
    /// A database that cannot take the statement now (unreachable, busy, or read-only, as a
    /// standby or a database switched read-only for maintenance is) makes the request one to
    /// retry; anything else is ours.
    fn from(err: Arc<DbErr>) -> Self {
        if is_unavailable(&err) || refusal_of(&err) == Some(Refusal::ReadOnly) {
            ApiError::Unavailable(err)
        } else {
            ApiError::Internal(err)
        }
    }
}

/// The result type of services.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::{DbErr, is_broken_connection, is_unavailable};
    use sea_orm::{ConnAcquireErr, RuntimeErr, sqlx};

    #[test]
    fn a_closed_connection_is_retried_an_unreachable_database_is_not() {
        let query = |e: sqlx::Error| DbErr::Query(RuntimeErr::SqlxError(e));
        let closed = query(sqlx::Error::Io(std::io::ErrorKind::BrokenPipe.into()));
        assert!(is_broken_connection(&closed) && is_unavailable(&closed));
        let garbled = query(sqlx::Error::Protocol("unexpected message".into()));
        assert!(is_broken_connection(&garbled) && is_unavailable(&garbled));
        let waited = query(sqlx::Error::PoolTimedOut);
        assert!(!is_broken_connection(&waited) && is_unavailable(&waited));
        let acquire = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert!(!is_broken_connection(&acquire) && is_unavailable(&acquire));
        let missing = DbErr::RecordNotFound("region".into());
        assert!(!is_broken_connection(&missing) && !is_unavailable(&missing));
    }
}
