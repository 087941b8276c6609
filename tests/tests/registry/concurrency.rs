//! Writers at once: on SQLite (WAL, a busy timeout, write transactions that take the write lock
//! when they begin) as on PostgreSQL, concurrent writes fail only by a real version conflict, and
//! a database too busy to write in time is a retryable 503, never a client error.
#![allow(
    clippy::disallowed_methods,
    reason = "the checks read rows behind the API's back, outside any viewer's scope"
)]

use crate::common::{Backend, TestApp, error_codes, token};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CREATE_PARTY: &str = "mutation($input: CreateRegionalTablePartyInput!) {
  createRegionalTableParty(input: $input) {
    party { id organisation } userErrors { field message code } } }";

const UPDATE_REGION: &str = "mutation($id: ID!, $version: Int!, $notes: String!) {
  updateRegion(input: { id: $id, version: $version, notes: $notes }) {
    region { version notes } userErrors { field message code } } }";

/// The `id` and `version` of region `code`.
async fn id_and_version(app: &TestApp, code: &str) -> Value {
    let query = "query($code: String!) { region(code: $code) { id version } }";
    app.data(query, json!({ "code": code })).await["region"].clone()
}

/// Writers of each kind: creates of distinct records, and updates of one record.
const WRITERS: usize = 32;

on_both_databases!(
    sixty_four_concurrent_writers_fail_only_by_a_version_conflict,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let region = id_and_version(&app, "R02").await;
        let creates = (0..WRITERS).map(|i| {
            let input = json!({ "input": { "regionCode": "R01", "kind": "HOSPITAL",
                "organisation": format!("Ziekenhuis {i}") } });
            app.gql_with(Some(&admin), CREATE_PARTY, input)
        });
        // Every update sends the version all of them read: one wins, the others are stale.
        let updates = (0..WRITERS).map(|i| {
            let variables = json!({ "id": region["id"], "version": region["version"],
                "notes": format!("update {i}") });
            app.gql_with(Some(&admin), UPDATE_REGION, variables)
        });
        let (created, updated) = futures::future::join(
            futures::future::join_all(creates),
            futures::future::join_all(updates),
        )
        .await;

        for answer in created.iter().chain(&updated) {
            assert_eq!(error_codes(answer), Vec::<String>::new(), "{answer}");
        }
        for answer in &created {
            let payload = &answer["data"]["createRegionalTableParty"];
            assert_eq!(payload["userErrors"], json!([]), "{answer}");
        }
        let winners: Vec<&Value> = updated
            .iter()
            .map(|a| &a["data"]["updateRegion"])
            .filter(|p| p["region"].is_object())
            .collect();
        let refusals: Vec<&Value> = updated
            .iter()
            .flat_map(|a| a["data"]["updateRegion"]["userErrors"].as_array())
            .flatten()
            .collect();
        assert_eq!(winners.len(), 1, "{updated:#?}");
        assert_eq!(refusals.len(), WRITERS - 1, "{refusals:#?}");
        assert!(
            refusals.iter().all(|e| e["code"] == "CONFLICT"),
            "{refusals:#?}"
        );

        // Every acknowledged write is stored.
        for answer in &created {
            let organisation = &answer["data"]["createRegionalTableParty"]["party"]["organisation"];
            let stored = entity::regional_table_party::Entity::find()
                .filter(
                    entity::regional_table_party::Column::Organisation
                        .eq(organisation.as_str().unwrap_or_default()),
                )
                .all(&app.db)
                .await
                .expect("read");
            assert_eq!(stored.len(), 1, "{organisation}");
        }
        let stored = entity::region::Entity::find()
            .filter(entity::region::Column::Code.eq("R02"))
            .one(&app.db)
            .await
            .expect("read")
            .expect("R02");
        assert_eq!(json!(stored.version), winners[0]["region"]["version"]);
        assert_eq!(json!(stored.notes), winners[0]["region"]["notes"]);
    }
);

/// Holds the lock every write needs from outside the app: SQLite's write lock, or PostgreSQL's
/// lock on the region table; released when the connection closes.
async fn hold_the_write_lock(app: &TestApp) -> sea_orm::DatabaseConnection {
    let (holder, _) = api::db::connect(&app.database_url).await.expect("connect");
    let sql = match app.backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN; LOCK TABLE region IN ACCESS EXCLUSIVE MODE",
    };
    holder.execute_unprepared(sql).await.expect("lock");
    holder
}

on_both_databases!(
    a_write_that_cannot_get_its_lock_in_time_is_a_retryable_503,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let region = id_and_version(&app, "R03").await;
        let variables =
            json!({ "id": region["id"], "version": region["version"], "notes": "waited" });
        let holder = hold_the_write_lock(&app).await;
        let response = app
            .post(Some(&admin), UPDATE_REGION, variables.clone())
            .await;
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
        let body: Value = response.json().await.expect("json");
        assert_eq!(error_codes(&body), vec!["SERVICE_UNAVAILABLE"], "{body}");
        holder.close().await.expect("release");

        // Nothing was written; the same request, retried, succeeds.
        let retried = app.data_as("admin", &[], UPDATE_REGION, variables).await;
        assert_eq!(
            retried["updateRegion"]["region"]["notes"], "waited",
            "{retried}"
        );
    }
);
