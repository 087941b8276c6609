//! Database-level tests: migrations, the seed, and invariants the database itself enforces.

use crate::common;

use common::{Backend, TestApp, TestDatabase};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};

#[expect(clippy::disallowed_methods, reason = "tests inspect whole tables")]
async fn row_counts(app: &TestApp) -> Vec<u64> {
    use entity::*;
    vec![
        region::Entity::find().count(&app.db).await.expect("count"),
        resv::Entity::find().count(&app.db).await.expect("count"),
        seat::Entity::find().count(&app.db).await.expect("count"),
        subsidy::Entity::find().count(&app.db).await.expect("count"),
        voucher::Entity::find().count(&app.db).await.expect("count"),
        neighbourhood_collaboration::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        learning_material::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
    ]
}

on_both_databases!(seed_is_idempotent, |app: TestApp| async move {
    let before = row_counts(&app).await;
    let report = api::seed::run(&app.db, 1).await.expect("second seed");
    assert!(!report.demonstration_generated);
    assert_eq!(row_counts(&app).await, before);
    assert_eq!(before[0], 54);
});

async fn execute(app: &TestApp, sql: &str) -> Result<(), sea_orm::DbErr> {
    app.db
        .execute(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .map(|_| ())
}

on_both_databases!(
    a_discipline_sits_in_one_seat_per_resv,
    |app: TestApp| async move {
        use sea_orm::FromQueryResult;
        #[derive(FromQueryResult)]
        struct Seated {
            seat_id: i32,
            resv_id: i32,
            discipline_code: String,
        }
        let backend = app.db.get_database_backend();
        let taken = Seated::find_by_statement(Statement::from_string(
        backend,
        "SELECT seat_id, resv_id, discipline_code FROM seat_discipline ORDER BY seat_id LIMIT 1",
    ))
    .one(&app.db)
    .await
    .expect("query")
    .expect("a seated discipline");
        // A second seat of the same RESV for the same discipline is refused.
        execute(&app, &format!(
        "INSERT INTO seat (resv_id, organisation, mandate_status, source, version, created_at, updated_at) \
         VALUES ({}, 'Second seat', 'PENDING', 'DEMONSTRATION', 1, '2025-07-01T00:00:00Z', '2025-07-01T00:00:00Z')",
        taken.resv_id
    ))
    .await
    .expect("a new seat");
        let duplicate = execute(
            &app,
            &format!(
                "INSERT INTO seat_discipline (seat_id, discipline_code, resv_id) \
         SELECT MAX(id), '{}', {} FROM seat",
                taken.discipline_code, taken.resv_id
            ),
        )
        .await;
        assert!(
            duplicate.is_err(),
            "the database refused a second seat for one discipline"
        );
        // A seat cannot claim another RESV's discipline list.
        let mismatch = execute(&app, &format!(
        "INSERT INTO seat_discipline (seat_id, discipline_code, resv_id) VALUES ({}, 'OPTOMETRY', {})",
        taken.seat_id,
        taken.resv_id + 1
    ))
    .await;
        assert!(mismatch.is_err(), "seat and RESV must agree");
        // Unknown enum values are refused by CHECK constraints.
        let unknown = execute(&app, "UPDATE resv SET phase = 'DREAMING' WHERE id = 1").await;
        assert!(unknown.is_err());
        let negative = execute(
            &app,
            "UPDATE subsidy SET amount_granted_cents = -1 WHERE id = 1",
        )
        .await;
        assert!(negative.is_err());
    }
);

async fn migrations_round_trip(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let (db, _) = api::db::connect(&database.url).await.expect("connect");
    Migrator::up(&db, None).await.expect("up");
    Migrator::down(&db, None).await.expect("down");
    let tables = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            match backend {
                Backend::Sqlite => {
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'region'"
                }
                Backend::Postgres => "SELECT tablename FROM pg_tables WHERE tablename = 'region'",
            }
            .to_owned(),
        ))
        .await
        .expect("list tables");
    assert!(tables.is_empty(), "down removed the tables");
    Migrator::up(&db, None).await.expect("up again");
    api::seed::run(&db, 1).await.expect("seed after up-down-up");
    db.close().await.ok();
}

#[tokio::test]
async fn migrations_up_down_up_sqlite() {
    migrations_round_trip(Backend::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1")]
async fn migrations_up_down_up_postgres() {
    migrations_round_trip(Backend::Postgres).await;
}

#[test]
fn harness_names_carry_their_process() {
    use common::database::{orphaned, owner};
    assert_eq!(owner("registry_tpl_123_10"), Some(123));
    assert_eq!(owner("registry_test_77_0123abcd.db-wal"), Some(77));
    // Names of the former harness (`registry_test_<uuid>`) and of others are not ours to remove.
    assert_eq!(owner("registry_test_0123abcd.db"), None);
    assert_eq!(owner("registry_other_1_2"), None);
    assert!(!orphaned(&format!("registry_tpl_{}_1", std::process::id())));
}
