//! The state every request shares, built once: the pools, the schema, the token verifier, the
//! caches and the counters of the HTTP layer.

use crate::auth::TokenVerifier;
use crate::auth::regions::KnownRegions;
use crate::cache::ResponseCache;
use crate::db::StatementCounter;
use crate::graphql::context::{ReferenceTables, TablesAt};
use crate::graphql::{self, RegistrySchema};
use crate::limits::Limits;
use crate::limits::Transport;
use crate::metrics::Metrics;
use crate::persisted::PersistedQueries;
use crate::shared::Shared;
use crate::throttle::{RateLimiters, Turns};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The primary database.
    pub db: DatabaseConnection,
    /// A read replica, if configured (`DATABASE_READ_URL`): queries read from it.
    pub read_db: Option<DatabaseConnection>,
    pub schema: RegistrySchema,
    /// SQL statements run so far (for tests and benchmarks).
    pub statements: StatementCounter,
    /// Checks bearer tokens.
    pub verifier: Arc<TokenVerifier>,
    /// The current regions' codes, which a coordinator's token must name, by data version.
    pub regions: Arc<KnownRegions>,
    /// Limits, rate limiters and metrics of the HTTP layer.
    pub http: Arc<HttpState>,
    /// The protections of the transport: timeouts, connections per client, HSTS.
    pub transport: Arc<Transport>,
    /// Origins allowed to call the API from a browser (`*`: any; empty: no CORS headers).
    pub cors_origins: Arc<Vec<String>>,
    /// Automatic persisted queries, or the allow-list of operations that may run.
    pub persisted: Arc<PersistedQueries>,
    /// Anonymous answers by data version, and the version known here; out of the way until
    /// [`AppState::with_response_cache`] started the watcher of the version.
    pub cache: Arc<ResponseCache>,
    /// The reference tables, kept under the data version the response cache knows (so, like
    /// its answers, only once its watcher runs).
    pub tables: Arc<ReferenceTables>,
}

impl AppState {
    /// State over an open database, trusting the keys of `verifier`, with the default limits and
    /// schema settings (development: GraphiQL, introspection and suggestions on).
    pub fn new(
        db: DatabaseConnection,
        statements: StatementCounter,
        verifier: TokenVerifier,
    ) -> Self {
        AppState {
            db,
            read_db: None,
            schema: graphql::schema(),
            statements,
            verifier: Arc::new(verifier),
            regions: Arc::default(),
            http: Arc::new(
                HttpState::new(Limits::default(), true, None)
                    .expect("the default rate limits are valid"),
            ),
            transport: Arc::new(Transport::default()),
            cors_origins: Arc::new(Vec::new()),
            persisted: Arc::new(PersistedQueries::default()),
            // Off: a cache without its watcher would never learn of changes made elsewhere.
            cache: Arc::new(ResponseCache::new(0)),
            tables: Arc::default(),
        }
    }

    /// The same state with a response cache of `entries` answers (0: none), kept current by
    /// a watcher of the data version (spawned here; call from within a Tokio runtime). The
    /// watcher runs even without answers to keep: the reference tables are kept by it too.
    pub fn with_response_cache(
        mut self,
        entries: usize,
        listen_url: Option<String>,
        poll: std::time::Duration,
    ) -> Self {
        self.cache = Arc::new(ResponseCache::new(entries));
        let read = self.read_db.clone().unwrap_or_else(|| self.db.clone());
        self.cache.watch(read, listen_url, poll);
        self
    }

    /// The reference tables a request may reuse: those read at the data version known now.
    pub fn tables(&self) -> TablesAt {
        TablesAt {
            tables: self.tables.clone(),
            version: self.cache.version(),
        }
    }

    /// The same state reading queries from `replica`.
    pub fn with_read_replica(mut self, replica: DatabaseConnection) -> Self {
        self.read_db = Some(replica);
        self
    }

    /// The same state with the persisted-query store `persisted`.
    pub fn with_persisted_queries(mut self, persisted: PersistedQueries) -> Self {
        self.persisted = Arc::new(persisted);
        self
    }

    /// The same state with `limits`, schema `settings` and GraphiQL on or off (the rate limits
    /// and learnt persisted queries in memory; see [`AppState::with_redis`]).
    pub fn configured(
        mut self,
        limits: Limits,
        settings: graphql::SchemaSettings,
        graphiql: bool,
    ) -> Result<Self, String> {
        self.schema = graphql::schema_with(settings);
        self.http = Arc::new(HttpState::new(limits, graphiql, None)?);
        self.learn_in(None);
        Ok(self)
    }

    /// The same state keeping rate limits and learnt persisted queries in the Redis at `url`
    /// under `prefix`, shared with the other replicas (in memory while it cannot be reached,
    /// tried again `retry` after a failure). Call within a Tokio runtime, after
    /// [`AppState::configured`].
    pub fn with_redis(
        mut self,
        url: &str,
        prefix: &str,
        retry: std::time::Duration,
    ) -> Result<Self, String> {
        let limits = self.http.limits.clone();
        let metrics = Metrics::new();
        let shared = Arc::new(Shared::connect(url, prefix, retry, metrics.backend())?);
        self.http = Arc::new(HttpState::with_metrics(
            limits,
            self.http.graphiql,
            Some(shared.clone()),
            metrics,
        )?);
        self.learn_in(Some(shared));
        Ok(self)
    }

    /// Automatic persisted queries learnt within `APQ_MAX_BYTES`, in `shared` if given (an
    /// allow-list stays as it is).
    fn learn_in(&mut self, shared: Option<Arc<Shared>>) {
        if self.persisted.is_automatic() {
            self.persisted = Arc::new(PersistedQueries::automatic(
                self.http.limits.apq_max_bytes,
                shared,
            ));
        }
    }

    /// The same state with the transport's protections `transport`.
    pub fn with_transport(mut self, transport: Transport) -> Self {
        self.transport = Arc::new(transport);
        self
    }

    /// The same state allowing browsers from `origins` (`*`: any).
    pub fn with_cors(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = Arc::new(origins);
        self
    }
}

/// What the HTTP layer keeps between requests: its limits, the rate limiters, the turns to
/// execute and the metrics.
pub struct HttpState {
    pub limits: Limits,
    /// GraphiQL for browsers (development profile only).
    pub graphiql: bool,
    /// The per-minute quotas; `None` when rate limiting is off.
    pub rate: Option<RateLimiters>,
    pub metrics: Metrics,
    /// At most `MAX_CONCURRENT_EXECUTIONS` operations execute at once.
    pub turns: Turns,
}

impl HttpState {
    /// The HTTP state for `limits`, the rate limits kept in `shared` if given; an invalid
    /// `RATE_LIMITS` is an error.
    pub fn new(
        limits: Limits,
        graphiql: bool,
        shared: Option<Arc<Shared>>,
    ) -> Result<Self, String> {
        Self::with_metrics(limits, graphiql, shared, Metrics::new())
    }

    /// [`HttpState::new`] recording in `metrics` (those `shared` reports to).
    fn with_metrics(
        limits: Limits,
        graphiql: bool,
        shared: Option<Arc<Shared>>,
        metrics: Metrics,
    ) -> Result<Self, String> {
        Ok(HttpState {
            rate: limits
                .quotas()?
                .map(|quotas| RateLimiters::new(quotas, shared)),
            turns: Turns::new(limits.executions()),
            limits,
            graphiql,
            metrics,
        })
    }
}
