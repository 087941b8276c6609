//! Configuration, parsed once from the command line and the environment and passed down.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

/// Answers the response cache keeps by default.
pub const DEFAULT_CACHE_ENTRIES: usize = 2000;

/// The lifetime (`exp − iat`) a token may have at most, unless configured otherwise: 24 hours.
pub const DEFAULT_MAX_LIFETIME_SECONDS: u64 = 86_400;

/// The national registry of regional primary-care collaborations (RESVs).
#[derive(Debug, Parser)]
#[command(name = "api", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

/// What the binary does; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API. In development it migrates, and seeds an empty database, first; in
    /// production it does neither and refuses a database that is not migrated, or a PostgreSQL
    /// role that row-level security does not bind.
    Serve,
    /// Apply pending database migrations (as the tables' owner) and load the reference data.
    Migrate(MigrateArgs),
    /// Load the reference data and the demonstration data (idempotent).
    Seed(SeedArgs),
    /// Print the GraphQL schema (SDL) to stdout.
    ExportSchema,
    /// Print the data-quality report: per region, what is missing or inconsistent.
    Check(CheckArgs),
    /// Export every object of the registry, with provenance, as CSV or JSON files (one per kind).
    Export(ExportArgs),
    /// Import official data from a CSV or JSON file (all or nothing; prints a report).
    Import(ImportArgs),
    /// Mint a development token signed with the local development key (printed alone on the last
    /// line). `serve` trusts that key in the development profile only.
    Token(TokenArgs),
}

/// Options of `migrate`.
#[derive(Debug, Clone, Default, Args)]
pub struct MigrateArgs {
    /// PostgreSQL: the login role `serve` connects as, granted the rights on the registry's tables
    /// and sequences it needs after migrating. Refused if it is a superuser, has `BYPASSRLS` or
    /// owns a table: row-level security must bind it.
    #[arg(long, env = "DATABASE_APP_ROLE")]
    pub app_role: Option<String>,
}

/// Options of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file: CSV (comma or semicolon separated, UTF-8 with or without BOM) or a JSON array.
    /// A directory is restored whole: an export's files (`api export`), in the order their kinds
    /// depend on each other, in one transaction, each row with the version and provenance its
    /// export carries.
    pub file: std::path::PathBuf,
    /// What the file holds, named as its export: regions, resvs, seats, agreements,
    /// regional-table, neighbourhood-collaborations, subsidies, vouchers, learning-materials.
    /// Without it, the file's name says (`seats.csv` holds seats).
    #[arg(long, value_parser = [
        "regions", "resvs", "seats", "agreements", "regional-table",
        "neighbourhood-collaborations", "subsidies", "vouchers", "learning-materials",
    ])]
    pub kind: Option<String>,
    /// Check the file and report what would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// `csv` or `json`.
    #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
    pub format: String,
    /// The directory to write to (created if needed).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// Options of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when any problem is found (for scripts).
    #[arg(long)]
    pub fail_on_issues: bool,
}

/// Options of `token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The role: regional_coordinator, zonmw_staff, national_analyst, level_editor or admin.
    #[arg(long)]
    pub role: String,
    /// A region code the coordinator keeps (repeat for several).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Lifetime, e.g. 30m, 8h or 7d.
    #[arg(long, default_value = "8h")]
    pub ttl: String,
    /// The subject (who the token stands for).
    #[arg(long, default_value = "developer")]
    pub sub: String,
}

/// Options of `seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Scale factor: 1 loads the 54 demonstration regions; N > 1 adds synthetic copies
    /// (54 × N regions in all) for benchmarks and scale tests.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded default) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// A read replica of the PostgreSQL database: queries read from it, mutations (and what they
    /// read) go to `DATABASE_URL`.
    #[arg(long, env = "DATABASE_READ_URL", global = true)]
    pub database_read_url: Option<String>,
    /// Address the HTTP server listens on.
    #[arg(
        long,
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind_addr: SocketAddr,
    /// Log output: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
    /// OTLP/HTTP collector to export traces to (e.g. `http://collector:4318`); none by default.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
    /// Answer introspection and suggest names in errors; default: on in the development profile,
    /// off in production.
    #[arg(long, env = "INTROSPECTION", global = true)]
    pub introspection: Option<bool>,
    /// Origins allowed to call the API from a browser, comma-separated (`*`: any); none by default.
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// Allow-list mode: only the operations in this JSON file (an array of documents, or an object
    /// from SHA-256 to document) run. Without it, any query runs and automatic persisted queries
    /// are learnt.
    #[arg(long, env = "PERSISTED_QUERIES_FILE", global = true)]
    pub persisted_queries_file: Option<std::path::PathBuf>,
    /// Anonymous answers kept in the response cache (0: no cache).
    #[arg(long, env = "RESPONSE_CACHE_ENTRIES", default_value_t = DEFAULT_CACHE_ENTRIES, global = true)]
    pub response_cache_entries: usize,
    /// How often the data version is re-read besides PostgreSQL's notifications (milliseconds):
    /// the longest a change committed elsewhere can go unnoticed when notifications are lost, or
    /// when queries read from a replica.
    #[arg(long, env = "DATA_VERSION_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000), global = true)]
    pub data_version_poll_ms: u64,
    /// A Redis the replicas share (`redis://host:6379`): rate limits and learnt persisted queries
    /// are kept there, so that all replicas together hold one budget. Unset, each replica keeps
    /// them in memory (as it does while Redis cannot be reached).
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// The prefix of this deployment's keys in Redis.
    #[arg(
        long,
        env = "REDIS_KEY_PREFIX",
        default_value = "registry:",
        global = true
    )]
    pub redis_key_prefix: String,
    #[command(flatten)]
    pub limits: crate::limits::Limits,
    #[command(flatten)]
    pub transport: crate::limits::Transport,
    #[command(flatten)]
    pub auth: AuthConfig,
}

/// Which keys and claims tokens are checked against.
#[derive(Debug, Clone, Args)]
pub struct AuthConfig {
    /// `development` trusts the local development key (see `api token`); `production` trusts only
    /// the keys it is given.
    #[arg(long, env = "APP_PROFILE", value_enum, default_value_t = Profile::Development, global = true)]
    pub profile: Profile,
    /// Required issuer (`iss`) of tokens.
    #[arg(
        long,
        env = "JWT_ISSUER",
        default_value = "resv-registry",
        global = true
    )]
    pub issuer: String,
    /// Required audience (`aud`) of tokens.
    #[arg(
        long,
        env = "JWT_AUDIENCE",
        default_value = "resv-registry",
        global = true
    )]
    pub audience: String,
    /// Trusted RS256/ES256 public keys: comma-separated PEM files, each `KID=PATH` or `PATH` (the
    /// file stem is then the kid).
    #[arg(long, env = "JWT_PUBLIC_KEYS", value_delimiter = ',', global = true)]
    pub public_keys: Vec<String>,
    /// A JWKS file with trusted RS256/ES256 keys (each with a `kid`).
    #[arg(long, env = "JWT_JWKS_FILE", global = true)]
    pub jwks_file: Option<std::path::PathBuf>,
    /// Accept HS256 tokens signed with the secret in `JWT_HS256_SECRET_FILE` (always on in the
    /// development profile, off in production unless set).
    #[arg(long, env = "JWT_ALLOW_HS256", default_value_t = false, global = true)]
    pub allow_hs256: bool,
    /// The HS256 secret (development key); created on first use in the development profile.
    #[arg(
        long,
        env = "JWT_HS256_SECRET_FILE",
        default_value = "data/dev-token-secret",
        global = true
    )]
    pub hs256_secret_file: std::path::PathBuf,
    /// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    #[arg(long, env = "JWT_LEEWAY_SECONDS", default_value_t = 30, global = true)]
    pub leeway_seconds: u64,
    /// The longest lifetime (`exp − iat`, seconds) a token may have; longer-lived tokens are
    /// refused, and `api token` mints none.
    #[arg(long, env = "JWT_MAX_LIFETIME_SECONDS", default_value_t = DEFAULT_MAX_LIFETIME_SECONDS, value_parser = clap::value_parser!(u64).range(60..=31_536_000), global = true)]
    pub max_lifetime_seconds: u64,
}

/// Deployment profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    Development,
    Production,
}

/// The embedded default: a SQLite file under `./data/`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/registry.db?mode=rwc";

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}
