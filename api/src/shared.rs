//! What the replicas of the API share through Redis (`REDIS_URL`): the rate limits, so that all
//! replicas together hold one budget, and the learnt persisted queries, so that a query
//! registered on one replica is found on the others.
//!
//! Redis is a help, not a dependency: when it cannot be reached the callers keep the same state
//! in memory (per replica, as without `REDIS_URL`), the metrics say so
//! (`registry_rate_limit_backend`, `registry_redis_fallbacks_total`), and Redis is tried again
//! after [`RETRY`]; the connection manager reconnects.

use crate::metrics::BackendMetrics;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, ScriptInvocation};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a command to Redis (or a connection attempt) may take before the caller falls back
/// to memory: a request must not wait on an unreachable Redis.
const TIMEOUT: Duration = Duration::from_millis(250);

/// How long Redis is left alone after it failed, before a request tries it again.
pub const RETRY: Duration = Duration::from_secs(1);

/// A connection to the Redis the replicas share, and whether it answers.
pub struct Shared {
    connection: ConnectionManager,
    prefix: String,
    retry: Duration,
    /// Until when Redis is skipped after a failure; `None` while it answers.
    down_until: Mutex<Option<Instant>>,
    metrics: BackendMetrics,
}

impl Shared {
    /// A connection to `url` (made on first use, so the API starts while Redis is down), keeping
    /// its keys under `prefix`, retried `retry` after a failure. Call within a Tokio runtime.
    pub fn connect(
        url: &str,
        prefix: &str,
        retry: Duration,
        metrics: BackendMetrics,
    ) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("REDIS_URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(0);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("REDIS_URL: {e}"))?;
        metrics.serving(true);
        Ok(Shared {
            connection,
            prefix: prefix.to_owned(),
            retry,
            down_until: Mutex::new(None),
            metrics,
        })
    }

    /// The Redis key of `name`, under this deployment's prefix.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Runs a script in one round trip; `None` when Redis cannot be reached now (or failed a
    /// moment ago), and the caller falls back to memory.
    pub async fn eval<T: FromRedisValue>(&self, call: &ScriptInvocation<'_>) -> Option<T> {
        let skipping = self.down().is_some_and(|until| Instant::now() < until);
        if skipping {
            self.metrics.fell_back();
            return None;
        }
        let mut connection = self.connection.clone();
        match call.invoke_async(&mut connection).await {
            Ok(value) => {
                if self.set_down(None).is_some() {
                    tracing::info!(
                        "Redis answers again; rate limits and persisted queries are shared again."
                    );
                    self.metrics.serving(true);
                }
                Some(value)
            }
            Err(err) => {
                if self.set_down(Some(Instant::now() + self.retry)).is_none() {
                    tracing::warn!(
                        error = %err,
                        "Redis cannot be reached; rate limits and persisted queries are kept in memory meanwhile."
                    );
                    self.metrics.serving(false);
                }
                self.metrics.fell_back();
                None
            }
        }
    }

    fn down(&self) -> Option<Instant> {
        *self
            .down_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets until when Redis is skipped; what it was.
    fn set_down(&self, until: Option<Instant>) -> Option<Instant> {
        let mut down = self
            .down_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::replace(&mut *down, until)
    }
}

/// The Redis the tests share (127.0.0.1:6379), under a prefix of their own so that no two tests
/// share a budget or a store; it fails the test, saying why, when that Redis does not answer.
#[cfg(test)]
pub async fn test_connection() -> Shared {
    let url = "redis://127.0.0.1:6379";
    let client = redis::Client::open(url).expect("a valid URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| {
            panic!("these tests need Redis at {url} (apt-get install redis-server): {e}")
        });
    let pong: String = redis::cmd("PING")
        .query_async(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("Redis at {url} does not answer PING: {e}"));
    assert_eq!(pong, "PONG");
    let prefix = format!("test:{}:", uuid::Uuid::new_v4());
    Shared::connect(
        url,
        &prefix,
        RETRY,
        crate::metrics::Metrics::new().backend(),
    )
    .expect("connects")
}
