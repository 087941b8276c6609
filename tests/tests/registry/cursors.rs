//! Keyset cursors: a walk through a list while others write neither repeats nor skips a row,
//! a cursor pages only the list (connection, order, filter) it was made for, and paging backwards
//! gives the rows of paging forwards — on SQLite and PostgreSQL.
#![allow(
    clippy::disallowed_methods,
    reason = "the test deletes regions behind the API's back, outside any viewer's scope"
)]

use crate::common::{TestApp, error_codes};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const CREATE_REGION: &str = "mutation($input: CreateRegionInput!) {
  createRegion(input: $input) { region { code } userErrors { message } } }";

/// Creates region `code` as an admin, with `population` (none when `None`).
async fn create_region(app: &TestApp, code: &str, population: Option<i64>) {
    let input = json!({
        "code": code, "name": format!("Region {code}"), "careOfficeRegionCode": "ZK01",
        "populationApprox": population,
    });
    let data = app
        .data_as("admin", &[], CREATE_REGION, json!({ "input": input }))
        .await;
    assert_eq!(data["createRegion"]["region"]["code"], code, "{data}");
}

/// Deletes region `code` through the database, as no mutation deletes regions.
async fn delete_region(app: &TestApp, code: &str) {
    let deleted = entity::region::Entity::delete_many()
        .filter(entity::region::Column::Code.eq(code))
        .exec(&app.db)
        .await
        .expect("delete a region");
    assert_eq!(deleted.rows_affected, 1, "{code}");
}

/// One page of `field(args)` as an admin: its cursors and node ids, and its page info.
async fn page(app: &TestApp, field: &str, args: &str, node: &str) -> (Vec<(String, Value)>, Value) {
    let query = format!(
        "{{ {field}({args}) {{ pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} \
           edges {{ cursor node {{ {node} }} }} }} }}"
    );
    let data = app.data_as("admin", &[], &query, json!({})).await;
    let connection = &data[field];
    let edges = connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["cursor"].as_str().expect("cursor").to_owned(),
                e["node"].clone(),
            )
        })
        .collect();
    (edges, connection["pageInfo"].clone())
}

/// Every node of `field(order)`, walking `first: size` pages forwards.
async fn walk_forwards(app: &TestApp, field: &str, order: &str, size: u32) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = String::new();
    loop {
        let (edges, info) = page(app, field, &format!("{order} first: {size} {after}"), "id").await;
        nodes.extend(edges.into_iter().map(|(_, node)| node));
        if info["hasNextPage"] == false {
            return nodes;
        }
        after = format!("after: {}", info["endCursor"]);
    }
}

/// Every node of `field(order)`, walking `last: size` pages backwards, in the list's order.
async fn walk_backwards(app: &TestApp, field: &str, order: &str, size: u32) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut before = String::new();
    loop {
        let (edges, info) = page(app, field, &format!("{order} last: {size} {before}"), "id").await;
        pages.push(edges.into_iter().map(|(_, node)| node).collect::<Vec<_>>());
        if info["hasPreviousPage"] == false {
            return pages.into_iter().rev().flatten().collect();
        }
        before = format!("before: {}", info["startCursor"]);
    }
}

/// The codes of every listed region.
async fn all_codes(app: &TestApp) -> BTreeSet<String> {
    let (edges, _) = page(app, "regions", "first: 100", "code").await;
    edges
        .into_iter()
        .map(|(_, node)| node["code"].as_str().expect("code").to_owned())
        .collect()
}

async fn total(app: &TestApp, field: &str, order: &str) -> usize {
    let query = format!("{{ {field}({order} first: 1) {{ totalCount }} }}");
    let data = app.data_as("admin", &[], &query, json!({})).await;
    usize::try_from(data[field]["totalCount"].as_u64().expect("totalCount")).expect("a count")
}

on_both_databases!(
    a_walk_while_others_write_sees_every_lasting_region_exactly_once,
    |app: TestApp| async move {
        // Regions that exist when the walk starts and are deleted behind it.
        for code in ["R00a", "R00b", "R30a"] {
            create_region(&app, code, None).await;
        }
        let at_start = all_codes(&app).await;
        assert_eq!(at_start.len(), 57);

        let mut seen: Vec<String> = Vec::new();
        let mut after = String::new();
        for step in 0.. {
            let (edges, info) = page(&app, "regions", &format!("first: 10 {after}"), "code").await;
            seen.extend(
                edges
                    .iter()
                    .map(|(_, node)| node["code"].as_str().expect("code").to_owned()),
            );
            if info["hasNextPage"] == false {
                break;
            }
            after = format!("after: {}", info["endCursor"]);
            // Between pages an admin deletes regions before the walk's position (an offset would
            // then skip rows) and after it, and adds regions before it (an offset would then
            // repeat rows) and after it.
            match step {
                0 => delete_region(&app, "R00a").await,
                1 => {
                    delete_region(&app, "R00b").await;
                    delete_region(&app, "R30a").await;
                }
                2 => {
                    create_region(&app, "R00c", Some(1_000)).await;
                    create_region(&app, "R00d", None).await;
                    create_region(&app, "R01a", None).await;
                    create_region(&app, "R50a", None).await;
                }
                _ => {}
            }
        }

        let at_end = all_codes(&app).await;
        let mut times_seen: BTreeMap<&str, usize> = BTreeMap::new();
        for code in &seen {
            *times_seen.entry(code.as_str()).or_default() += 1;
        }
        let twice: Vec<_> = times_seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "seen more than once: {twice:?}");
        let missed: Vec<_> = at_start
            .intersection(&at_end)
            .filter(|code| !times_seen.contains_key(code.as_str()))
            .collect();
        assert!(missed.is_empty(), "lasting regions missed: {missed:?}");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "the walk keeps the order by code");
        // The region added ahead of the walk is seen; those added behind it are not.
        assert!(times_seen.contains_key("R50a"));
        for behind in ["R00c", "R00d", "R01a"] {
            assert!(!times_seen.contains_key(behind), "{behind}");
        }
    }
);

/// The error code and message of a request that must fail.
async fn refusal(app: &TestApp, query: &str) -> (Vec<String>, String) {
    let body = app.gql(query, json!({})).await;
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (error_codes(&body), message)
}

async fn end_cursor(app: &TestApp, field: &str, args: &str) -> Value {
    let (_, info) = page(app, field, args, "id").await;
    assert!(info["endCursor"].is_string(), "{info}");
    info["endCursor"].clone()
}

on_both_databases!(
    a_cursor_pages_only_its_own_list_order_and_filter,
    |app: TestApp| async move {
        let refused = |codes: Vec<String>, message: String, expected: &str| {
            assert_eq!(codes, vec!["BAD_USER_INPUT"], "{message}");
            assert!(message.contains(expected), "{message} lacks {expected:?}");
        };

        let resv = end_cursor(&app, "resvs", "first: 2").await;
        let (codes, message) = refusal(
            &app,
            &format!("{{ regions(first: 2, after: {resv}) {{ nodes {{ code }} }} }}"),
        )
        .await;
        refused(
            codes,
            message,
            "invalid after: this cursor belongs to another list",
        );

        let by_name = end_cursor(&app, "regions", "orderBy: { field: NAME } first: 2").await;
        for other in [
            "orderBy: { field: CODE }",
            "",
            "orderBy: { field: NAME, direction: DESC }",
        ] {
            let (codes, message) = refusal(
                &app,
                &format!(
                    "{{ regions({other} last: 2, before: {by_name}) {{ nodes {{ code }} }} }}"
                ),
            )
            .await;
            refused(
                codes,
                message,
                "invalid before: this cursor belongs to another order of this list",
            );
        }

        let filtered =
            end_cursor(&app, "regions", "filter: { nameContains: \"a\" } first: 2").await;
        for other in [
            "filter: { nameContains: \"e\" }",
            "",
            "filter: { hasResv: true }",
        ] {
            let (codes, message) = refusal(
                &app,
                &format!(
                    "{{ regions({other} first: 2, after: {filtered}) {{ nodes {{ code }} }} }}"
                ),
            )
            .await;
            refused(
                codes,
                message,
                "invalid after: this cursor belongs to another filter of this list",
            );
        }
        // The same filter written otherwise is the same list.
        let same = app
            .gql(
                &format!(
                    "{{ regions(filter: {{ nameContains: \"A\" }} first: 2, after: {filtered}) \
                       {{ nodes {{ code }} }} }}"
                ),
                json!({}),
            )
            .await;
        assert!(same.get("errors").is_none(), "{same}");

        // Offsets of the former cursors, and text that is no cursor at all.
        use base64::Engine;
        let offset = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("cursor:v1:5");
        for garbage in [offset.as_str(), "bm90IGEgY3Vyc29y", "%%%"] {
            let (codes, message) = refusal(
                &app,
                &format!("{{ regions(first: 2, after: \"{garbage}\") {{ nodes {{ code }} }} }}"),
            )
            .await;
            refused(codes, message, "invalid after: not a cursor of this API");
        }
    }
);

/// Orders of every connection, with NULL sort keys among them (populations, decision dates,
/// granted amounts, event dates), ties (phases, dates) and both directions.
const ORDERS: &[(&str, &str)] = &[
    ("regions", ""),
    ("regions", "orderBy: { field: POPULATION }"),
    ("regions", "orderBy: { field: POPULATION, direction: DESC }"),
    ("regions", "orderBy: { field: NAME, direction: DESC }"),
    ("resvs", "orderBy: { field: PHASE }"),
    (
        "resvs",
        "orderBy: { field: ESTABLISHED_ON, direction: DESC }",
    ),
    ("resvs", "orderBy: { field: UPDATED_AT }"),
    ("subsidies", "orderBy: { field: DECIDED_ON }"),
    (
        "subsidies",
        "orderBy: { field: AMOUNT_GRANTED, direction: DESC }",
    ),
    (
        "vouchers",
        "orderBy: { field: DISCIPLINE, direction: DESC }",
    ),
    ("vouchers", "orderBy: { field: DECIDED_ON }"),
    (
        "neighbourhoodCollaborations",
        "orderBy: { field: POPULATION }",
    ),
    (
        "neighbourhoodCollaborations",
        "orderBy: { field: ESTABLISHED_ON }",
    ),
    ("learningMaterials", "orderBy: { field: EVENT_STARTS_AT }"),
    (
        "learningMaterials",
        "orderBy: { field: TITLE, direction: DESC }",
    ),
    ("careOfficeRegions", ""),
    ("izaRegions", ""),
    ("auditLog", ""),
];

on_both_databases!(
    paging_backwards_gives_the_rows_of_paging_forwards_in_every_list,
    |app: TestApp| async move {
        // Regions without a population, and one sharing a population, among the rest.
        for (code, population) in [("R60", None), ("R61", None), ("R62", Some(300_000))] {
            create_region(&app, code, population).await;
        }
        create_region(&app, "R63", Some(300_000)).await;
        for (field, order) in ORDERS {
            let forwards = walk_forwards(&app, field, order, 3).await;
            let backwards = walk_backwards(&app, field, order, 3).await;
            assert_eq!(
                forwards.len(),
                total(&app, field, order).await,
                "{field}({order})"
            );
            assert!(forwards.len() > 3, "{field}({order}) fits one page");
            assert_eq!(backwards, forwards, "{field}({order})");
            let ids: BTreeSet<_> = forwards.iter().map(Value::to_string).collect();
            assert_eq!(ids.len(), forwards.len(), "{field}({order}) repeats a row");
        }
    }
);

on_both_databases!(
    a_window_between_two_cursors_is_paged_from_either_end,
    |app: TestApp| async move {
        let order = "orderBy: { field: POPULATION, direction: DESC }";
        let (all, _) = page(&app, "regions", &format!("{order} first: 100"), "code").await;
        let (after, before) = (&all[4].0, &all[15].0);
        let between: Vec<Value> = all[5..15].iter().map(|(_, node)| node.clone()).collect();
        let window = format!("{order} after: \"{after}\" before: \"{before}\"");

        let (first, info) = page(&app, "regions", &format!("{window} first: 4"), "code").await;
        let first: Vec<Value> = first.into_iter().map(|(_, node)| node).collect();
        assert_eq!(first, between[..4]);
        assert_eq!(info["hasNextPage"], true);
        assert_eq!(info["hasPreviousPage"], true);

        let (last, info) = page(&app, "regions", &format!("{window} last: 4"), "code").await;
        let last: Vec<Value> = last.into_iter().map(|(_, node)| node).collect();
        assert_eq!(last, between[6..]);
        assert_eq!(info["hasPreviousPage"], true);

        let (whole, info) = page(&app, "regions", &format!("{window} first: 20"), "code").await;
        let whole: Vec<Value> = whole.into_iter().map(|(_, node)| node).collect();
        assert_eq!(whole, between);
        // Rows follow the window: `before` was given.
        assert_eq!(info["hasNextPage"], true);

        // `first` then `last` of those: rows 3 and 4 of the window.
        let (both, info) = page(
            &app,
            "regions",
            &format!("{window} first: 4 last: 2"),
            "code",
        )
        .await;
        let both: Vec<Value> = both.into_iter().map(|(_, node)| node).collect();
        assert_eq!(both, between[2..4]);
        assert_eq!(info["hasPreviousPage"], true);
    }
);
