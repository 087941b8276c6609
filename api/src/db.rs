//! Database connections: the embedded SQLite default or PostgreSQL, with a statement counter.

pub mod roles;

use crate::access::Claims;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the SQL statements the application has run; read by tests and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Opens a pool for `url` with the default limits (see [`connect_with`]).
pub async fn connect(url: &str) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    connect_with(url, &crate::limits::Limits::default()).await
}

/// Connections of a PostgreSQL pool (SQLite: 4).
const POSTGRES_CONNECTIONS: u32 = 16;

/// How long a SQLite statement waits for a lock another connection holds before it fails as busy
/// (then a retryable 503): longer than a write takes, well within the request deadline.
pub const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens a pool for `url`, creating the directory of a SQLite file if needed. A request waits at
/// most `DB_ACQUIRE_TIMEOUT_MS` for a connection; on PostgreSQL every statement is cut off after
/// `DB_STATEMENT_TIMEOUT_MS`.
///
/// SQLite runs in WAL mode (readers do not block the writer nor it them; `synchronous = NORMAL`,
/// durable at each checkpoint and safe against corruption) and waits up to
/// [`SQLITE_BUSY_TIMEOUT`] for a lock; write transactions take the write lock when they begin
/// (see [`begin_with_claims`]).
///
/// A connection is not pinged before each use (that round trip cost a sixth of the server's
/// time on a simple query). One the database has closed is found out by the statement that
/// uses it, and dropped from the pool when it comes back; reads and `BEGIN`, which have changed
/// nothing yet, are then retried on another connection (see [`retry_broken`]), so the pool
/// recovers by itself when the database comes back.
pub async fn connect_with(
    url: &str,
    limits: &crate::limits::Limits,
) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    if let Some(dir) = sqlite_parent_dir(url) {
        std::fs::create_dir_all(&dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite:") {
            4
        } else {
            POSTGRES_CONNECTIONS
        })
        .min_connections(1)
        .acquire_timeout(limits.acquire_timeout())
        .connect_timeout(limits.acquire_timeout())
        .test_before_acquire(false)
        .sqlx_logging(false);
    let statement_timeout = limits.statement_timeout_ms.to_string();
    options.map_sqlx_postgres_opts(move |pg| {
        pg.options([("statement_timeout", statement_timeout.as_str())])
    });
    options.map_sqlx_sqlite_opts(|lite| {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        lite.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
    });
    let mut db = Database::connect(options).await?;
    let counter = StatementCounter::default();
    let inner = counter.0.clone();
    db.set_metric_callback(move |info| {
        inner.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(
            sql = %info.statement.sql,
            duration_ms = info.elapsed.as_secs_f64() * 1000.0,
            failed = info.failed,
            "Ran a statement."
        );
    });
    Ok((db, counter))
}

/// Runs `attempt` again while it fails on a connection the database had closed (a restart, an
/// administrator's `pg_terminate_backend`, a network cut): each such connection leaves the pool
/// when it is handed back, so after at most one try per pooled connection a fresh one is used.
/// Only for work that changes nothing before it fails that way: a read, or `BEGIN`. When the
/// database cannot be reached at all, acquiring fails and that error is returned at once.
pub async fn retry_broken<T, F, Fut>(mut attempt: F) -> Result<T, DbErr>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbErr>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(err)
                if tries < POSTGRES_CONNECTIONS && crate::error::is_broken_connection(&err) =>
            {
                tries += 1;
                tracing::debug!(error = %err, tries, "A pooled connection was closed; trying another.");
            }
            result => return result,
        }
    }
}

/// How many of the registry's migrations the database at `db` lacks. Reads the applied versions
/// directly: the app's role may not create the table that sea-orm's `get_pending_migrations`
/// would create if it were missing (then this is an error).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await?;
    let applied: std::collections::HashSet<String> = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "version").ok())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .filter(|m| !applied.contains(m.name()))
        .count())
}

/// The directory a SQLite URL's file lives in, if it is a file URL with a directory part.
fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    (!parent.as_os_str().is_empty()).then(|| parent.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::sqlite_parent_dir;
    use std::path::PathBuf;

    #[test]
    fn finds_the_directory_of_a_sqlite_file() {
        assert_eq!(
            sqlite_parent_dir("sqlite://data/registry.db?mode=rwc"),
            Some(PathBuf::from("data"))
        );
        assert_eq!(sqlite_parent_dir("sqlite:registry.db"), None);
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_parent_dir("postgres://postgres@localhost/x"), None);
    }
}

/// The connection a request reads through. On PostgreSQL it is a transaction that carries the
/// viewer's claims (`app.role`, `app.regions`), so the row-level security policies filter every
/// read even if the API forgot to; it is opened on the first read, so a request refused before
/// execution runs no SQL at all. An anonymous viewer has no claims, and a connection without
/// claims is anonymous to the policies (the claims are transaction-local, never left on a pooled
/// connection), so its reads go straight to the pool: no BEGIN, `set_config` and COMMIT around
/// them, and no connection held for the whole request. On SQLite, which has no such policies,
/// it is the pool.
#[derive(Clone)]
pub struct Reader {
    pool: DatabaseConnection,
    claims: std::sync::Arc<Claims>,
    transaction: std::sync::Arc<tokio::sync::OnceCell<sea_orm::DatabaseTransaction>>,
}

impl Reader {
    async fn transaction(&self) -> Result<Option<&sea_orm::DatabaseTransaction>, DbErr> {
        use sea_orm::ConnectionTrait;
        let anonymous = self.claims.is_anonymous();
        if anonymous || self.pool.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(None);
        }
        self.transaction
            .get_or_try_init(|| begin_with_claims(&self.pool, &self.claims))
            .await
            .map(Some)
    }
}

#[async_trait::async_trait]
impl sea_orm::ConnectionTrait for Reader {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        match self.transaction().await? {
            Some(txn) => txn.execute(stmt).await,
            None => self.pool.execute(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        match self.transaction().await? {
            Some(txn) => txn.execute_unprepared(sql).await,
            None => self.pool.execute_unprepared(sql).await,
        }
    }

    async fn query_one(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        match self.transaction().await? {
            Some(txn) => txn.query_one(stmt).await,
            None => retry_broken(|| self.pool.query_one(stmt.clone())).await,
        }
    }

    async fn query_all(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        match self.transaction().await? {
            Some(txn) => txn.query_all(stmt).await,
            None => retry_broken(|| self.pool.query_all(stmt.clone())).await,
        }
    }
}

/// Begins a transaction carrying `claims` as `app.role` and `app.regions` (comma-separated), which
/// the PostgreSQL policies read; on a closed connection, on another one.
///
/// On SQLite it is a write transaction from its first statement, as `BEGIN IMMEDIATE` makes one:
/// it waits (up to the busy timeout) for the writer before it, instead of reading first and then
/// failing as busy, without waiting, when it upgrades to write after another writer committed.
/// sea-orm 1.1 begins every transaction with a plain `BEGIN` and has no way to say `IMMEDIATE`
/// (SeaQL/sea-orm#2692), and issuing `BEGIN IMMEDIATE` behind its back would leave its
/// bookkeeping of the transaction wrong if the request were cancelled in between; so the first
/// statement is a write that changes nothing, which takes the write lock exactly as `BEGIN
/// IMMEDIATE` does. The transaction commits and rolls back as sea-orm's own.
pub async fn begin_with_claims(
    db: &DatabaseConnection,
    claims: &Claims,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    retry_broken(|| begin_once(db, claims)).await
}

/// A write that changes nothing, to begin a SQLite transaction as `BEGIN IMMEDIATE` does: an
/// `UPDATE` takes the write lock before it looks at a row, whatever its `WHERE` (the table is
/// one every migrated database has, holding one row).
const TAKE_THE_WRITE_LOCK: &str = "UPDATE data_version SET version = version WHERE 0";

async fn begin_once(
    db: &DatabaseConnection,
    claims: &Claims,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = db.begin().await?;
    match txn.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            txn.execute(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT set_config('app.role', $1, true), set_config('app.regions', $2, true)",
                [claims.role.clone().into(), claims.regions.join(",").into()],
            ))
            .await?;
        }
        sea_orm::DbBackend::Sqlite => {
            txn.execute_unprepared(TAKE_THE_WRITE_LOCK).await?;
        }
        sea_orm::DbBackend::MySql => {}
    }
    Ok(txn)
}

/// The connection a request with `claims` reads through (see [`Reader`]).
pub fn reader(db: &DatabaseConnection, claims: Claims) -> Reader {
    Reader {
        pool: db.clone(),
        claims: std::sync::Arc::new(claims),
        transaction: std::sync::Arc::new(tokio::sync::OnceCell::new()),
    }
}
