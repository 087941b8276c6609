//! Every limit that protects the public API, in one place, with its default and its error code.
//!
//! A client that exceeds a limit is refused before any SQL runs, with an `extensions.code` that
//! names the limit (see [`Limit::code`]).

use crate::access::Role;
use clap::Args;
use std::collections::HashMap;
use std::time::Duration;

/// The limits of the API (flags and environment variables of the binary).
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Deepest selection a query may make.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 16, global = true)]
    pub max_depth: usize,
    /// Highest estimated cost of an operation: every field costs 1, a connection's selection
    /// counts `first` (or `last`) times, a plain list's as often as it may hold items (see
    /// `graphql/cost.rs`).
    #[arg(long, env = "MAX_QUERY_COST", default_value_t = 50_000, global = true)]
    pub max_cost: usize,
    /// Most aliases in a document.
    #[arg(long, env = "MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,
    /// Most directives on one field.
    #[arg(
        long,
        env = "MAX_DIRECTIVES_PER_FIELD",
        default_value_t = 5,
        global = true
    )]
    pub max_directives: usize,
    /// Largest query document, in bytes.
    #[arg(long, env = "MAX_DOCUMENT_BYTES", default_value_t = 32 * 1024, global = true)]
    pub max_document_bytes: usize,
    /// Most lexical tokens in a query document.
    #[arg(
        long,
        env = "MAX_DOCUMENT_TOKENS",
        default_value_t = 5_000,
        global = true
    )]
    pub max_tokens: usize,
    /// Most operations in one batched request (a JSON array body); 0 refuses batches.
    #[arg(long, env = "MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,
    /// Largest request body, in bytes (HTTP 413 beyond).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1 << 20, global = true)]
    pub max_body_bytes: usize,
    /// Largest answer of one GraphQL operation, in bytes: a bigger one is refused
    /// (`RESPONSE_TOO_LARGE`) rather than sent.
    #[arg(
        long,
        env = "MAX_RESPONSE_BYTES",
        default_value_t = 8 << 20,
        global = true
    )]
    pub max_response_bytes: usize,
    /// Deadline of a request, in milliseconds (HTTP 503 beyond).
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub request_timeout_ms: u64,
    /// PostgreSQL `statement_timeout` of the API's connections, in milliseconds.
    #[arg(
        long,
        env = "DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub statement_timeout_ms: u64,
    /// How long a request waits for a database connection, in milliseconds (HTTP 503 with
    /// `Retry-After` beyond).
    #[arg(
        long,
        env = "DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 3_000,
        global = true
    )]
    pub acquire_timeout_ms: u64,
    /// Most GraphQL operations executing at once; the others wait their turn within their
    /// deadline. An answer from the response cache needs no turn. Bounds memory under load (a
    /// page of 100 regions with seats holds a few MB while it is built); 0: four per CPU core.
    #[arg(
        long,
        env = "MAX_CONCURRENT_EXECUTIONS",
        default_value_t = 0,
        global = true
    )]
    pub max_executions: usize,
    /// Requests per minute, per token subject (signed in) or per client address (anonymous), by
    /// role: `anonymous=300,admin=6000,...`; roles not named get `signed_in=`; `off` disables.
    #[arg(
        long,
        env = "RATE_LIMITS",
        default_value = "anonymous=300,signed_in=1200,admin=6000",
        global = true
    )]
    pub rate_limits: String,
    /// Most bytes of documents that automatic persisted queries keep (in memory, or in Redis
    /// with `REDIS_URL`); the least recently used go first. A document is kept only once its
    /// request ran within the limits and without a request error.
    #[arg(long, env = "APQ_MAX_BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    pub apq_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        declared_defaults()
    }
}

/// The defaults a group of settings declares: what parsing no arguments gives (whatever the
/// environment says).
pub fn declared_defaults<T: clap::Args + clap::FromArgMatches>() -> T {
    let command = T::augment_args(clap::Command::new("defaults"));
    T::from_arg_matches(&command.get_matches_from(["defaults"]))
        .expect("the declared defaults are valid")
}

/// The protections of the transport (flags and environment variables of the binary).
#[derive(Debug, Clone, Args)]
pub struct Transport {
    /// How long a client may take to send a request's headers, in milliseconds; the connection
    /// is closed beyond (also the longest an idle kept-alive connection stays open).
    #[arg(
        long,
        env = "HEADER_READ_TIMEOUT_MS",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub header_read_timeout_ms: u64,
    /// How long a client may take to send a request's body, in milliseconds (HTTP 408 beyond).
    #[arg(
        long,
        env = "BODY_READ_TIMEOUT_MS",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub body_read_timeout_ms: u64,
    /// Most connections one client address holds open at once; 0: no cap.
    #[arg(
        long,
        env = "MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 128,
        global = true
    )]
    pub max_connections_per_client: usize,
    /// Send `Strict-Transport-Security: max-age=SECONDS` with every answer; set it only when the
    /// API is reached over TLS (behind a terminating proxy). Unset: no such header.
    #[arg(long, env = "HSTS_MAX_AGE_SECONDS", global = true)]
    pub hsts_max_age_seconds: Option<u64>,
}

impl Default for Transport {
    fn default() -> Self {
        declared_defaults()
    }
}

impl Transport {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms)
    }
}

impl Limits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.acquire_timeout_ms)
    }

    /// How many operations may execute at once (`MAX_CONCURRENT_EXECUTIONS`, 0 meaning four per
    /// CPU core).
    pub fn executions(&self) -> usize {
        match self.max_executions {
            0 => 4 * std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }

    /// The per-minute quotas by role (`None`: anonymous), or `None` when rate limiting is off.
    pub fn quotas(&self) -> Result<Option<Quotas>, String> {
        let text = self.rate_limits.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let mut anonymous = None;
        let mut signed_in = None;
        let mut roles = HashMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("RATE_LIMITS: `{part}` is not name=requests_per_minute"))?;
            let value: u32 = value
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| format!("RATE_LIMITS: `{value}` is not a positive number"))?;
            match name.trim() {
                "anonymous" => anonymous = Some(value),
                "signed_in" => signed_in = Some(value),
                role => {
                    let role = Role::parse(role)
                        .ok_or_else(|| format!("RATE_LIMITS: unknown role `{role}`"))?;
                    roles.insert(role, value);
                }
            }
        }
        Ok(Some(Quotas {
            anonymous: anonymous.unwrap_or(300),
            signed_in: signed_in.unwrap_or(1200),
            roles,
        }))
    }
}

/// Requests per minute by kind of viewer.
#[derive(Debug, Clone)]
pub struct Quotas {
    pub anonymous: u32,
    pub signed_in: u32,
    pub roles: HashMap<Role, u32>,
}

impl Quotas {
    pub fn of(&self, role: Option<Role>) -> u32 {
        match role {
            None => self.anonymous,
            Some(role) => self.roles.get(&role).copied().unwrap_or(self.signed_in),
        }
    }
}

/// A limit a request can hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Depth,
    Cost,
    Aliases,
    Directives,
    DocumentBytes,
    Tokens,
    Batch,
    Body,
    ResponseBytes,
    Deadline,
    Rate,
    DatabaseBusy,
}

impl Limit {
    /// The `extensions.code` of a refusal.
    pub fn code(self) -> &'static str {
        match self {
            Limit::Depth => "QUERY_TOO_DEEP",
            Limit::Cost => "QUERY_TOO_COSTLY",
            Limit::Aliases => "TOO_MANY_ALIASES",
            Limit::Directives => "TOO_MANY_DIRECTIVES",
            Limit::DocumentBytes => "DOCUMENT_TOO_LARGE",
            Limit::Tokens => "TOO_MANY_TOKENS",
            Limit::Batch => "BATCH_TOO_LARGE",
            Limit::Body => "PAYLOAD_TOO_LARGE",
            Limit::ResponseBytes => "RESPONSE_TOO_LARGE",
            Limit::Deadline => "TIMEOUT",
            Limit::Rate => "RATE_LIMITED",
            Limit::DatabaseBusy => "SERVICE_UNAVAILABLE",
        }
    }

    /// The label of the limit in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Limit::Depth => "depth",
            Limit::Cost => "cost",
            Limit::Aliases => "aliases",
            Limit::Directives => "directives",
            Limit::DocumentBytes => "document_bytes",
            Limit::Tokens => "tokens",
            Limit::Batch => "batch",
            Limit::Body => "body",
            Limit::ResponseBytes => "response_bytes",
            Limit::Deadline => "deadline",
            Limit::Rate => "rate",
            Limit::DatabaseBusy => "database_busy",
        }
    }
}

/// The number of lexical tokens of a GraphQL document (names, numbers, strings and punctuators;
/// commas, white space and comments do not count), counted without parsing.
pub fn count_tokens(document: &str) -> usize {
    let bytes = document.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | 0xEF | 0xBB | 0xBF => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                count += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                count += 1;
                i += 3;
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                count += 1;
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => {
                count += 1;
                i += 1;
            }
        }
    }
    count
}

/// The number of aliased fields in a parsed document, fragments included.
pub fn count_aliases(document: &async_graphql::parser::types::ExecutableDocument) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + walk(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| walk(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_like_a_lexer_would() {
        assert_eq!(count_tokens("{ a }"), 3);
        assert_eq!(count_tokens("query Q($x: Int = 1) { a(x: $x) { b } }"), 22);
        assert_eq!(count_tokens("{ a(s: \"x y, z\") } # a comment"), 8);
        assert_eq!(count_tokens("{ ...F } fragment F on T { a }"), 11);
        assert_eq!(count_tokens("{ a(f: 1.5e3) }"), 8);
    }

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "{ a: x b: x { c: y } ...F } fragment F on T { d: z }",
        )
        .expect("parses");
        assert_eq!(count_aliases(&doc), 4);
    }

    #[test]
    fn quotas_are_read_per_role() {
        let limits = Limits {
            rate_limits: "anonymous=10, admin=100".to_owned(),
            ..Limits::default()
        };
        let quotas = limits.quotas().expect("valid").expect("on");
        assert_eq!(quotas.of(None), 10);
        assert_eq!(quotas.of(Some(Role::Admin)), 100);
        assert_eq!(quotas.of(Some(Role::ZonmwStaff)), 1200);
        let off = Limits {
            rate_limits: "off".to_owned(),
            ..Limits::default()
        };
        assert!(off.quotas().expect("valid").is_none());
        let bad = Limits {
            rate_limits: "wizard=3".to_owned(),
            ..Limits::default()
        };
        assert!(bad.quotas().is_err());
        assert_eq!(Limits::default().max_depth, 16);
    }
}
