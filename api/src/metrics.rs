//! Prometheus metrics, served at `/metrics`: requests by operation and outcome, latency, limit and
//! rate-limit refusals, the database pool, and where the state the replicas share is kept (Redis,
//! or memory when it is unset or unreachable).

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::DatabaseConnection;

/// The buckets of the latency histograms, in seconds.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The registry's metrics; one per application.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    answers: IntCounterVec,
    answer_latency: HistogramVec,
    refusals: IntCounterVec,
    pool: IntGaugeVec,
    cache: IntCounterVec,
    statements: prometheus::IntGauge,
    waiting: prometheus::IntGauge,
    backend: BackendMetrics,
}

/// Where the rate limits and the learnt persisted queries are kept: the gauge
/// `registry_rate_limit_backend{backend}` (1 for the one in use) and the count of operations that
/// fell back to memory because Redis could not be reached.
#[derive(Clone)]
pub struct BackendMetrics {
    backend: IntGaugeVec,
    fallbacks: prometheus::IntCounter,
}

impl BackendMetrics {
    /// Records that the shared state is kept in Redis (`true`) or in memory.
    pub fn serving(&self, redis: bool) {
        self.backend
            .with_label_values(&["redis"])
            .set(i64::from(redis));
        self.backend
            .with_label_values(&["memory"])
            .set(i64::from(!redis));
    }

    /// Counts an operation served from memory because Redis could not be reached.
    pub fn fell_back(&self) {
        self.fallbacks.inc();
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("registry".to_owned()), None).unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name and outcome",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "Time to answer a GraphQL request",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation"],
        )
        .expect("valid metric");
        let answers = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "Requests to /graphql and /export by route and status, refused ones included",
            ),
            &["endpoint", "status"],
        )
        .expect("valid metric");
        let answer_latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer a request to /graphql or /export",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["endpoint"],
        )
        .expect("valid metric");
        let refusals = IntCounterVec::new(
            Opts::new("refusals_total", "Requests refused by a limit, by limit"),
            &["limit"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("valid metric");
        let cache = IntCounterVec::new(
            Opts::new(
                "response_cache_total",
                "Anonymous queries answered from the response cache (hit) or computed (miss)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let statements = prometheus::IntGauge::new(
            "db_statements_total",
            "SQL statements the API has run since it started",
        )
        .expect("valid metric");
        let waiting = prometheus::IntGauge::new(
            "graphql_executions_waiting",
            "GraphQL operations and exports waiting for a turn to execute (MAX_CONCURRENT_EXECUTIONS)",
        )
        .expect("valid metric");
        let backend = BackendMetrics {
            backend: IntGaugeVec::new(
                Opts::new(
                    "rate_limit_backend",
                    "Where rate limits and learnt persisted queries are kept: 1 for the backend in use (redis, or memory)",
                ),
                &["backend"],
            )
            .expect("valid metric"),
            fallbacks: prometheus::IntCounter::new(
                "redis_fallbacks_total",
                "Rate-limit and persisted-query operations served from memory because Redis could not be reached",
            )
            .expect("valid metric"),
        };
        backend.serving(false);
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(answers.clone()),
            Box::new(answer_latency.clone()),
            Box::new(refusals.clone()),
            Box::new(pool.clone()),
            Box::new(cache.clone()),
            Box::new(statements.clone()),
            Box::new(waiting.clone()),
            Box::new(backend.backend.clone()),
            Box::new(backend.fallbacks.clone()),
        ] {
            let _ = registry.register(collector);
        }
        Metrics {
            registry,
            requests,
            latency,
            answers,
            answer_latency,
            refusals,
            pool,
            cache,
            statements,
            waiting,
            backend,
        }
    }

    /// The metrics of where the shared state is kept, for the Redis connection to update.
    pub fn backend(&self) -> BackendMetrics {
        self.backend.clone()
    }

    /// Records a finished GraphQL request.
    pub fn request(&self, operation: &str, outcome: &str, seconds: f64) {
        let operation = bounded(operation);
        self.requests.with_label_values(&[operation, outcome]).inc();
        self.latency
            .with_label_values(&[operation])
            .observe(seconds);
    }

    /// Records an answer of the admission (to `/graphql` or `/export`, admitted or refused) by
    /// the endpoint's route and the status.
    pub fn answered(&self, endpoint: &str, status: u16, seconds: f64) {
        self.answers
            .with_label_values(&[endpoint, &status.to_string()])
            .inc();
        self.answer_latency
            .with_label_values(&[endpoint])
            .observe(seconds);
    }

    /// Records a refusal by `limit`.
    pub fn refused(&self, limit: crate::limits::Limit) {
        self.refusals.with_label_values(&[limit.label()]).inc();
    }

    /// Records a lookup in the response cache.
    pub fn cache(&self, hit: bool) {
        let outcome = if hit { "hit" } else { "miss" };
        self.cache.with_label_values(&[outcome]).inc();
    }

    /// The gauge of operations waiting for a turn to execute.
    pub fn waiting(&self) -> &prometheus::IntGauge {
        &self.waiting
    }

    /// The metrics in the Prometheus text format, with the pool's state and the statement count
    /// read now.
    pub fn render(&self, db: &DatabaseConnection, statements: u64) -> String {
        self.statements
            .set(i64::try_from(statements).unwrap_or(i64::MAX));
        let (size, idle) = pool_state(db);
        self.pool.with_label_values(&["open"]).set(size);
        self.pool.with_label_values(&["idle"]).set(idle);
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// A name from a client as a label: itself if it is a short identifier, else `other`, so that the
/// label set stays bounded.
pub fn bounded(name: &str) -> &str {
    if name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name
    } else {
        "other"
    }
}

fn pool_state(db: &DatabaseConnection) -> (i64, i64) {
    match db {
        DatabaseConnection::SqlxPostgresPoolConnection(_) => {
            let pool = db.get_postgres_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
        DatabaseConnection::SqlxSqlitePoolConnection(_) => {
            let pool = db.get_sqlite_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
        _ => (0, 0),
    }
}
