//! Who may call which mutation: every create, delete and decision, per role and region; refused
//! calls leave the database as it was.

use crate::common;

use common::{TestApp, error_codes, token};
use serde_json::{Value, json};

/// A caller: no token, or a role keeping some regions.
type Caller<'a> = Option<(&'a str, &'a [&'a str])>;

/// Calls `document` as `caller`; returns the top-level error codes and whether anything changed.
async fn call(
    app: &TestApp,
    caller: Caller<'_>,
    document: &str,
    variables: Value,
) -> (Vec<String>, Value, bool) {
    let before = app.audit_count().await;
    let token = caller.map(|(role, regions)| token(role, regions));
    let body = app.gql_with(token.as_deref(), document, variables).await;
    let changed = app.audit_count().await != before;
    (error_codes(&body), body, changed)
}

/// Expects every refused caller to get its code and change nothing, then `allowed` to succeed.
async fn check(
    app: &TestApp,
    name: &str,
    document: &str,
    variables: Value,
    refused: &[(Caller<'_>, &str)],
    allowed: Caller<'_>,
) {
    for (caller, code) in refused {
        let (codes, body, changed) = call(app, *caller, document, variables.clone()).await;
        assert_eq!(
            codes,
            vec![code.to_string()],
            "{name} as {caller:?}: {body}"
        );
        assert!(!changed, "{name} as {caller:?} changed nothing");
    }
    let (codes, body, changed) = call(app, allowed, document, variables).await;
    assert!(codes.is_empty(), "{name} as {allowed:?}: {body}");
    let payload = body["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        payload["userErrors"],
        json!([]),
        "{name} as {allowed:?}: {body}"
    );
    assert!(changed, "{name} as {allowed:?} is audited");
}

const ANON: Caller = None;
const ANALYST: Caller = Some(("national_analyst", &[]));
const EDITOR: Caller = Some(("level_editor", &[]));
const ZONMW: Caller = Some(("zonmw_staff", &[]));
const ADMIN: Caller = Some(("admin", &[]));
const OTHER: Caller = Some(("regional_coordinator", &["R02"]));

on_both_databases!(creations_per_role, |app: TestApp| async move {
    let free = app
        .data(
            "{ regions(first: 1, filter: { hasResv: false }) { nodes { code } } }",
            json!({}),
        )
        .await["regions"]["nodes"][0]["code"]
        .as_str()
        .expect("a region without an RESV")
        .to_owned();
    let own_free: &[&str] = &[free.as_str()];
    let coordinator_free: Caller = Some(("regional_coordinator", own_free));
    let coordinator: Caller = Some(("regional_coordinator", &["R01"]));
    let region_refusals = [
        (ANON, "UNAUTHENTICATED"),
        (ANALYST, "FORBIDDEN"),
        (EDITOR, "FORBIDDEN"),
        (ZONMW, "FORBIDDEN"),
        (OTHER, "FORBIDDEN"),
    ];

    check(&app, "createResv", "mutation($input: CreateResvInput!) { createResv(input: $input) { resv { id } userErrors { message } } }",
        json!({ "input": { "regionCode": free, "name": "New RESV" } }), &region_refusals, coordinator_free).await;
    let resv = app
        .data(
            "{ region(code: \"R01\") { resv { id seats { disciplines { code } } } } }",
            json!({}),
        )
        .await["region"]["resv"]
        .clone();
    check(&app, "createRegionalTableParty", "mutation($input: CreateRegionalTablePartyInput!) { createRegionalTableParty(input: $input) { party { id } userErrors { message } } }",
        json!({ "input": { "regionCode": "R01", "kind": "HOSPITAL", "organisation": "Second hospital" } }), &region_refusals, coordinator).await;
    check(&app, "createNeighbourhoodCollaboration", "mutation($input: CreateNeighbourhoodCollaborationInput!) { createNeighbourhoodCollaboration(input: $input) { neighbourhoodCollaboration { id } userErrors { message } } }",
        json!({ "input": { "regionCode": "R01", "name": "Wijkverband Noord", "area": "Noord", "population": 15000, "disciplines": ["GENERAL_PRACTICE", "DISTRICT_NURSING", "PHARMACY", "SOCIAL_WORK"] } }), &region_refusals, coordinator).await;
    check(&app, "createAgreement", "mutation($input: CreateAgreementInput!) { createAgreement(input: $input) { agreement { id } userErrors { message } } }",
        json!({ "input": { "resvId": resv["id"], "topic": "Fall prevention", "level": "PRIMARY_CARE", "disciplines": ["PHYSIOTHERAPY"] } }), &region_refusals, coordinator).await;
    let seated: Vec<String> = resv["seats"]
        .as_array()
        .expect("seats")
        .iter()
        .flat_map(|s| s["disciplines"].as_array().cloned().unwrap_or_default())
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect();
    let discipline = [
        "OPTOMETRY",
        "SKIN_THERAPY",
        "SPEECH_THERAPY",
        "DIETETICS",
        "PHYSIOTHERAPY",
        "EXERCISE_THERAPY",
        "OCCUPATIONAL_THERAPY",
        "SOCIAL_WORK",
        "ELDERLY_CARE_MEDICINE",
        "INTELLECTUAL_DISABILITY_MEDICINE",
    ]
    .into_iter()
    .find(|d| !seated.iter().any(|s| s == d))
    .expect("a discipline without a seat");
    check(&app, "createSeat", "mutation($input: CreateSeatInput!) { createSeat(input: $input) { seat { id } userErrors { message } } }",
        json!({ "input": { "resvId": resv["id"], "organisation": "Regional organisation", "disciplines": [discipline] } }), &region_refusals, coordinator).await;

    let admin_only = [
        (ANON, "UNAUTHENTICATED"),
        (coordinator, "FORBIDDEN"),
        (ANALYST, "FORBIDDEN"),
        (EDITOR, "FORBIDDEN"),
        (ZONMW, "FORBIDDEN"),
    ];
    check(&app, "createRegion", "mutation($input: CreateRegionInput!) { createRegion(input: $input) { region { id } userErrors { message } } }",
        json!({ "input": { "code": "R55", "name": "New region", "careOfficeRegionCode": "ZK01" } }), &admin_only, ADMIN).await;

    // Region lineage: admins only, even for the coordinator of every region involved.
    let all = app
        .data(
            "{ regions(first: 100) { nodes { id version code careOfficeRegion { code } neighbourhoodCollaborations { id } } } }",
            json!({}),
        )
        .await["regions"]["nodes"]
        .clone();
    let all = all.as_array().expect("regions");
    let office_of = |r: &Value| r["careOfficeRegion"]["code"].clone();
    let partners: Vec<&Value> = all
        .iter()
        .map(|r| {
            all.iter()
                .filter(|o| office_of(o) == office_of(r))
                .collect::<Vec<_>>()
        })
        .find(|group| group.len() >= 3)
        .expect("a care-office region with three regions");
    let (a, b, c) = (partners[0], partners[1], partners[2]);
    let d = all
        .iter()
        .find(|r| office_of(r) != office_of(a))
        .expect("a region elsewhere");
    let involved: Vec<&str> = [a, b, c, d]
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    let lineage_refusals = [
        (ANON, "UNAUTHENTICATED"),
        (Some(("regional_coordinator", &involved[..])), "FORBIDDEN"),
        (ANALYST, "FORBIDDEN"),
        (EDITOR, "FORBIDDEN"),
        (ZONMW, "FORBIDDEN"),
    ];
    check(&app, "renameRegion", "mutation($input: RenameRegionInput!) { renameRegion(input: $input) { regions { id } userErrors { message } } }",
        json!({ "input": { "id": d["id"], "version": d["version"], "name": "Renamed", "effectiveOn": "2025-01-01" } }), &lineage_refusals, ADMIN).await;
    check(&app, "mergeRegions", "mutation($input: MergeRegionsInput!) { mergeRegions(input: $input) { regions { id } userErrors { message } } }",
        json!({ "input": { "regionCodes": [a["code"], b["code"]], "successorCode": a["code"], "effectiveOn": "2025-01-01" } }), &lineage_refusals, ADMIN).await;
    let ids: Vec<Value> = c["neighbourhoodCollaborations"]
        .as_array()
        .expect("collaborations")
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    check(&app, "splitRegion", "mutation($input: SplitRegionInput!) { splitRegion(input: $input) { regions { id } userErrors { message } } }",
        json!({ "input": { "regionCode": c["code"], "effectiveOn": "2025-01-01", "successors": [
            { "code": "SPLIT-A", "name": "North", "neighbourhoodCollaborationIds": ids },
            { "code": "SPLIT-B", "name": "South" } ] } }), &lineage_refusals, ADMIN).await;

    let funding_refusals = [
        (ANON, "UNAUTHENTICATED"),
        (coordinator, "FORBIDDEN"),
        (ANALYST, "FORBIDDEN"),
        (EDITOR, "FORBIDDEN"),
    ];
    check(&app, "applyForSubsidy", "mutation($input: ApplyForSubsidyInput!) { applyForSubsidy(input: $input) { subsidy { id } userErrors { message } } }",
        json!({ "input": { "regionCode": "R01", "kind": "RESEARCH", "appliedOn": "2025-03-01", "amountRequested": "250000.00" } }), &funding_refusals, ZONMW).await;
    check(&app, "applyForVoucher", "mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { voucher { id } userErrors { message } } }",
        json!({ "input": { "regionCode": free, "discipline": "OPTOMETRY", "appliedOn": "2025-03-01" } }), &funding_refusals, ZONMW).await;

    let material_refusals = [
        (ANON, "UNAUTHENTICATED"),
        (coordinator, "FORBIDDEN"),
        (ANALYST, "FORBIDDEN"),
        (ZONMW, "FORBIDDEN"),
    ];
    check(&app, "createLearningMaterial", "mutation($input: CreateLearningMaterialInput!) { createLearningMaterial(input: $input) { learningMaterial { id } userErrors { message } } }",
        json!({ "input": { "kind": "EVENT", "title": "Regional day", "summary": "Meet the regions.", "publishedOn": "2026-02-01", "eventStartsAt": "2026-03-01T13:00:00Z" } }), &material_refusals, EDITOR).await;
});

/// The id and version of the first node of a query's list at `path`.
fn first(data: &Value, path: &[&str]) -> Value {
    let mut v = data;
    for p in path {
        v = &v[*p];
    }
    let node = v
        .as_array()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null);
    json!({ "id": node["id"], "version": node["version"] })
}

on_both_databases!(
    deletions_and_decisions_per_role,
    |app: TestApp| async move {
        let coordinator: Caller = Some(("regional_coordinator", &["R01"]));
        let rows = app
            .data_as(
                "admin",
                &[],
                "{ region(code: \"R01\") {
            resv { id version seats { id version } agreements { id version } }
            regionalTable { id version } neighbourhoodCollaborations { id version } } }",
                json!({}),
            )
            .await;
        let region_refusals = [
            (ANON, "UNAUTHENTICATED"),
            (ANALYST, "FORBIDDEN"),
            (EDITOR, "FORBIDDEN"),
            (ZONMW, "FORBIDDEN"),
            (OTHER, "FORBIDDEN"),
        ];
        let delete = |field: &str| {
            format!(
                "mutation($input: DeleteInput!) {{ {field}(input: $input) {{ deletedId userErrors {{ message }} }} }}"
            )
        };
        check(
            &app,
            "deleteSeat",
            &delete("deleteSeat"),
            json!({ "input": first(&rows, &["region", "resv", "seats"]) }),
            &region_refusals,
            coordinator,
        )
        .await;
        check(
            &app,
            "deleteAgreement",
            &delete("deleteAgreement"),
            json!({ "input": first(&rows, &["region", "resv", "agreements"]) }),
            &region_refusals,
            coordinator,
        )
        .await;
        check(
            &app,
            "deleteRegionalTableParty",
            &delete("deleteRegionalTableParty"),
            json!({ "input": first(&rows, &["region", "regionalTable"]) }),
            &region_refusals,
            coordinator,
        )
        .await;
        check(
            &app,
            "deleteNeighbourhoodCollaboration",
            &delete("deleteNeighbourhoodCollaboration"),
            json!({ "input": first(&rows, &["region", "neighbourhoodCollaborations"]) }),
            &region_refusals,
            coordinator,
        )
        .await;
        let resv = json!({ "id": rows["region"]["resv"]["id"], "version": rows["region"]["resv"]["version"] });
        check(
            &app,
            "deleteResv",
            &delete("deleteResv"),
            json!({ "input": resv }),
            &region_refusals,
            coordinator,
        )
        .await;

        // Money: pending applications are hidden from those who may not see them (NOT_FOUND).
        let pending = app
        .data_as("admin", &[], "{ subsidies(first: 1, filter: { statuses: [IN_REVIEW] }) { nodes { id version region { code } } }
                                  vouchers(first: 1, filter: { statuses: [APPLIED] }) { nodes { id version region { code } } } }", json!({}))
        .await;
        let subsidy = &pending["subsidies"]["nodes"][0];
        let voucher = &pending["vouchers"]["nodes"][0];
        let funding_refusals = [
            (ANON, "UNAUTHENTICATED"),
            (ANALYST, "FORBIDDEN"),
            (EDITOR, "NOT_FOUND"),
            (OTHER, "NOT_FOUND"),
        ];
        let decide = |field: &str| {
            format!(
                "mutation($input: DecideInput!) {{ {field}(input: $input) {{ userErrors {{ message }} }} }}"
            )
        };
        let granted = |n: &Value, amount: &str| json!({ "input": { "id": n["id"], "version": n["version"], "outcome": "GRANTED", "amountGranted": amount, "decidedOn": "2025-12-01" } });
        check(
            &app,
            "decideSubsidy",
            &decide("decideSubsidy"),
            granted(subsidy, "500000.00"),
            &funding_refusals,
            ZONMW,
        )
        .await;
        check(
            &app,
            "decideVoucher",
            &decide("decideVoucher"),
            granted(voucher, "25000.00"),
            &funding_refusals,
            ADMIN,
        )
        .await;
        let decided = app.data_as("admin", &[], "query($s: ID!, $v: ID!) { s: node(id: $s) { ... on Subsidy { id version } } v: node(id: $v) { ... on Voucher { id version } } }",
        json!({ "s": subsidy["id"], "v": voucher["id"] })).await;
        let granted_refusals = [
            (ANON, "UNAUTHENTICATED"),
            (ANALYST, "FORBIDDEN"),
            (EDITOR, "FORBIDDEN"),
            (OTHER, "FORBIDDEN"),
        ];
        check(
            &app,
            "deleteSubsidy",
            &delete("deleteSubsidy"),
            json!({ "input": decided["s"] }),
            &granted_refusals,
            ZONMW,
        )
        .await;
        check(
            &app,
            "deleteVoucher",
            &delete("deleteVoucher"),
            json!({ "input": decided["v"] }),
            &granted_refusals,
            ZONMW,
        )
        .await;

        let material = app.data_as("admin", &[], "{ learningMaterials(first: 1, filter: { visibilities: [MEMBERS] }) { nodes { id version } } }", json!({})).await;
        let members_refusals = [
            (ANON, "UNAUTHENTICATED"),
            (coordinator, "FORBIDDEN"),
            (ANALYST, "FORBIDDEN"),
            (ZONMW, "FORBIDDEN"),
        ];
        check(
            &app,
            "deleteLearningMaterial",
            &delete("deleteLearningMaterial"),
            json!({ "input": first(&material, &["learningMaterials", "nodes"]) }),
            &members_refusals,
            EDITOR,
        )
        .await;
    }
);

on_both_databases!(
    seat_reshaping_and_voucher_corrections_per_role,
    |app: TestApp| async move {
        let coordinator: Caller = Some(("regional_coordinator", &["R01"]));
        // A network seat somewhere (R01 first): split by its coordinator, refused to everyone else.
        let seats = app
        .data_as("admin", &[], "{ resvs(first: 100) { nodes { region { code } seats { id version multidisciplinary } } } }", json!({}))
        .await;
        let (code, network) = seats["resvs"]["nodes"]
            .as_array()
            .expect("resvs")
            .iter()
            .find_map(|r| {
                let seat = r["seats"]
                    .as_array()?
                    .iter()
                    .find(|s| s["multidisciplinary"] == true)?
                    .clone();
                Some((r["region"]["code"].as_str()?.to_owned(), seat))
            })
            .expect("a multidisciplinary seat in the seed");
        let keeper_regions: &[&str] = &[code.as_str()];
        let keeper: Caller = Some(("regional_coordinator", keeper_regions));
        // The coordinator of another region (tokens name regions that exist).
        let elsewhere: &[&str] = if code == "R01" { &["R02"] } else { &["R01"] };
        let refusals = [
            (ANON, "UNAUTHENTICATED"),
            (ANALYST, "FORBIDDEN"),
            (EDITOR, "FORBIDDEN"),
            (ZONMW, "FORBIDDEN"),
            (Some(("regional_coordinator", elsewhere)), "FORBIDDEN"),
        ];
        let split = "mutation($input: DeleteInput!) { splitSeat(input: $input) { seats { id version } userErrors { message } } }";
        let input = json!({ "input": { "id": network["id"], "version": network["version"] } });
        check(&app, "splitSeat", split, input, &refusals, keeper).await;
        // Merge two of the new seats again: the same rights.
        let parts = app
        .data_as("admin", &[], "query($code: String!) { region(code: $code) { resv { seats { id version multidisciplinary disciplines { paramedical } } } } }", json!({ "code": code }))
        .await;
        let singles: Vec<Value> = parts["region"]["resv"]["seats"]
            .as_array()
            .expect("seats")
            .iter()
            .filter(|s| {
                s["disciplines"]
                    .as_array()
                    .is_some_and(|d| d.len() == 1 && d[0]["paramedical"] == true)
            })
            .take(2)
            .map(|s| json!({ "id": s["id"], "version": s["version"] }))
            .collect();
        assert_eq!(singles.len(), 2);
        let merge = "mutation($input: MergeSeatsInput!) { mergeSeats(input: $input) { seat { id } userErrors { message } } }";
        check(
            &app,
            "mergeSeats",
            merge,
            json!({ "input": { "seats": singles, "organisation": "Paramedisch Netwerk" } }),
            &refusals,
            keeper,
        )
        .await;
        let _ = coordinator;

        // Correcting a granted voucher: ZonMw staff and admins.
        let voucher = app
            .data("{ vouchers(first: 1) { nodes { id version } } }", json!({}))
            .await["vouchers"]["nodes"][0]
            .clone();
        let refusals = [
            (ANON, "UNAUTHENTICATED"),
            (coordinator, "FORBIDDEN"),
            (ANALYST, "FORBIDDEN"),
            (EDITOR, "FORBIDDEN"),
        ];
        check(&app, "correctVoucher", "mutation($input: CorrectVoucherInput!) { correctVoucher(input: $input) { voucher { id } userErrors { message } } }",
        json!({ "input": { "id": voucher["id"], "version": voucher["version"], "amount": "30000.00" } }), &refusals, ZONMW).await;
    }
);
