//! The response cache for anonymous reads: the registry changes a few times a day and is read all
//! day, so an identical anonymous query on unchanged data is answered from memory.
//!
//! Entries are keyed by the data version (`data_version.version`, raised in the same transaction
//! as every write; migration 7) and the request. The version this replica knows is kept current
//! by a watcher: on PostgreSQL it listens for `NOTIFY registry_data_version`, sent at each commit
//! that changed data, and re-reads the row; it also re-reads it every `poll` as a safety net (and
//! only so, when queries read from a replica, which receives no notifications), and after every
//! mutation this replica runs. Answers for signed-in viewers are never cached: they depend on
//! rights. Until the watcher has read a version, the cache stays out of the way.
//!
//! The same version keys values kept in memory beside the cache ([`Versioned`]), such as the
//! reference tables of `graphql::context`.

use lru::LruCache;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A cached answer: the body of a successful (200) answer; the media type is part of its key.
#[derive(Debug)]
pub struct Cached {
    pub body: axum::body::Bytes,
}

/// Answers larger than this are not kept (a full dashboard at scale is recomputed instead).
const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;

/// The most memory the kept answers (keys and bodies) take together.
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

/// The answers kept, least recently used first out, and their size in bytes.
struct Entries {
    lru: LruCache<String, Arc<Cached>>,
    bytes: usize,
}

fn size(key: &str, answer: &Cached) -> usize {
    key.len() + answer.body.len()
}

/// The response cache of one replica.
pub struct ResponseCache {
    entries: Option<Mutex<Entries>>,
    /// The data version known here; 0 until the watcher has read it (then nothing is cached).
    version: AtomicI64,
    /// The same version for those who await a newer one ([`ResponseCache::subscribe`]).
    versions: tokio::sync::watch::Sender<i64>,
    /// Whether the watcher's listener has subscribed to the notifications of commits.
    listening: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("enabled", &self.entries.is_some())
            .field("version", &self.version.load(Ordering::Relaxed))
            .finish()
    }
}

impl ResponseCache {
    /// A cache of at most `capacity` answers (0: no cache).
    pub fn new(capacity: usize) -> Self {
        ResponseCache {
            entries: NonZeroUsize::new(capacity).map(|n| {
                Mutex::new(Entries {
                    lru: LruCache::new(n),
                    bytes: 0,
                })
            }),
            version: AtomicI64::new(0),
            versions: tokio::sync::watch::Sender::new(0),
            listening: tokio::sync::watch::Sender::new(false),
        }
    }

    /// The data version known here, as it changes: await `wait_for(|v| *v >= n)` to know that
    /// this replica has seen version `n` (a write's) instead of polling [`ResponseCache::version`].
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<i64> {
        self.versions.subscribe()
    }

    /// Whether the watcher listens for the notifications of commits (PostgreSQL): `true` from
    /// the moment a commit elsewhere is sure to wake it.
    pub fn listening(&self) -> tokio::sync::watch::Receiver<bool> {
        self.listening.subscribe()
    }

    /// The key of a request at the current version, or `None` when nothing may be cached now.
    pub fn key(&self, media: &str, request: &async_graphql::Request) -> Option<String> {
        self.entries.as_ref()?;
        let version = self.version.load(Ordering::Acquire);
        if version == 0 {
            return None;
        }
        let variables = serde_json::to_string(&request.variables).ok()?;
        Some(format!(
            "{version}\u{0}{media}\u{0}{}\u{0}{variables}\u{0}{}",
            request.operation_name.as_deref().unwrap_or(""),
            request.query
        ))
    }

    /// The key of something else derived from the data at the current version (an export's
    /// ETag), named by `what`; `None` when nothing may be cached now.
    pub fn derived_key(&self, what: &str) -> Option<String> {
        self.entries.as_ref()?;
        let version = self.version.load(Ordering::Acquire);
        (version != 0).then(|| format!("{version}\u{0}derived\u{0}{what}"))
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        let mut entries = self.entries.as_ref()?.lock().ok()?;
        entries.lru.get(key).cloned()
    }

    /// Keeps `answer` under `key`, if it is small enough and the data have not changed since the
    /// key was made.
    pub fn put(&self, key: String, answer: Cached) {
        let Some(entries) = &self.entries else { return };
        let current = self.version.load(Ordering::Acquire);
        if answer.body.len() > MAX_ENTRY_BYTES || !key.starts_with(&format!("{current}\u{0}")) {
            return;
        }
        let Ok(mut entries) = entries.lock() else {
            return;
        };
        let added = size(&key, &answer);
        if let Some(old) = entries.lru.peek(&key) {
            let old = size(&key, old);
            entries.bytes -= old;
        }
        // Make room within the byte budget as well as the count.
        while entries.bytes + added > MAX_TOTAL_BYTES {
            let Some((k, v)) = entries.lru.pop_lru() else {
                break;
            };
            entries.bytes -= size(&k, &v);
        }
        if entries.lru.len() == entries.lru.cap().get()
            && !entries.lru.contains(&key)
            && let Some((k, v)) = entries.lru.pop_lru()
        {
            entries.bytes -= size(&k, &v);
        }
        entries.lru.put(key, Arc::new(answer));
        entries.bytes += added;
    }

    /// The data version known here.
    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// Reads the data version from `db`; entries of older versions are no longer found and age
    /// out of the LRU.
    pub async fn refresh(&self, db: &impl ConnectionTrait) {
        let statement = Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM data_version WHERE id = 1",
        );
        match db.query_one(statement).await {
            Ok(Some(row)) => {
                if let Ok(version) = row.try_get_by_index::<i64>(0) {
                    let known = self
                        .version
                        .fetch_max(version, Ordering::AcqRel)
                        .max(version);
                    self.versions.send_if_modified(|v| {
                        let newer = known > *v;
                        *v = (*v).max(known);
                        newer
                    });
                }
            }
            // Without a version nothing new is cached, and what is cached is of an older one.
            Ok(None) | Err(_) => {
                tracing::warn!("The data version could not be read; not caching answers.");
            }
        }
    }

    /// Keeps the version current until the process ends: reads it from `read` (where queries
    /// read) every `poll`, and on PostgreSQL without a separate replica also at every
    /// notification from `database_url`.
    pub fn watch(
        self: &Arc<Self>,
        read: DatabaseConnection,
        listen_url: Option<String>,
        poll: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            cache.refresh(&read).await;
            let notified = Arc::new(tokio::sync::Notify::new());
            if let Some(url) = listen_url {
                tokio::spawn(listen(url, notified.clone(), cache.clone()));
            }
            loop {
                tokio::select! {
                    () = tokio::time::sleep(poll) => {}
                    () = notified.notified() => {}
                }
                cache.refresh(&read).await;
            }
        })
    }
}

/// A value read from the database at a data version, kept until a request knows a newer one.
#[derive(Debug)]
pub struct Versioned<T>(std::sync::RwLock<Option<(i64, Arc<T>)>>);

impl<T> Default for Versioned<T> {
    fn default() -> Self {
        Versioned(std::sync::RwLock::new(None))
    }
}

impl<T> Versioned<T> {
    /// The value kept at `version`; never one at an unknown version (0).
    pub fn get(&self, version: i64) -> Option<Arc<T>> {
        let kept = self.0.read().ok()?;
        kept.as_ref()
            .filter(|(at, _)| version > 0 && *at == version)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value`, read after `version` was known (so it is at least as new as that version),
    /// unless a value of a newer version is kept already.
    pub fn put(&self, version: i64, value: Arc<T>) {
        if version <= 0 {
            return;
        }
        if let Ok(mut kept) = self.0.write()
            && kept.as_ref().is_none_or(|(at, _)| *at <= version)
        {
            *kept = Some((version, value));
        }
    }
}

/// Wakes `notified` at every `NOTIFY registry_data_version`; reconnects after a failure.
async fn listen(url: String, notified: Arc<tokio::sync::Notify>, cache: Arc<ResponseCache>) {
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if listener.listen("registry_data_version").await.is_ok() {
                    cache.listening.send_replace(true);
                    // Changes while no one listened are caught by this first wake-up.
                    notified.notify_one();
                    while listener.recv().await.is_ok() {
                        notified.notify_one();
                    }
                    cache.listening.send_replace(false);
                }
                tracing::warn!("Lost the data-version notifications; listening again.");
            }
            Err(err) => {
                tracing::warn!(error = %err, "Cannot listen for data-version notifications.");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Whether `db` can send notifications (PostgreSQL).
pub fn notifies(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> async_graphql::Request {
        async_graphql::Request::new(query)
    }

    #[test]
    fn nothing_is_cached_before_a_version_is_known() {
        let cache = ResponseCache::new(10);
        assert_eq!(cache.key("json", &request("{ a }")), None);
        cache.version.store(3, Ordering::Release);
        let key = cache.key("json", &request("{ a }")).expect("a key");
        cache.put(
            key.clone(),
            Cached {
                body: axum::body::Bytes::from_static(b"{}"),
            },
        );
        assert!(cache.get(&key).is_some());
        // A new version makes a new key; an answer computed before it is not kept under it.
        cache.version.store(4, Ordering::Release);
        let newer = cache.key("json", &request("{ a }")).expect("a key");
        assert_ne!(newer, key);
        assert!(cache.get(&newer).is_none());
        assert!(
            ResponseCache::new(0)
                .key("json", &request("{ a }"))
                .is_none()
        );
    }

    #[test]
    fn the_kept_answers_stay_within_count_and_bytes() {
        let cache = ResponseCache::new(3);
        cache.version.store(1, Ordering::Release);
        let body = |n: usize| Cached {
            body: axum::body::Bytes::from(vec![b' '; n]),
        };
        for i in 0..5 {
            let key = cache
                .key("json", &request(&format!("{{ a{i} }}")))
                .expect("key");
            cache.put(key, body(10));
        }
        let (count, total) = {
            let entries = cache
                .entries
                .as_ref()
                .expect("entries")
                .lock()
                .expect("lock");
            (entries.lru.len(), entries.bytes)
        };
        assert_eq!(count, 3);
        assert!(total < 3 * 200, "{total}");
        // An answer larger than an entry may be is not kept.
        let key = cache.key("json", &request("{ big }")).expect("key");
        cache.put(key.clone(), body(MAX_ENTRY_BYTES + 1));
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn a_kept_table_serves_only_its_own_version() {
        let kept = Versioned::<&str>::default();
        // Nothing is kept at an unknown version, nor served for one.
        kept.put(0, Arc::new("unknown"));
        assert!(kept.get(0).is_none());
        kept.put(5, Arc::new("five"));
        assert!(kept.get(0).is_none());
        assert_eq!(kept.get(5).as_deref(), Some(&"five"));
        assert!(
            kept.get(6).is_none(),
            "a newer version reads the table again"
        );
        // A slow request of an older version does not replace a newer copy.
        kept.put(7, Arc::new("seven"));
        kept.put(6, Arc::new("six"));
        assert!(kept.get(6).is_none());
        assert_eq!(kept.get(7).as_deref(), Some(&"seven"));
        // A request begins at the version known now (its reference tables carry it).
        let cache = ResponseCache::new(0);
        assert_eq!(cache.version(), 0);
        cache.version.store(9, Ordering::Release);
        assert_eq!(cache.version(), 9);
    }

    #[test]
    fn requests_differ_by_variables_operation_and_media() {
        let cache = ResponseCache::new(10);
        cache.version.store(1, Ordering::Release);
        let plain = cache.key("json", &request("query Q { a }")).expect("key");
        let named = cache
            .key("json", &request("query Q { a }").operation_name("Q"))
            .expect("key");
        let other_media = cache.key("gql", &request("query Q { a }")).expect("key");
        let with_vars = cache
            .key(
                "json",
                &request("query Q { a }").variables(async_graphql::Variables::from_json(
                    serde_json::json!({ "x": 1 }),
                )),
            )
            .expect("key");
        let keys = [plain, named, other_media, with_vars];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
