//! Defence in depth on PostgreSQL: with a viewer's claims set and none of the API's filters, a
//! query through the app's connection still sees only that viewer's rows.

use crate::common;

use common::{Backend, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, TransactionTrait};

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

/// Counts rows of `sql` (a bare `SELECT COUNT(*) AS n FROM ...`, no API filter) as `role`.
async fn count_as(app: &TestApp, role: &str, regions: &str, sql: &str) -> i64 {
    let txn = app.app_db.begin().await.expect("begin");
    txn.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.role', $1, true), set_config('app.regions', $2, true)",
        [role.into(), regions.into()],
    ))
    .await
    .expect("set the claims");
    let count =
        Count::find_by_statement(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
            .one(&txn)
            .await
            .expect("count")
            .expect("a row")
            .n;
    txn.rollback().await.expect("rollback");
    count
}

async fn count_owner(app: &TestApp, sql: &str) -> i64 {
    Count::find_by_statement(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .one(&app.db)
        .await
        .expect("count")
        .expect("a row")
        .n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn policies_hide_rows_the_api_forgot_to_filter() {
    let app = TestApp::spawn(Backend::Postgres, 1).await;
    let subsidies = "SELECT COUNT(*) AS n FROM subsidy";
    let all = count_owner(&app, subsidies).await;
    let granted = count_owner(
        &app,
        "SELECT COUNT(*) AS n FROM subsidy WHERE status = 'GRANTED'",
    )
    .await;
    assert!(
        all > granted,
        "the seed has pending and rejected applications"
    );

    // Anonymous viewers and LeVEL editors: granted subsidies only.
    assert_eq!(count_as(&app, "", "", subsidies).await, granted);
    assert_eq!(count_as(&app, "level_editor", "", subsidies).await, granted);
    // ZonMw staff, analysts and admins: everything.
    for role in ["zonmw_staff", "national_analyst", "admin"] {
        assert_eq!(count_as(&app, role, "", subsidies).await, all, "{role}");
    }
    // A coordinator: granted ones plus every application of its own regions.
    let region = "SELECT r.code AS code FROM subsidy s JOIN region r ON r.id = s.region_id WHERE s.status <> 'GRANTED' LIMIT 1";
    #[derive(FromQueryResult)]
    struct Code {
        code: String,
    }
    let code = Code::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        region.to_owned(),
    ))
    .one(&app.db)
    .await
    .expect("query")
    .expect("a region with a pending application")
    .code;
    let own_pending = count_owner(
        &app,
        &format!("SELECT COUNT(*) AS n FROM subsidy s JOIN region r ON r.id = s.region_id WHERE r.code = '{code}' AND s.status <> 'GRANTED'"),
    )
    .await;
    assert_eq!(
        count_as(&app, "regional_coordinator", &code, subsidies).await,
        granted + own_pending
    );
    assert_eq!(
        count_as(&app, "regional_coordinator", "R99", subsidies).await,
        granted
    );
    // The same for vouchers.
    let vouchers_granted = count_owner(
        &app,
        "SELECT COUNT(*) AS n FROM voucher WHERE status = 'GRANTED'",
    )
    .await;
    assert_eq!(
        count_as(&app, "", "", "SELECT COUNT(*) AS n FROM voucher").await,
        vouchers_granted
    );
    // Members-only materials and their links stay hidden from anonymous viewers.
    assert_eq!(
        count_as(
            &app,
            "",
            "",
            "SELECT COUNT(*) AS n FROM learning_material WHERE visibility = 'MEMBERS'"
        )
        .await,
        0
    );
    let members = count_owner(
        &app,
        "SELECT COUNT(*) AS n FROM learning_material WHERE visibility = 'MEMBERS'",
    )
    .await;
    assert!(members > 0);
    assert_eq!(
        count_as(
            &app,
            "level_editor",
            "",
            "SELECT COUNT(*) AS n FROM learning_material WHERE visibility = 'MEMBERS'"
        )
        .await,
        members
    );
    let themes = "SELECT COUNT(*) AS n FROM material_theme t JOIN learning_material m ON m.id = t.material_id WHERE m.visibility = 'MEMBERS'";
    assert_eq!(count_as(&app, "", "", "SELECT COUNT(*) AS n FROM material_theme WHERE material_id IN (SELECT id FROM learning_material WHERE visibility = 'MEMBERS')").await, 0);
    assert!(count_owner(&app, themes).await > 0);
    // The audit trail: admins and analysts only.
    app.db
        .execute_unprepared("INSERT INTO audit_log (at, actor_sub, actor_role, entity, entity_id, action) VALUES (now(), 'x', 'admin', 'resv', 1, 'UPDATE')")
        .await
        .expect("an audit entry");
    assert_eq!(
        count_as(&app, "", "", "SELECT COUNT(*) AS n FROM audit_log").await,
        0
    );
    assert_eq!(
        count_as(
            &app,
            "regional_coordinator",
            "R01",
            "SELECT COUNT(*) AS n FROM audit_log"
        )
        .await,
        0
    );
    assert_eq!(
        count_as(
            &app,
            "national_analyst",
            "",
            "SELECT COUNT(*) AS n FROM audit_log"
        )
        .await,
        1
    );
    // Without any claims at all (a connection that never set them): the public view.
    let bare = Count::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        subsidies.to_owned(),
    ))
    .one(&app.app_db)
    .await
    .expect("count")
    .expect("a row")
    .n;
    assert_eq!(bare, granted);
    // Writes are refused by the policies too: an anonymous transaction cannot add a subsidy.
    let txn = app.app_db.begin().await.expect("begin");
    let refused = txn
        .execute_unprepared("INSERT INTO subsidy (region_id, kind, status, applied_on, source, version, created_at, updated_at) VALUES (1, 'RESEARCH', 'GRANTED', '2025-01-01', 'DEMONSTRATION', 1, now(), now())")
        .await;
    assert!(refused.is_err(), "the policy refused the insert");
    txn.rollback().await.ok();
    // And the app's role does not own the tables.
    let owner = count_owner(&app, "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = 'subsidy' AND tableowner = current_user").await;
    assert_eq!(owner, 1, "the test's owner connection owns the tables");
    let app_owner = Count::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        "SELECT COUNT(*) AS n FROM pg_tables WHERE tablename = 'subsidy' AND tableowner = current_user".to_owned(),
    ))
    .one(&app.app_db)
    .await
    .expect("count")
    .expect("a row")
    .n;
    assert_eq!(app_owner, 0, "the app's role owns no table");
}
