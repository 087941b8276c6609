//! The queries automatic persisted queries learnt, bounded in bytes (`APQ_MAX_BYTES`), the least
//! recently used first out: in Redis when the replicas share one (`REDIS_URL`), else (and while
//! it cannot be reached) in this replica's memory.

use crate::shared::Shared;
use lru::LruCache;
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes an entry costs beyond its hash and document: the list node and the two strings' headers.
const ENTRY_OVERHEAD: usize = 128;

/// The bytes an entry holds in memory.
fn size(hash: &str, query: &str) -> usize {
    hash.len() + query.len() + ENTRY_OVERHEAD
}

/// Documents by hash in memory, at most `max_bytes` of them, least recently used out first.
/// (`lru` with the bytes counted here: the bound holds after every insert, exactly; a cache that
/// enforces its weight in the background would let a burst of registrations past it.)
pub struct ByteLru {
    entries: LruCache<String, String>,
    bytes: usize,
    max_bytes: usize,
}

impl ByteLru {
    pub fn new(max_bytes: usize) -> Self {
        ByteLru {
            entries: LruCache::unbounded(),
            bytes: 0,
            max_bytes,
        }
    }

    /// The document of `hash`, now the most recently used.
    pub fn get(&mut self, hash: &str) -> Option<String> {
        self.entries.get(hash).cloned()
    }

    /// Keeps `query` under `hash`, dropping the least recently used until the store is within
    /// its bound; a document larger than the whole bound is not kept.
    pub fn put(&mut self, hash: String, query: String) {
        let added = size(&hash, &query);
        if added > self.max_bytes {
            return;
        }
        if let Some((old_hash, old)) = self.entries.push(hash, query) {
            self.bytes -= size(&old_hash, &old);
        }
        self.bytes += added;
        while self.bytes > self.max_bytes {
            let Some((hash, query)) = self.entries.pop_lru() else {
                break;
            };
            self.bytes -= size(&hash, &query);
        }
    }

    /// The bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// Keeps `ARGV[2]` under the hash `ARGV[1]` in the hash `KEYS[1]` (documents), marks it used now
/// in the sorted set `KEYS[2]` (by the counter `KEYS[4]`), and drops the least recently used
/// until the total `KEYS[3]` is within `ARGV[3]` bytes; one atomic step.
const REGISTER: &str = r"
local size = string.len(ARGV[2])
local max = tonumber(ARGV[3])
if size > max then return 0 end
local tick = redis.call('INCR', KEYS[4])
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('INCRBY', KEYS[3], size)
end
redis.call('ZADD', KEYS[2], tick, ARGV[1])
local total = tonumber(redis.call('GET', KEYS[3]) or 0)
while total > max do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local gone = redis.call('HSTRLEN', KEYS[1], oldest[1])
  redis.call('HDEL', KEYS[1], oldest[1])
  total = redis.call('DECRBY', KEYS[3], gone)
end
return 1
";

/// The document of the hash `ARGV[1]` (the keys as in [`REGISTER`]), marked used now.
const LOOKUP: &str = r"
local query = redis.call('HGET', KEYS[1], ARGV[1])
if query then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1]) end
return query
";

static REGISTER_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(REGISTER));
static LOOKUP_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(LOOKUP));

/// The learnt queries of a server.
pub struct Learnt {
    memory: Mutex<ByteLru>,
    shared: Option<Arc<Shared>>,
    max_bytes: usize,
}

impl Learnt {
    /// At most `max_bytes` of documents, in `shared` while it answers, else in memory.
    pub fn new(max_bytes: usize, shared: Option<Arc<Shared>>) -> Self {
        Learnt {
            memory: Mutex::new(ByteLru::new(max_bytes)),
            shared,
            max_bytes,
        }
    }

    fn memory(&self) -> MutexGuard<'_, ByteLru> {
        self.memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A script call on the store's keys in `shared`.
    fn call<'a>(shared: &Shared, script: &'a redis::Script) -> redis::ScriptInvocation<'a> {
        let mut call = script.prepare_invoke();
        for name in ["apq:documents", "apq:used", "apq:bytes", "apq:clock"] {
            call.key(shared.key(name));
        }
        call
    }

    /// The document learnt under `hash`: from Redis, or from memory (where what was learnt
    /// while Redis could not be reached stays).
    pub async fn get(&self, hash: &str) -> Option<String> {
        if let Some(shared) = &self.shared {
            let mut call = Self::call(shared, &LOOKUP_SCRIPT);
            call.arg(hash);
            if let Some(Some(query)) = shared.eval::<Option<String>>(&call).await {
                return Some(query);
            }
        }
        self.memory().get(hash)
    }

    /// Learns `query` under `hash`.
    pub async fn put(&self, hash: String, query: String) {
        if let Some(shared) = &self.shared {
            let mut call = Self::call(shared, &REGISTER_SCRIPT);
            call.arg(&hash).arg(&query).arg(self.max_bytes);
            if shared.eval::<i64>(&call).await.is_some() {
                return;
            }
        }
        self.memory().put(hash, query);
    }

    /// The bytes of documents held in memory.
    pub fn memory_bytes(&self) -> usize {
        self.memory().bytes()
    }

    /// The bytes of documents held in Redis; `None` without Redis or while it cannot be reached.
    pub async fn shared_bytes(&self) -> Option<usize> {
        const BYTES: &str = "return tonumber(redis.call('GET', KEYS[3]) or 0)";
        static BYTES_SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(BYTES));
        let shared = self.shared.as_ref()?;
        let call = Self::call(shared, &BYTES_SCRIPT);
        shared.eval::<usize>(&call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `i`-th document of 30 KiB and a key of a hash's length (the store does not check it).
    fn document(i: usize) -> (String, String) {
        let query = format!("{{ __typename }} #{i:08}{}", "x".repeat(30 * 1024 - 25));
        (format!("{i:064x}"), query)
    }

    #[test]
    fn ten_thousand_registrations_of_30_kib_stay_within_the_byte_bound() {
        let max = crate::limits::Limits::default().apq_max_bytes;
        assert_eq!(max, 16 * 1024 * 1024);
        let mut store = ByteLru::new(max);
        for i in 0..10_000 {
            let (hash, query) = document(i);
            store.put(hash, query);
            assert!(store.bytes() <= max, "after {i}: {}", store.bytes());
        }
        // Full, of the most recent ones.
        assert!(store.bytes() > max - 31 * 1024, "{}", store.bytes());
        assert!(store.get(&document(9_999).0).is_some());
        assert!(store.get(&document(0).0).is_none());
    }

    #[test]
    fn the_least_recently_used_document_goes_first() {
        let (a, b, c) = (document(1), document(2), document(3));
        let mut store = ByteLru::new(2 * size(&a.0, &a.1));
        store.put(a.0.clone(), a.1.clone());
        store.put(b.0.clone(), b.1.clone());
        assert!(
            store.get(&a.0).is_some(),
            "a is now used more recently than b"
        );
        store.put(c.0.clone(), c.1.clone());
        assert!(store.get(&b.0).is_none());
        assert!(store.get(&a.0).is_some() && store.get(&c.0).is_some());
        // The same document twice counts once.
        store.put(c.0.clone(), c.1.clone());
        assert_eq!(store.bytes(), 2 * size(&a.0, &a.1));
    }

    #[tokio::test]
    async fn registrations_in_redis_stay_within_the_byte_bound() {
        let shared = Arc::new(crate::shared::test_connection().await);
        let max = 1024 * 1024;
        let store = Learnt::new(max, Some(shared));
        for i in 0..200 {
            let (hash, query) = document(i);
            store.put(hash, query).await;
        }
        let bytes = store.shared_bytes().await.expect("Redis answers");
        assert!(bytes <= max && bytes > max - 31 * 1024, "{bytes}");
        assert_eq!(store.memory_bytes(), 0, "nothing fell back to memory");
        assert!(store.get(&document(199).0).await.is_some());
        assert!(store.get(&document(0).0).await.is_none());
    }
}
