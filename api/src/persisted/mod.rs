//! Persisted queries: Apollo's automatic persisted queries (a client sends the SHA-256 of a query
//! it sent before instead of the query), and an allow-list mode in which only registered
//! operations run.
//!
//! A request names its query in `extensions.persistedQuery.sha256Hash` (version 1). In automatic
//! mode an unknown hash is answered with `PERSISTED_QUERY_NOT_FOUND`, after which the client sends
//! hash and query together; the server learns the pair ([`Learnt`]: bounded in bytes, shared by
//! the replicas through Redis) only once the request ran without a request error, so a document
//! past a limit, that does not parse or validate, or that costs too much is never kept. In
//! allow-list mode (`PERSISTED_QUERIES_FILE`), the registered queries are the only ones that run
//! and nothing is learnt (so nothing a client sends can push a registered query out); any other
//! document is refused with `PERSISTED_QUERY_NOT_ALLOWED`.

mod learnt;

pub use learnt::{ByteLru, Learnt};

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The lowercase hex SHA-256 of a query document.
pub fn hash(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a persisted query was refused: a code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refusal(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The persisted-query store of a server.
pub enum PersistedQueries {
    /// Automatic persisted queries: any query runs; hashes are learnt.
    Automatic(Learnt),
    /// Only these queries (by hash) run.
    AllowList(HashMap<String, String>),
}

impl Default for PersistedQueries {
    fn default() -> Self {
        PersistedQueries::Automatic(Learnt::new(
            crate::limits::Limits::default().apq_max_bytes,
            None,
        ))
    }
}

/// A request resolved from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Whether the request named its document by a hash.
    pub named: bool,
    /// The hash to learn the request's document under, once it ran without a request error
    /// (see [`PersistedQueries::learn`]).
    pub to_learn: Option<String>,
}

impl PersistedQueries {
    /// Automatic persisted queries, at most `max_bytes` of them, kept in `shared` while it
    /// answers.
    pub fn automatic(
        max_bytes: usize,
        shared: Option<std::sync::Arc<crate::shared::Shared>>,
    ) -> Self {
        PersistedQueries::Automatic(Learnt::new(max_bytes, shared))
    }

    /// Whether queries are learnt (not an allow-list).
    pub fn is_automatic(&self) -> bool {
        matches!(self, PersistedQueries::Automatic(_))
    }

    /// Learns `query` under `hash` (automatic mode; an allow-list learns nothing). Call only for
    /// a request that ran without a request error.
    pub async fn learn(&self, hash: String, query: String) {
        if let PersistedQueries::Automatic(learnt) = self {
            learnt.put(hash, query).await;
        }
    }

    /// The allow-list of `queries` (documents; each is registered under its hash).
    pub fn allow_list<I: IntoIterator<Item = String>>(queries: I) -> Self {
        PersistedQueries::AllowList(queries.into_iter().map(|q| (hash(&q), q)).collect())
    }

    /// Reads an allow-list file: a JSON array of query documents, or an object from hash to
    /// document (as client build tools write them; every hash is checked).
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let queries: Vec<String> = match value {
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|q| q.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("{}: every entry must be a query string", path.display()))?,
            serde_json::Value::Object(map) => {
                let mut queries = Vec::with_capacity(map.len());
                for (key, query) in map {
                    let query = query.as_str().ok_or_else(|| {
                        format!("{}: the entry {key} is not a query string", path.display())
                    })?;
                    if hash(query) != key.to_ascii_lowercase() {
                        return Err(format!(
                            "{}: {key} is not the SHA-256 of its query",
                            path.display()
                        ));
                    }
                    queries.push(query.to_owned());
                }
                queries
            }
            _ => {
                return Err(format!(
                    "{}: expected an array or an object",
                    path.display()
                ));
            }
        };
        Ok(PersistedQueries::allow_list(queries))
    }

    /// Completes `request` from the store, or refuses it.
    pub async fn resolve(&self, request: &mut async_graphql::Request) -> Result<Resolved, Refusal> {
        let wanted = requested_hash(request)?;
        let named = wanted.is_some();
        let has_query = !request.query.trim().is_empty();
        if let (Some(wanted), true) = (&wanted, has_query)
            && hash(&request.query) != *wanted
        {
            return Err(refusal(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "the sha256Hash does not match the query",
            ));
        }
        let resolved = Resolved {
            named,
            to_learn: None,
        };
        match self {
            PersistedQueries::Automatic(learnt) => match (wanted, has_query) {
                (Some(wanted), false) => match learnt.get(&wanted).await {
                    Some(query) => {
                        request.query = query;
                        Ok(resolved)
                    }
                    None => Err(refusal(
                        "PERSISTED_QUERY_NOT_FOUND",
                        "PersistedQueryNotFound",
                    )),
                },
                (Some(wanted), true) => Ok(Resolved {
                    to_learn: Some(wanted),
                    ..resolved
                }),
                (None, _) => Ok(resolved),
            },
            PersistedQueries::AllowList(allowed) => {
                let key = match (wanted, has_query) {
                    (Some(wanted), _) => wanted,
                    (None, true) => hash(&request.query),
                    (None, false) => return Ok(resolved),
                };
                match allowed.get(&key) {
                    Some(query) => {
                        request.query = query.clone();
                        Ok(resolved)
                    }
                    None => Err(refusal(
                        "PERSISTED_QUERY_NOT_ALLOWED",
                        "only registered operations run on this server",
                    )),
                }
            }
        }
    }
}

/// The hash of `extensions.persistedQuery`, if the request has one.
fn requested_hash(request: &async_graphql::Request) -> Result<Option<String>, Refusal> {
    let Some(persisted) = request.extensions.0.get("persistedQuery") else {
        return Ok(None);
    };
    let persisted = persisted.clone().into_json().unwrap_or_default();
    if persisted["version"] != 1 {
        return Err(refusal(
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "persistedQuery.version must be 1",
        ));
    }
    match persisted["sha256Hash"].as_str() {
        Some(h) if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(Some(h.to_ascii_lowercase()))
        }
        _ => Err(refusal(
            "BAD_REQUEST",
            "persistedQuery.sha256Hash must be 64 hexadecimal digits",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut body = json!({ "query": query });
        if let Some(hash) = hash {
            body["extensions"] = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        }
        serde_json::from_value(body).expect("a request")
    }

    #[tokio::test]
    async fn automatic_mode_learns_queries_once_told_to() {
        let store = PersistedQueries::default();
        let query = "{ regions(first: 1) { totalCount } }";
        let h = hash(query);
        let mut unknown = request("", Some(&h));
        assert_eq!(
            store.resolve(&mut unknown).await.map_err(|r| r.code),
            Err("PERSISTED_QUERY_NOT_FOUND")
        );
        let registering = store
            .resolve(&mut request(query, Some(&h)))
            .await
            .expect("runs");
        assert_eq!(registering.to_learn.as_deref(), Some(h.as_str()));
        // Resolving alone learns nothing: the request must run first.
        let mut still_unknown = request("", Some(&h));
        assert!(store.resolve(&mut still_unknown).await.is_err());
        store.learn(h.clone(), query.to_owned()).await;
        let mut known = request("", Some(&h));
        let found = store.resolve(&mut known).await.expect("found");
        assert!(found.named, "named by its hash");
        assert_eq!(found.to_learn, None, "known already");
        assert_eq!(known.query, query);
        let mut wrong = request("{ other }", Some(&h));
        assert_eq!(
            store.resolve(&mut wrong).await.map_err(|r| r.code),
            Err("PERSISTED_QUERY_HASH_MISMATCH")
        );
        let plain = store
            .resolve(&mut request("{ plain }", None))
            .await
            .expect("plain queries run");
        assert!(!plain.named, "not named by a hash");
    }

    #[tokio::test]
    async fn allow_list_mode_runs_only_registered_queries() {
        let query = "{ regions(first: 1) { totalCount } }";
        let store = PersistedQueries::allow_list([query.to_owned()]);
        store
            .resolve(&mut request(query, None))
            .await
            .expect("registered");
        let mut by_hash = request("", Some(&hash(query)));
        store
            .resolve(&mut by_hash)
            .await
            .expect("registered by hash");
        assert_eq!(by_hash.query, query);
        assert_eq!(
            store
                .resolve(&mut request("{ other }", None))
                .await
                .map_err(|r| r.code),
            Err("PERSISTED_QUERY_NOT_ALLOWED")
        );
    }

    #[tokio::test]
    async fn junk_sent_to_an_allow_list_evicts_nothing() {
        let query = "{ regions(first: 1) { totalCount } }";
        let store = PersistedQueries::allow_list([query.to_owned()]);
        for i in 0..1_000 {
            let junk = format!("{{ __typename }} #{i}{}", "x".repeat(30 * 1024));
            store.learn(hash(&junk), junk).await;
        }
        let mut by_hash = request("", Some(&hash(query)));
        store.resolve(&mut by_hash).await.expect("still registered");
        assert_eq!(by_hash.query, query);
    }

    #[test]
    fn the_known_hash_of_a_query() {
        assert_eq!(
            hash("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
    }
}
