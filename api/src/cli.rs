//! The subcommands of the binary, one function each: `serve`, `migrate`, `seed`, `check`,
//! `import`, `export`, `export-schema` and `token`.

use crate::access::{Role, Viewer};
use crate::auth::{self, TokenVerifier};
use crate::config::{self, Config};
use crate::db::{self, StatementCounter};
use crate::state::AppState;
use crate::{cache, export, graphql, persisted, seed, service};
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn schema_sdl() -> String {
    graphql::schema().sdl()
}

async fn open(config: &Config) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let (db, statements) = db::connect_with(&config.database_url, &config.limits).await?;
    Migrator::up(&db, None).await?;
    Ok((db, statements))
}

/// `check`: the data-quality report as text (or JSON), and the number of problems found.
pub async fn check(config: &Config, json: bool) -> anyhow::Result<(String, usize)> {
    use sea_orm::EntityTrait;
    let (db, _) = open(config).await?;
    let report = service::quality::report(&db).await?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the steward's report names every region, outside any viewer's scope"
    )]
    let regions: std::collections::HashMap<i32, entity::region::Model> =
        entity::region::Entity::find()
            .all(&db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let code = |id: &i32| regions.get(id).map_or("?", |r| r.code.as_str()).to_owned();
    let name = |id: &i32| regions.get(id).map_or("?", |r| r.name.as_str()).to_owned();
    let text = if json {
        let regions: Vec<serde_json::Value> = report
            .regions
            .iter()
            .map(|(id, issues)| {
                serde_json::json!({
                    "code": code(id),
                    "name": name(id),
                    "issues": issues.iter().map(|i| serde_json::json!({
                        "kind": i.kind.tag(),
                        "count": i.count,
                        "message": i.kind.message(i.count),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let by_kind: serde_json::Map<String, serde_json::Value> = report
            .by_kind()
            .into_iter()
            .map(|(kind, n)| (kind.tag().to_owned(), n.into()))
            .collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "issueCount": report.issue_count(),
                "regionsByKind": by_kind,
                "regions": regions,
            }))?
        )
    } else {
        let mut out = format!(
            "{} problem(s) in {} region(s).\n",
            report.issue_count(),
            report.regions.len()
        );
        for (kind, n) in report.by_kind() {
            out.push_str(&format!("  {}: {n} region(s)\n", kind.tag()));
        }
        for (id, issues) in &report.regions {
            out.push_str(&format!("{} {}\n", code(id), name(id)));
            for issue in issues {
                out.push_str(&format!("  - {}\n", issue.kind.message(issue.count)));
            }
        }
        out
    };
    Ok((text, report.issue_count()))
}

/// `import`: applies a file of official data as the system (an admin), all or nothing.
pub async fn import(
    config: &Config,
    args: &config::ImportArgs,
) -> anyhow::Result<service::import::Report> {
    let (db, _) = open(config).await?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let kind = args
        .kind
        .as_deref()
        .or(Some(stem))
        .and_then(service::import::Kind::parse)
        .ok_or_else(|| {
            anyhow::anyhow!("say what {name} holds with --kind (its name is not that of an export)")
        })?;
    let system = Viewer::user("api-import".to_owned(), Role::Admin, Vec::new());
    Ok(service::import::file(&db, &system, kind, &bytes, &name, args.dry_run).await?)
}

/// `export`: every object of the registry as files, read as the system (an admin's rights, so
/// with contact data and internal notes): the steward's full copy.
pub async fn export_all(
    config: &Config,
    args: &config::ExportArgs,
) -> anyhow::Result<Vec<(std::path::PathBuf, usize)>> {
    let (db, _) = open(config).await?;
    let system = Viewer::user("api-export".to_owned(), Role::Admin, Vec::new());
    export::write_all(&db, &system, &args.out, args.format == "json").await
}

/// `migrate`: applies pending migrations and loads the reference data (disciplines, care-office
/// and IZA regions): a registry ready for `seed` or for `import DIR`. With `--app-role` (on
/// PostgreSQL) it then grants that role what `serve` needs (see [`db::roles::grant`]).
pub async fn migrate(config: &Config, args: &config::MigrateArgs) -> anyhow::Result<()> {
    let (db, _) = open(config).await?;
    seed::reference_data(&db).await?;
    tracing::info!("The database schema is up to date and holds the reference data.");
    if let Some(role) = &args.app_role {
        if !is_postgres(&db) {
            anyhow::bail!("--app-role is for PostgreSQL; SQLite has no roles");
        }
        db::roles::grant(&db, role).await?;
        tracing::info!(role = %role, "Granted the app role its rights.");
    }
    Ok(())
}

fn is_postgres(db: &DatabaseConnection) -> bool {
    use sea_orm::ConnectionTrait;
    db.get_database_backend() == sea_orm::DbBackend::Postgres
}

/// What the production profile asks of a database before serving it: migrated already (by
/// `api migrate`, as the owner), and on PostgreSQL through a role that row-level security binds.
pub async fn ensure_servable(db: &DatabaseConnection) -> anyhow::Result<()> {
    if is_postgres(db)
        && let Some(unbound) = db::roles::unbound(db, None).await?
    {
        anyhow::bail!("{unbound}");
    }
    let pending = db::pending_migrations(db).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot read the database's migrations: the production profile does not migrate, \
             run `api migrate` as the owner first ({e})"
        )
    })?;
    if pending > 0 {
        anyhow::bail!(
            "the database lacks {pending} migration(s): the production profile does not migrate, \
             run `api migrate` as the owner first"
        );
    }
    Ok(())
}

/// `import DIR`: restores a whole export directory as the system (an admin), all or nothing.
pub async fn restore(
    config: &Config,
    args: &config::ImportArgs,
) -> anyhow::Result<crate::restore::Restore> {
    let (db, _) = open(config).await?;
    let system = Viewer::user("api-import".to_owned(), Role::Admin, Vec::new());
    crate::restore::directory(&db, &system, &args.file, args.dry_run).await
}

/// `seed`: migrates, then loads reference and demonstration data.
pub async fn seed(config: &Config, scale: u32) -> anyhow::Result<()> {
    let (db, _) = open(config).await?;
    let report = seed::run(&db, scale).await?;
    tracing::info!(
        regions = report.regions,
        demonstration_generated = report.demonstration_generated,
        "The registry is seeded."
    );
    Ok(())
}

/// `serve`: in development migrates and seeds an empty registry; in production refuses a
/// database that is not migrated or a role that row-level security does not bind (see
/// [`ensure_servable`]), then serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let development = config.auth.profile == config::Profile::Development;
    let (db, statements) = if development {
        let (db, statements) = open(&config).await?;
        if let Some(report) = seed::run_if_empty(&db).await? {
            tracing::info!(
                regions = report.regions,
                "The registry was empty; loaded the seed data."
            );
        }
        (db, statements)
    } else {
        let (db, statements) = db::connect_with(&config.database_url, &config.limits).await?;
        ensure_servable(&db).await?;
        (db, statements)
    };
    let verifier = TokenVerifier::from_config(&config.auth)?;
    let open_schema = config.introspection.unwrap_or(development);
    let settings = graphql::SchemaSettings {
        max_depth: config.limits.max_depth,
        max_cost: config.limits.max_cost,
        max_directives: config.limits.max_directives,
        introspection: open_schema,
        suggestions: open_schema,
        trace_resolvers: config.otlp_endpoint.is_some(),
    };
    let state = AppState::new(db, statements, verifier)
        .configured(config.limits.clone(), settings, development)
        .map_err(anyhow::Error::msg)?
        .with_cors(config.cors_origins.clone())
        .with_transport(config.transport.clone());
    let state = match &config.database_read_url {
        Some(url) => {
            let (replica, _) = db::connect_with(url, &config.limits).await?;
            if !development
                && is_postgres(&replica)
                && let Some(unbound) = db::roles::unbound(&replica, None).await?
            {
                anyhow::bail!("DATABASE_READ_URL: {unbound}");
            }
            tracing::info!("Queries read from the read replica.");
            state.with_read_replica(replica)
        }
        None => state,
    };
    // Notifications reach only the primary's listeners; with a replica the row is polled there.
    let listen = (config.database_read_url.is_none() && cache::notifies(&state.db))
        .then(|| config.database_url.clone());
    let state = state.with_response_cache(
        config.response_cache_entries,
        listen,
        std::time::Duration::from_millis(config.data_version_poll_ms),
    );
    let state = match &config.persisted_queries_file {
        Some(path) => state.with_persisted_queries(
            persisted::PersistedQueries::load(path).map_err(anyhow::Error::msg)?,
        ),
        None => state,
    };
    let state = match &config.redis_url {
        Some(url) => {
            tracing::info!("Rate limits and persisted queries are shared through Redis.");
            state
                .with_redis(url, &config.redis_key_prefix, crate::shared::RETRY)
                .map_err(anyhow::Error::msg)?
        }
        None => state,
    };
    let listener = tokio::net::TcpListener::bind(config.bind_addr).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        profile = ?config.auth.profile,
        introspection = open_schema,
        "Serving the registry at /graphql."
    );
    crate::http::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// `token`: mints a development token with the local development key, for a role of the
/// registry, regions that the database at `DATABASE_URL` holds (read, not migrated) and a lifetime within `JWT_MAX_LIFETIME_SECONDS`: what the server would refuse,
/// the command refuses to mint.
pub async fn token(config: &Config, args: &config::TokenArgs) -> anyhow::Result<String> {
    if config.auth.profile != config::Profile::Development && !config.auth.allow_hs256 {
        anyhow::bail!(
            "development tokens are only trusted in the development profile (or with JWT_ALLOW_HS256)"
        );
    }
    Role::parse(&args.role).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role `{}`; use regional_coordinator, zonmw_staff, national_analyst, level_editor or admin",
            args.role
        )
    })?;
    if args.role == "regional_coordinator" && args.regions.is_empty() {
        anyhow::bail!("a regional_coordinator token needs at least one --region");
    }
    let ttl = auth::parse_ttl(&args.ttl).map_err(anyhow::Error::msg)?;
    let max = config.auth.max_lifetime_seconds;
    if !u64::try_from(ttl).is_ok_and(|ttl| ttl <= max) {
        anyhow::bail!(
            "a lifetime of {} exceeds the {max} s tokens may live (JWT_MAX_LIFETIME_SECONDS)",
            args.ttl
        );
    }
    if args.role == "regional_coordinator" {
        ensure_known_regions(config, &args.regions).await?;
    }
    let now = chrono::Utc::now().timestamp();
    let payload = auth::TokenPayload {
        sub: args.sub.clone(),
        claims: crate::access::Claims {
            role: args.role.clone(),
            regions: args.regions.clone(),
        },
        iss: config.auth.issuer.clone(),
        aud: config.auth.audience.clone(),
        exp: now + ttl,
        nbf: now,
        iat: Some(now),
        typ: None,
    };
    let secret = auth::dev_secret(&config.auth.hs256_secret_file)?;
    auth::mint_dev_token(&secret, &payload)
}

/// Refuses `codes` unless a region of the database at `DATABASE_URL` holds each.
async fn ensure_known_regions(config: &Config, codes: &[String]) -> anyhow::Result<()> {
    let (db, _) = db::connect_with(&config.database_url, &config.limits).await?;
    let known = auth::regions::region_codes(&db).await.map_err(|e| {
        anyhow::anyhow!("cannot read the regions of DATABASE_URL (run `api migrate` first?): {e}")
    })?;
    let unknown: Vec<&str> = codes
        .iter()
        .map(String::as_str)
        .filter(|code| !known.contains(*code))
        .collect();
    if !unknown.is_empty() {
        anyhow::bail!(
            "no region {} in the registry at DATABASE_URL; a token for it would be refused",
            unknown.join(", ")
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("Shutting down: no new connections, finishing requests in flight.");
}
