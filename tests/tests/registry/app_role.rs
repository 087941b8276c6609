//! Row-level security in force wherever the app runs on PostgreSQL: the app's role, without
//! claims, sees only public rows of every table the policies guard; every history table forces
//! its policies and takes writes only from the triggers; and `serve` in the production profile
//! does not migrate, and refuses a role the policies do not bind.

use crate::common;

use common::database::{APP_ROLE, ensure_role, with_user};
use common::{Backend, TestApp, TestDatabase};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};

/// A role that owns a production-shaped database: it migrates, and it is not a superuser.
const OWNER_ROLE: &str = "registry_test_owner";
/// A role that is neither superuser nor owner but has `BYPASSRLS`.
const BYPASS_ROLE: &str = "registry_test_bypass";

/// Every table with row-level security, and which of its rows are public: what a connection
/// without claims may see.
const PUBLIC_ROWS: [(&str, &str); 16] = [
    ("subsidy", "status = 'GRANTED'"),
    ("voucher", "status = 'GRANTED'"),
    ("learning_material", "visibility = 'PUBLIC'"),
    (
        "material_theme",
        "material_id IN (SELECT id FROM learning_material WHERE visibility = 'PUBLIC')",
    ),
    (
        "material_region",
        "material_id IN (SELECT id FROM learning_material WHERE visibility = 'PUBLIC')",
    ),
    ("audit_log", "false"),
    ("subsidy_history", "status = 'GRANTED'"),
    ("voucher_history", "status = 'GRANTED'"),
    ("learning_material_history", "visibility = 'PUBLIC'"),
    (
        "material_theme_history",
        "material_id IN (SELECT id FROM learning_material_history WHERE visibility = 'PUBLIC')",
    ),
    ("region_history", "true"),
    ("resv_history", "true"),
    ("seat_history", "true"),
    ("seat_discipline_history", "true"),
    ("neighbourhood_collaboration_history", "true"),
    ("nc_discipline_history", "true"),
];

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    Count::find_by_statement(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row")
        .n
}

#[derive(Debug, FromQueryResult)]
struct Name {
    name: String,
}

async fn names(db: &impl ConnectionTrait, sql: &str) -> Vec<String> {
    Name::find_by_statement(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .all(db)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A transaction of `db` carrying the claims of `role`.
async fn as_role(db: &DatabaseConnection, role: &str) -> sea_orm::DatabaseTransaction {
    let claims = api::access::Claims {
        role: role.to_owned(),
        regions: Vec::new(),
    };
    api::db::begin_with_claims(db, &claims)
        .await
        .expect("begin with claims")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn the_app_role_without_claims_sees_only_the_public_rows_of_every_guarded_table() {
    let app = TestApp::spawn(Backend::Postgres, 1).await;
    // The seed writes no audit entry; one that no one without claims may read.
    app.db
        .execute_unprepared("INSERT INTO audit_log (at, actor_sub, actor_role, entity, entity_id, action) VALUES (now(), 'x', 'admin', 'resv', 1, 'UPDATE')")
        .await
        .expect("an audit entry");
    let guarded = names(
        &app.db,
        "SELECT relname::text AS name FROM pg_class WHERE relrowsecurity \
         AND relnamespace = 'public'::regnamespace ORDER BY relname",
    )
    .await;
    let mut listed: Vec<String> = PUBLIC_ROWS.iter().map(|(t, _)| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(
        guarded, listed,
        "every guarded table says which rows are public"
    );
    for (table, public) in PUBLIC_ROWS {
        let all = count(&app.db, &format!("SELECT COUNT(*) AS n FROM {table}")).await;
        let expected = count(
            &app.db,
            &format!("SELECT COUNT(*) AS n FROM {table} WHERE {public}"),
        )
        .await;
        let seen = count(&app.app_db, &format!("SELECT COUNT(*) AS n FROM {table}")).await;
        assert_eq!(seen, expected, "{table}: {seen} of {all} rows seen");
        if public != "true" {
            assert!(all > expected, "{table} holds rows that are not public");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn every_guarded_table_and_every_history_table_forces_row_security() {
    let app = TestApp::spawn(Backend::Postgres, 1).await;
    let unforced = names(
        &app.db,
        "SELECT relname::text AS name FROM pg_class \
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' \
           AND (relrowsecurity OR relname LIKE '%\\_history') \
           AND NOT (relrowsecurity AND relforcerowsecurity) ORDER BY relname",
    )
    .await;
    assert_eq!(unforced, Vec::<String>::new());
    let histories = count(
        &app.db,
        "SELECT COUNT(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relname LIKE '%\\_history' AND relforcerowsecurity",
    )
    .await;
    assert_eq!(histories, 10, "the ten history tables");
}

/// A database as production has it: owned and migrated (and here seeded) by [`OWNER_ROLE`], not
/// a superuser, with the app role granted its rights by `api migrate --app-role`. Returns it with
/// connections as the owner and as the app role.
async fn production_database(
    seeded: bool,
) -> (TestDatabase, DatabaseConnection, DatabaseConnection) {
    let admin_url = common::database::postgres_admin_url();
    let (admin, _) = api::db::connect(&admin_url).await.expect("connect");
    ensure_role(&admin, OWNER_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS")
        .await
        .expect("the owner role");
    ensure_role(&admin, APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS")
        .await
        .expect("the app role");
    admin.close().await.ok();
    let database = TestDatabase::owned_by(OWNER_ROLE).await;
    let (owner, _) = api::db::connect(&with_user(&database.url, OWNER_ROLE))
        .await
        .expect("connect as the owner");
    let (config, args) = (
        crate::auth::cli_config(
            api::config::Profile::Production,
            &with_user(&database.url, OWNER_ROLE),
            &crate::auth::secret_file(),
        ),
        api::config::MigrateArgs {
            app_role: Some(APP_ROLE.to_owned()),
        },
    );
    api::cli::migrate(&config, &args)
        .await
        .expect("migrate as the owner");
    if seeded {
        api::seed::run(&owner, 1).await.expect("seed as the owner");
        api::db::roles::grant(&owner, APP_ROLE)
            .await
            .expect("grant again");
    }
    let (app, _) = api::db::connect(&with_user(&database.url, APP_ROLE))
        .await
        .expect("connect as the app role");
    (database, owner, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn the_owner_is_held_to_the_history_policies_and_only_the_triggers_write_history() {
    let (_database, owner, app) = production_database(true).await;
    let history = "SELECT COUNT(*) AS n FROM subsidy_history";
    let granted = "SELECT COUNT(*) AS n FROM subsidy_history WHERE status = 'GRANTED'";
    let staff = as_role(&owner, "zonmw_staff").await;
    let every_version = count(&staff, history).await;
    staff.rollback().await.expect("rollback");
    // Forced: the owner without claims sees the public versions only.
    assert_eq!(count(&owner, history).await, count(&owner, granted).await);
    assert!(every_version > count(&owner, granted).await);

    // A change of a subsidy by ZonMw staff, through the app role, leaves a version: the trigger
    // writes it as the owner.
    let staff = as_role(&app, "zonmw_staff").await;
    staff
        .execute_unprepared(
            "UPDATE subsidy SET amount_requested_cents = amount_requested_cents + 1 \
             WHERE id = (SELECT min(id) FROM subsidy)",
        )
        .await
        .expect("ZonMw staff change a subsidy");
    assert_eq!(count(&staff, history).await, every_version + 1);
    staff.commit().await.expect("commit");
    // But the app role cannot write a version itself.
    let staff = as_role(&app, "zonmw_staff").await;
    let forged = staff
        .execute_unprepared(
            "INSERT INTO subsidy_history (id, region_id, kind, status, valid_from) \
             SELECT id, region_id, kind, status, 0 FROM subsidy WHERE id = (SELECT min(id) FROM subsidy)",
        )
        .await;
    assert!(forged.is_err(), "a forged version is refused: {forged:?}");
    staff.rollback().await.ok();
    let staff = as_role(&app, "zonmw_staff").await;
    let erased = staff
        .execute_unprepared("DELETE FROM resv_history")
        .await
        .expect("a delete the policies filter")
        .rows_affected();
    assert_eq!(erased, 0, "no version of a RESV can be erased");
    staff.rollback().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn the_production_check_refuses_roles_the_policies_do_not_bind() {
    let (database, owner, app) = production_database(false).await;
    let (superuser, _) = api::db::connect(&database.url).await.expect("connect");
    let admin_url = common::database::postgres_admin_url();
    ensure_role(&superuser, BYPASS_ROLE, "LOGIN NOSUPERUSER BYPASSRLS")
        .await
        .expect("the bypassing role");
    let (bypass, _) = api::db::connect(&with_user(&database.url, BYPASS_ROLE))
        .await
        .expect("connect as the bypassing role");
    let why = |role: &DatabaseConnection| {
        let role = role.clone();
        async move {
            api::db::roles::unbound(&role, None)
                .await
                .expect("the check")
                .map(|unbound| unbound.to_string())
        }
    };
    let superuser_name = admin_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(user, _)| user.split(':').next().unwrap_or(user).to_owned())
        .expect("a user in TEST_DATABASE_URL");
    let refused = why(&superuser).await.expect("a superuser is refused");
    assert!(
        refused.starts_with(&format!(
            "the database role `{superuser_name}` is a superuser"
        )),
        "{refused}"
    );
    let refused = why(&bypass).await.expect("BYPASSRLS is refused");
    assert!(
        refused.starts_with(&format!("the database role `{BYPASS_ROLE}` has BYPASSRLS")),
        "{refused}"
    );
    let refused = why(&owner).await.expect("the owner is refused");
    assert!(
        refused.starts_with(&format!(
            "the database role `{OWNER_ROLE}` owns (or may act as the owner of) "
        )),
        "{refused}"
    );
    assert_eq!(why(&app).await, None, "the app role is bound");
    assert!(api::cli::ensure_servable(&app).await.is_ok());
    // `migrate --app-role` refuses to grant rights to a role the policies would not bind.
    let granted = api::db::roles::grant(&owner, BYPASS_ROLE).await;
    assert!(granted.is_err_and(|e| e.to_string().contains("has BYPASSRLS")));
}

/// Why `api serve` in the production profile on `database_url` stopped, as `main` prints it.
async fn serve_in_production(database_url: &str) -> String {
    let config = crate::auth::cli_config(
        api::config::Profile::Production,
        database_url,
        &crate::auth::secret_file(),
    );
    let refused = api::cli::serve(config).await.expect_err("refused");
    format!("{refused:#}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn serve_in_production_refuses_a_superuser_and_does_not_migrate() {
    let database = TestDatabase::create(Backend::Postgres).await;
    let refused = serve_in_production(&database.url).await;
    assert!(
        refused.contains("is a superuser, so row-level security does not bind it"),
        "{refused}"
    );
    let (db, _) = api::db::connect(&database.url).await.expect("connect");
    let tables = count(
        &db,
        "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    assert_eq!(tables, 0, "nothing was migrated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn serve_in_production_accepts_the_app_role() {
    let (database, _owner, _app) = production_database(false).await;
    // Past the database's checks, it stops at the next one: no keys are given here.
    let refused = serve_in_production(&with_user(&database.url, APP_ROLE)).await;
    assert_eq!(
        refused,
        "the production profile needs JWT_PUBLIC_KEYS or JWT_JWKS_FILE"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_in_production_refuses_a_database_that_is_not_migrated() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let refused = serve_in_production(&database.url).await;
    assert!(
        refused.contains("run `api migrate` as the owner first"),
        "{refused}"
    );
    let (db, _) = api::db::connect(&database.url).await.expect("connect");
    assert!(
        Migrator::get_applied_migrations(&db)
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing was migrated"
    );
}
