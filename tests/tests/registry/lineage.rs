//! Region lineage: merges, splits and renames keep history, old codes resolve, and coverage for
//! dates before a change keeps counting the old regions.
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the schema fixes; a missing field fails on its own line"
)]

use crate::common;

use common::{TestApp, error_codes, token};
use serde_json::{Value, json};

const MERGE: &str = "mutation($input: MergeRegionsInput!) { mergeRegions(input: $input) {
    regions { code name populationApprox retiredOn resv { id } neighbourhoodCollaborations { id } }
    retired { code retiredOn successors { code } }
    changes { kind formerCode effectiveOn predecessor { code } successor { code } }
    userErrors { field message code } } }";

const SPLIT: &str = "mutation($input: SplitRegionInput!) { splitRegion(input: $input) {
    regions { code populationApprox resv { id } neighbourhoodCollaborations { id } predecessors { code } }
    retired { code retiredOn }
    changes { kind formerCode }
    userErrors { field message code } } }";

const RENAME: &str = "mutation($input: RenameRegionInput!) { renameRegion(input: $input) {
    regions { code name }
    changes { kind formerCode formerName }
    userErrors { field message code } } }";

const REGION: &str = "query($code: String!, $follow: Boolean!) {
    region(code: $code, followChanges: $follow) {
      code name retiredOn populationApprox
      resolvedFrom { requestedCode changes { kind formerCode successor { code } } }
      predecessors { code } successors { code }
      changes { kind formerCode }
      resv { id }
      neighbourhoodCollaborations { id }
    } }";

/// Two regions of one care-office region, each with an RESV, ordered by code.
async fn two_neighbours(app: &TestApp) -> (Value, Value) {
    let all = app
        .data(
            "{ regions(first: 100, filter: { hasResv: true }) { nodes { code populationApprox
                careOfficeRegion { code } resv { id } neighbourhoodCollaborations { id } } } }",
            json!({}),
        )
        .await["regions"]["nodes"]
        .clone();
    let all = all.as_array().unwrap();
    for a in all {
        if let Some(b) = all.iter().find(|b| {
            b["code"] != a["code"] && b["careOfficeRegion"]["code"] == a["careOfficeRegion"]["code"]
        }) {
            return (a.clone(), b.clone());
        }
    }
    panic!("no care-office region with two RESV regions");
}

async fn region(app: &TestApp, code: &str, follow: bool) -> Value {
    app.data(REGION, json!({ "code": code, "follow": follow }))
        .await["region"]
        .clone()
}

async fn national(app: &TestApp, as_of: Option<&str>) -> (i64, i64, i64) {
    let data = app
        .data(
            "query($asOf: Date) { coverage(asOf: $asOf) { national {
                regions population resvs { regionsWithResv } neighbourhoods { collaborations } } } }",
            json!({ "asOf": as_of }),
        )
        .await;
    let n = &data["coverage"]["national"];
    (
        n["regions"].as_i64().unwrap(),
        n["population"].as_i64().unwrap(),
        n["neighbourhoods"]["collaborations"].as_i64().unwrap(),
    )
}

async fn admin(app: &TestApp, document: &str, input: Value) -> Value {
    let data = app
        .data_as("admin", &[], document, json!({ "input": input }))
        .await;
    data.as_object().unwrap().values().next().unwrap().clone()
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

on_both_databases!(
    a_merge_retires_regions_and_old_codes_resolve,
    |app: TestApp| async move {
        let (a, b) = two_neighbours(&app).await;
        let (code_a, code_b) = (a["code"].as_str().unwrap(), b["code"].as_str().unwrap());
        let before = national(&app, None).await;
        let published = national(&app, Some("2025-07-01")).await;
        let today = chrono::Utc::now().date_naive().to_string();

        // Both have an RESV and the successor is new: say whose RESV carries over.
        let input = json!({ "regionCodes": [code_a, code_b], "successorCode": "M-01",
            "successorName": "Merged", "effectiveOn": today });
        let refused = admin(&app, MERGE, input.clone()).await;
        assert_eq!(refused["userErrors"][0]["field"], "resvFrom", "{refused}");
        assert_eq!(refused["regions"], json!([]));
        assert_eq!(region(&app, code_a, true).await["retiredOn"], Value::Null);

        // A future date is refused as well, and changes nothing.
        let mut future = input.clone();
        future["effectiveOn"] = json!("2099-01-01");
        future["resvFrom"] = json!(code_b);
        let refused = admin(&app, MERGE, future).await;
        assert_eq!(
            refused["userErrors"][0]["field"], "effectiveOn",
            "{refused}"
        );

        let mut merge = input;
        merge["resvFrom"] = json!(code_b);
        merge["note"] = json!("Decision of the regional table");
        let done = admin(&app, MERGE, merge).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let merged = &done["regions"][0];
        assert_eq!(merged["code"], "M-01");
        assert_eq!(
            merged["resv"]["id"], b["resv"]["id"],
            "b's RESV carried over"
        );
        assert_eq!(
            merged["populationApprox"].as_i64().unwrap(),
            a["populationApprox"].as_i64().unwrap() + b["populationApprox"].as_i64().unwrap()
        );
        let mut both = ids(&a["neighbourhoodCollaborations"]);
        both.extend(ids(&b["neighbourhoodCollaborations"]));
        both.sort();
        assert_eq!(ids(&merged["neighbourhoodCollaborations"]), both);
        assert_eq!(done["retired"].as_array().unwrap().len(), 2);
        assert_eq!(done["changes"][0]["kind"], "MERGE");

        // The old code answers with the successor and says so; asked strictly, with itself.
        let via_old = region(&app, code_a, true).await;
        assert_eq!(via_old["code"], "M-01");
        assert_eq!(via_old["resolvedFrom"]["requestedCode"], code_a);
        assert_eq!(via_old["resolvedFrom"]["changes"][0]["kind"], "MERGE");
        let old = region(&app, code_a, false).await;
        assert_eq!(old["retiredOn"], json!(today));
        assert_eq!(old["successors"], json!([{ "code": "M-01" }]));
        assert_eq!(old["resolvedFrom"], Value::Null);
        assert_eq!(old["resv"]["id"], a["resv"]["id"], "a's RESV stays behind");
        let mut predecessors: Vec<String> = via_old["predecessors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_owned())
            .collect();
        predecessors.sort();
        assert_eq!(predecessors, vec![code_a.to_owned(), code_b.to_owned()]);
        assert_eq!(region(&app, "NOPE", true).await, Value::Null);

        // Lists show current regions unless asked for the retired ones too.
        let listed = app
            .data(
                "{ current: regions(first: 1) { totalCount }
                   all: regions(first: 1, filter: { includeRetired: true }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(listed["current"]["totalCount"], 53);
        assert_eq!(listed["all"]["totalCount"], 55);

        // Coverage: today one region fewer (the same people and collaborations, one RESV
        // fewer); before the change the old regions count as they did.
        let after = national(&app, None).await;
        assert_eq!(after.0, before.0 - 1);
        assert_eq!(after.1, before.1);
        assert_eq!(after.2, before.2);
        assert_eq!(national(&app, Some("2025-07-01")).await, published);

        // History: the retirement is in the old region's audit trail.
        let history = app
            .data_as(
                "admin",
                &[],
                "query($code: String!) { region(code: $code, followChanges: false) { history { action } } }",
                json!({ "code": code_a }),
            )
            .await;
        assert_eq!(history["region"]["history"].as_array().unwrap().len(), 1);

        // A retired region takes no new records; its successor does.
        let created = app
            .data_as(
                "admin",
                &[],
                "mutation($code: String!) { createNeighbourhoodCollaboration(input: {
                   regionCode: $code, name: \"Late\", area: \"Centre\" }) {
                   neighbourhoodCollaboration { id } userErrors { field message } } }",
                json!({ "code": code_a }),
            )
            .await;
        let refusal = &created["createNeighbourhoodCollaboration"];
        assert_eq!(refusal["userErrors"][0]["field"], "regionCode", "{refusal}");

        // A retired region cannot merge again.
        let again = admin(
            &app,
            MERGE,
            json!({ "regionCodes": [code_a, "M-01"], "successorCode": "M-01", "effectiveOn": today }),
        )
        .await;
        assert_eq!(again["userErrors"][0]["field"], "regionCodes", "{again}");
    }
);

on_both_databases!(
    a_split_hands_each_collaboration_to_a_new_region,
    |app: TestApp| async move {
        let (a, _) = two_neighbours(&app).await;
        let code = a["code"].as_str().unwrap();
        let collaborations = ids(&a["neighbourhoodCollaborations"]);
        assert!(collaborations.len() >= 2, "{a}");
        let (north, south) = collaborations.split_at(1);
        let today = chrono::Utc::now().date_naive().to_string();
        let before = national(&app, None).await;

        // Every collaboration must go somewhere.
        let input = json!({ "regionCode": code, "effectiveOn": today, "resvTo": "S-N",
            "successors": [
                { "code": "S-N", "name": "North", "populationApprox": 100000, "neighbourhoodCollaborationIds": north },
                { "code": "S-Z", "name": "South", "populationApprox": 50000 } ] });
        let refused = admin(&app, SPLIT, input.clone()).await;
        assert_eq!(
            refused["userErrors"][0]["field"], "successors.neighbourhoodCollaborationIds",
            "{refused}"
        );
        assert_eq!(region(&app, code, false).await["retiredOn"], Value::Null);
        assert_eq!(region(&app, "S-N", false).await, Value::Null);

        let mut split = input;
        split["successors"][1]["neighbourhoodCollaborationIds"] = json!(south);
        let done = admin(&app, SPLIT, split).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let made = done["regions"].as_array().unwrap();
        assert_eq!(made.len(), 2);
        assert_eq!(made[0]["resv"]["id"], a["resv"]["id"]);
        assert_eq!(made[1]["resv"], Value::Null);
        assert_eq!(ids(&made[0]["neighbourhoodCollaborations"]), north.to_vec());
        assert_eq!(ids(&made[1]["neighbourhoodCollaborations"]), south.to_vec());
        assert_eq!(made[1]["predecessors"], json!([{ "code": code }]));
        assert_eq!(done["changes"].as_array().unwrap().len(), 2);

        // The split region answers as itself, retired, with its successors.
        let old = region(&app, code, true).await;
        assert_eq!(old["code"], code);
        assert_eq!(old["retiredOn"], json!(today));
        assert_eq!(old["resolvedFrom"], Value::Null);
        assert_eq!(
            old["successors"],
            json!([{ "code": "S-N" }, { "code": "S-Z" }])
        );

        let after = national(&app, None).await;
        assert_eq!(after.0, before.0 + 1);
        assert_eq!(after.2, before.2);
    }
);

on_both_databases!(
    renamed_codes_resolve_through_later_merges,
    |app: TestApp| async move {
        let (a, b) = two_neighbours(&app).await;
        let (code_a, code_b) = (a["code"].as_str().unwrap(), b["code"].as_str().unwrap());
        let today = chrono::Utc::now().date_naive().to_string();
        let stored = region(&app, code_a, false).await;
        let read = app
            .data(
                "query($code: String!) { region(code: $code) { id version name } }",
                json!({ "code": code_a }),
            )
            .await["region"]
            .clone();
        let renamed = admin(
            &app,
            RENAME,
            json!({ "id": read["id"], "version": read["version"], "code": "RN-1",
                    "name": "Renamed", "effectiveOn": "2025-01-01" }),
        )
        .await;
        assert_eq!(renamed["userErrors"], json!([]), "{renamed}");
        assert_eq!(renamed["changes"][0]["formerCode"], code_a);
        assert_eq!(renamed["changes"][0]["formerName"], stored["name"]);

        // A stale version is a conflict.
        let stale = admin(
            &app,
            RENAME,
            json!({ "id": read["id"], "version": read["version"], "name": "Again", "effectiveOn": "2025-01-01" }),
        )
        .await;
        assert_eq!(stale["userErrors"][0]["code"], "CONFLICT", "{stale}");

        let via_old = region(&app, code_a, true).await;
        assert_eq!(via_old["code"], "RN-1");
        assert_eq!(via_old["resolvedFrom"]["changes"][0]["kind"], "RENAME");
        assert_eq!(region(&app, code_a, false).await, Value::Null);

        // The renamed region merges into its neighbour: the oldest code follows both changes.
        let merged = admin(
            &app,
            MERGE,
            json!({ "regionCodes": ["RN-1", code_b], "successorCode": code_b, "effectiveOn": today }),
        )
        .await;
        assert_eq!(merged["userErrors"], json!([]), "{merged}");
        let via_oldest = region(&app, code_a, true).await;
        assert_eq!(via_oldest["code"], code_b);
        let kinds: Vec<&str> = via_oldest["resolvedFrom"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, vec!["RENAME", "MERGE"]);
        let successor = region(&app, code_b, true).await;
        assert_eq!(successor["resolvedFrom"], Value::Null);
        assert_eq!(successor["predecessors"], json!([{ "code": "RN-1" }]));

        // The retired region leaves the data-quality report.
        let report = app
            .data_as(
                "admin",
                &[],
                "{ dataQuality { regions { region { code } } } }",
                json!({}),
            )
            .await;
        let listed = report.to_string();
        assert!(!listed.contains("\"RN-1\""), "{listed}");
    }
);

on_both_databases!(lineage_changes_need_an_admin, |app: TestApp| async move {
    let (a, b) = two_neighbours(&app).await;
    let input = json!({ "input": { "regionCodes": [a["code"], b["code"]],
            "successorCode": a["code"], "effectiveOn": "2025-01-01" } });
    let coordinator = token(
        "regional_coordinator",
        &[a["code"].as_str().unwrap(), b["code"].as_str().unwrap()],
    );
    let body = app.gql_with(Some(&coordinator), MERGE, input.clone()).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let body = app.gql(MERGE, input).await;
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{body}");
    assert_eq!(
        region(&app, a["code"].as_str().unwrap(), false).await["retiredOn"],
        Value::Null
    );
});
