//! The databases of the tests: empty ones, and copies of a template migrated and seeded once per
//! test process for each backend and scale.
//!
//! Migrating and seeding takes about two seconds; copying a SQLite file takes milliseconds, and
//! PostgreSQL clones a template database (`CREATE DATABASE .. TEMPLATE ..`) in a fraction of a
//! second. Each template is built on a thread and runtime of its own, whose connections are
//! closed before any test copies it: tests run on runtimes of their own, which end with them.
//!
//! Every name made here carries the process id (`registry_tpl_<pid>_<scale>`,
//! `registry_test_<pid>_<unique>`), so that what a killed run left behind can be recognised:
//! before a template is built, the databases and files of processes that no longer exist are
//! removed. (Processes are looked up in `/proc`; a PostgreSQL server shared with other machines
//! or containers would need a better owner mark than the process id.)

use super::Backend;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The environment variable naming the PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`. Each test creates its own database there.
pub const PG_ENV: &str = "TEST_DATABASE_URL";

/// The login role the app uses on PostgreSQL in tests: it owns no table. Roles are shared by the
/// whole server, so one role serves every test database (its rights are granted in each
/// template, and copied with it).
pub const APP_ROLE: &str = "registry_test_app";

const TEMPLATE_PREFIX: &str = "registry_tpl_";
const TEST_PREFIX: &str = "registry_test_";

/// The PostgreSQL server of the tests, from [`PG_ENV`]. A PostgreSQL test that cannot run fails
/// here, saying how to run it or skip it, rather than passing without having run.
pub fn postgres_admin_url() -> String {
    std::env::var(PG_ENV).unwrap_or_else(|_| {
        panic!(
            "{PG_ENV} is not set, so this PostgreSQL test cannot run: set \
             {PG_ENV}=postgres://postgres@127.0.0.1:5432/postgres (start PostgreSQL with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`), \
             or SKIP_POSTGRES=1 to skip the PostgreSQL tests (they are then counted as ignored)"
        )
    })
}

/// A database made for one test and removed when it is dropped.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A name for a test's database: this process's, and no other test's.
fn unique_name() -> String {
    format!(
        "{TEST_PREFIX}{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The URL of database `name` on the server of `admin_url` (`scheme://host/database`).
fn postgres_url(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("{PG_ENV} must end in /DATABASE"),
    }
}

/// `url` with its user replaced by `user` (`scheme://user[:password]@host/db`).
pub fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

impl TestDatabase {
    /// A new, empty database.
    pub async fn create(backend: Backend) -> TestDatabase {
        let unique = unique_name();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{unique}.db"));
                TestDatabase {
                    url: sqlite_url(&path),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => Self::on_server(postgres_admin_url(), &unique, "").await,
        }
    }

    /// A new database migrated and seeded at `scale`: a copy of this process's template (built
    /// on first use).
    pub async fn seeded(backend: Backend, scale: u32) -> TestDatabase {
        if backend == Backend::Postgres {
            // Before the template: its failure would hide this message.
            postgres_admin_url();
        }
        let unique = unique_name();
        match template(backend, scale).await {
            Template::File(template) => {
                let path = std::env::temp_dir().join(format!("{unique}.db"));
                std::fs::copy(&template, &path).unwrap_or_else(|e| {
                    panic!("copy {} to {}: {e}", template.display(), path.display())
                });
                TestDatabase {
                    url: sqlite_url(&path),
                    cleanup: Cleanup::File(path),
                }
            }
            Template::Postgres { admin_url, name } => {
                Self::on_server(admin_url, &unique, &format!("TEMPLATE {name}")).await
            }
        }
    }

    /// A new, empty PostgreSQL database owned by the role `owner`, as a production database is
    /// owned by the role that migrates it.
    pub async fn owned_by(owner: &str) -> TestDatabase {
        Self::on_server(
            postgres_admin_url(),
            &unique_name(),
            &format!("OWNER {owner}"),
        )
        .await
    }

    /// `CREATE DATABASE name <options>` on the server of `admin_url`.
    async fn on_server(admin_url: String, name: &str, options: &str) -> TestDatabase {
        let admin = sea_orm::Database::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {PG_ENV}: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name} {options}"))
            .await
            .unwrap_or_else(|e| panic!("create the test database {name} {options}: {e}"));
        admin.close().await.ok();
        TestDatabase {
            url: postgres_url(&admin_url, name),
            cleanup: Cleanup::Postgres {
                admin_url,
                name: name.to_owned(),
            },
        }
    }

    /// Whether this database is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => remove_sqlite_files(path),
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside async code; a small runtime of its own removes the database.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(runtime) = runtime {
                        runtime.block_on(async {
                            if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                                let _ = admin
                                    .execute_unprepared(&format!(
                                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                    ))
                                    .await;
                                admin.close().await.ok();
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A migrated and seeded database that tests copy.
#[derive(Clone)]
enum Template {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

type Once = Arc<tokio::sync::OnceCell<Result<Template, String>>>;

/// The templates of this process, by backend and scale, each built at most once.
static TEMPLATES: Mutex<BTreeMap<(Backend, u32), Once>> = Mutex::new(BTreeMap::new());

/// The template for `backend` at `scale`, built by the first test that asks for it while the
/// others wait. A failed build fails every test that needs it, with the same message.
async fn template(backend: Backend, scale: u32) -> Template {
    let once = TEMPLATES
        .lock()
        .expect("the templates' lock")
        .entry((backend, scale))
        .or_default()
        .clone();
    once.get_or_init(|| build_apart(backend, scale))
        .await
        .clone()
        .unwrap_or_else(|e| panic!("the {backend:?} template at scale {scale}: {e}"))
}

/// Builds a template on a thread and runtime of its own, so that nothing of it belongs to the
/// runtime of the test that happened to ask first.
async fn build_apart(backend: Backend, scale: u32) -> Result<Template, String> {
    let (send, receive) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("template-{backend:?}-{scale}"))
        .spawn(move || {
            let built = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(build(backend, scale)),
                Err(e) => Err(format!("a runtime: {e}")),
            };
            let _ = send.send(built);
        })
        .map_err(|e| format!("a thread: {e}"))?;
    receive
        .await
        .map_err(|_| "the builder panicked (see its output)".to_owned())?
}

async fn build(backend: Backend, scale: u32) -> Result<Template, String> {
    let name = format!("{TEMPLATE_PREFIX}{}_{scale}", std::process::id());
    match backend {
        Backend::Sqlite => {
            remove_files_of_dead_processes();
            let path = std::env::temp_dir().join(format!("{name}.db"));
            remove_sqlite_files(&path);
            let (db, _) = api::db::connect(&sqlite_url(&path))
                .await
                .map_err(|e| format!("open {}: {e}", path.display()))?;
            migrate_and_seed(&db, scale).await?;
            // Everything into the main file, so that a copy of it alone is the whole database.
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .map_err(|e| format!("checkpoint: {e}"))?;
            db.close().await.map_err(|e| format!("close: {e}"))?;
            let wal = PathBuf::from(format!("{}-wal", path.display()));
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(format!("{} is left after the checkpoint", wal.display()));
            }
            Ok(Template::File(path))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = sea_orm::Database::connect(&admin_url)
                .await
                .map_err(|e| format!("cannot reach PostgreSQL at {PG_ENV}: {e}"))?;
            drop_databases_of_dead_processes(&admin).await?;
            // A template of this name can only be left by an earlier process with this id.
            for sql in [
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                format!("CREATE DATABASE {name}"),
            ] {
                admin
                    .execute_unprepared(&sql)
                    .await
                    .map_err(|e| format!("{sql}: {e}"))?;
            }
            admin.close().await.ok();
            let (db, _) = api::db::connect(&postgres_url(&admin_url, &name))
                .await
                .map_err(|e| format!("connect to {name}: {e}"))?;
            migrate_and_seed(&db, scale).await?;
            // On PostgreSQL the app connects, as in production, as a role that does not own
            // the tables, so the row-level security policies apply to everything it does.
            // Its rights are granted as `api migrate --app-role` grants them in production.
            ensure_role(&db, APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS").await?;
            api::db::roles::grant(&db, APP_ROLE)
                .await
                .map_err(|e| format!("grant the app role its rights: {e:#}"))?;
            // A database is copied only while no one is connected to it.
            db.close().await.map_err(|e| format!("close: {e}"))?;
            Ok(Template::Postgres { admin_url, name })
        }
    }
}

async fn migrate_and_seed(db: &DatabaseConnection, scale: u32) -> Result<(), String> {
    Migrator::up(db, None)
        .await
        .map_err(|e| format!("migrate: {e}"))?;
    api::seed::run(db, scale)
        .await
        .map_err(|e| format!("seed: {e:#}"))?;
    Ok(())
}

/// Creates the server-wide role `name` with `options` unless it exists.
pub async fn ensure_role(
    db: &impl ConnectionTrait,
    name: &str,
    options: &str,
) -> Result<(), String> {
    // Test processes may run at once; creating the role concurrently can fail on either side,
    // so retry.
    for _ in 0..20 {
        let created = db
            .execute_unprepared(&format!(
                "DO $$ BEGIN CREATE ROLE {name} {options}; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ))
            .await;
        if created.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("could not create the role {name}"))
}

/// The id of the process that made the database or file `name`, if this harness named it.
pub fn owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TEMPLATE_PREFIX)
        .or_else(|| name.strip_prefix(TEST_PREFIX))?;
    rest.split_once('_')?.0.parse().ok()
}

/// Whether `name` was made by a process that no longer runs. Never, without `/proc` to ask.
pub fn orphaned(name: &str) -> bool {
    Path::new("/proc/self").exists()
        && owner(name).is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

fn remove_files_of_dead_processes() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(orphaned)
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn drop_databases_of_dead_processes(admin: &DatabaseConnection) -> Result<(), String> {
    let rows = admin
        .query_all(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT datname FROM pg_database \
                 WHERE datname LIKE '{}%' OR datname LIKE '{}%'",
                TEMPLATE_PREFIX.replace('_', "\\_"),
                TEST_PREFIX.replace('_', "\\_"),
            ),
        ))
        .await
        .map_err(|e| format!("list the test databases: {e}"))?;
    for row in rows {
        let name: String = row
            .try_get_by_index(0)
            .map_err(|e| format!("a database name: {e}"))?;
        if orphaned(&name) {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .map_err(|e| format!("drop {name}, left by a finished run: {e}"))?;
        }
    }
    Ok(())
}
