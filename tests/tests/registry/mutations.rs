//! Mutations over HTTP: the authorization matrix, validation, optimistic concurrency, seat merging
//! and splitting, restricted fields and the audit trail — on SQLite and PostgreSQL.

use crate::common;

use common::{TestApp, error_codes, token};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// A role of the matrix: its name and the regions it keeps.
type RoleSpec = (&'static str, &'static [&'static str]);

/// The roles of the matrix. The coordinator keeps R01.
const ROLES: [RoleSpec; 5] = [
    ("regional_coordinator", &["R01"]),
    ("zonmw_staff", &[]),
    ("national_analyst", &[]),
    ("level_editor", &[]),
    ("admin", &[]),
];

/// Reads `fields` of a node as admin.
async fn read(app: &TestApp, id: &Value, fields: &str) -> Value {
    let data = app
        .data_as(
            "admin",
            &[],
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Node {{ id }} {fields} }} }}"),
            json!({ "id": id }),
        )
        .await;
    data["node"].clone()
}

struct Targets {
    own: Value,
    other: Value,
}

/// Ids of R01's and R02's rows.
async fn region_rows(app: &TestApp, code: &str) -> Value {
    let query = "query($code: String!) { region(code: $code) { id version
        resv { id version seats { id version disciplines { code paramedical } } agreements { id version } }
        regionalTable { id version } neighbourhoodCollaborations { id version }
        subsidies { id version status kind } vouchers { id version status } } }";
    app.data_as("admin", &[], query, json!({ "code": code }))
        .await["region"]
        .clone()
}

async fn targets(app: &TestApp) -> Targets {
    // The seed gives both regions an RESV (they applied and were granted); check it.
    let own = region_rows(app, "R01").await;
    let other = region_rows(app, "R02").await;
    assert!(
        !own["resv"].is_null() && !other["resv"].is_null(),
        "R01 and R02 have RESVs in the seed"
    );
    Targets { own, other }
}

/// Runs one mutation as each role (and anonymously) and checks who may: `allowed` roles succeed,
/// the others get `refused` (or UNAUTHENTICATED without a token) and change nothing.
async fn matrix(
    app: &TestApp,
    name: &str,
    document: &str,
    target: &Value,
    inputs: &dyn Fn(i64) -> Value,
    allowed: &[&str],
    refused: &dyn Fn(&str) -> &'static str,
) {
    let field = document
        .split('{')
        .nth(1)
        .and_then(|s| s.split('(').next())
        .map(str::trim)
        .expect("a mutation field")
        .to_owned();
    let mut attempts: Vec<(Option<RoleSpec>, &str)> = vec![(None, "anonymous")];
    attempts.extend(ROLES.iter().map(|r| (Some(*r), r.0)));
    for (role, label) in attempts {
        let version = read(app, target, "... on Resv { version } ... on Seat { version } ... on Agreement { version } ... on RegionalTableParty { version } ... on NeighbourhoodCollaboration { version } ... on Subsidy { version } ... on Voucher { version } ... on LearningMaterial { version } ... on Region { version }").await["version"]
            .as_i64()
            .expect("a version");
        let before_audit = app.audit_count().await;
        let token = role.map(|(r, regions)| token(r, regions));
        let body = app
            .gql_with(
                token.as_deref(),
                document,
                json!({ "input": inputs(version) }),
            )
            .await;
        let after_audit = app.audit_count().await;
        let version_after = read(app, target, "... on Resv { version } ... on Seat { version } ... on Agreement { version } ... on RegionalTableParty { version } ... on NeighbourhoodCollaboration { version } ... on Subsidy { version } ... on Voucher { version } ... on LearningMaterial { version } ... on Region { version }").await["version"]
            .as_i64()
            .expect("a version");
        if role.is_some_and(|(r, _)| allowed.contains(&r)) {
            assert!(body.get("errors").is_none(), "{name} as {label}: {body}");
            assert_eq!(
                body["data"][&field]["userErrors"],
                json!([]),
                "{name} as {label}: {body}"
            );
            assert_eq!(
                after_audit,
                before_audit + 1,
                "{name} as {label} is audited once"
            );
            assert_eq!(
                version_after,
                version + 1,
                "{name} as {label} raised the version"
            );
        } else {
            let expected = if role.is_none() {
                "UNAUTHENTICATED"
            } else {
                refused(label)
            };
            assert_eq!(
                error_codes(&body),
                vec![expected],
                "{name} as {label}: {body}"
            );
            assert_eq!(
                after_audit, before_audit,
                "{name} as {label} changed nothing"
            );
            assert_eq!(version_after, version, "{name} as {label} changed nothing");
        }
    }
}

const UPDATE_RESV: &str = "mutation($input: UpdateResvInput!) { updateResv(input: $input) { resv { id version name } userErrors { field message code } } }";

on_both_databases!(
    authorization_matrix_of_region_mutations,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let forbidden = |_: &str| "FORBIDDEN";
        for (scope, rows, allowed) in [
            ("own", &t.own, &["regional_coordinator", "admin"][..]),
            ("other", &t.other, &["admin"][..]),
        ] {
            let resv = rows["resv"]["id"].clone();
            matrix(
                &app,
                &format!("updateResv {scope}"),
                UPDATE_RESV,
                &resv,
                &|v| json!({ "id": resv, "version": v, "name": format!("RESV renamed at {v}") }),
                allowed,
                &forbidden,
            )
            .await;
            let seat = rows["resv"]["seats"][0]["id"].clone();
            matrix(&app, &format!("updateSeat {scope}"),
            "mutation($input: UpdateSeatInput!) { updateSeat(input: $input) { seat { id } userErrors { field message code } } }",
            &seat, &|v| json!({ "id": seat, "version": v, "organisation": format!("Organisation {v}") }), allowed, &forbidden).await;
            let party = rows["regionalTable"][0]["id"].clone();
            matrix(&app, &format!("updateRegionalTableParty {scope}"),
            "mutation($input: UpdateRegionalTablePartyInput!) { updateRegionalTableParty(input: $input) { party { id } userErrors { field message code } } }",
            &party, &|v| json!({ "id": party, "version": v, "organisation": format!("Hospital {v}") }), allowed, &forbidden).await;
            let nc = rows["neighbourhoodCollaborations"][0]["id"].clone();
            matrix(&app, &format!("updateNeighbourhoodCollaboration {scope}"),
            "mutation($input: UpdateNeighbourhoodCollaborationInput!) { updateNeighbourhoodCollaboration(input: $input) { neighbourhoodCollaboration { id } userErrors { field message code } } }",
            &nc, &|v| json!({ "id": nc, "version": v, "population": 12_000 + v }), allowed, &forbidden).await;
            if let Some(agreement) = rows["resv"]["agreements"]
                .as_array()
                .and_then(|a| a.first())
                .map(|a| a["id"].clone())
            {
                matrix(&app, &format!("updateAgreement {scope}"),
                "mutation($input: UpdateAgreementInput!) { updateAgreement(input: $input) { agreement { id } userErrors { field message code } } }",
                &agreement, &|v| json!({ "id": agreement, "version": v, "topic": format!("Topic {v}") }), allowed, &forbidden).await;
            }
        }
        // Regions themselves: admins only.
        let region = t.own["id"].clone();
        matrix(&app, "updateRegion",
        "mutation($input: UpdateRegionInput!) { updateRegion(input: $input) { region { id } userErrors { field message code } } }",
        &region, &|v| json!({ "id": region, "version": v, "notes": format!("checked {v}") }), &["admin"], &forbidden).await;
    }
);

on_both_databases!(
    authorization_matrix_of_funding_and_materials,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let forbidden = |_: &str| "FORBIDDEN";
        // A granted subsidy is public: who may not correct it gets FORBIDDEN.
        let granted = t.own["subsidies"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["status"] == "GRANTED"))
            .expect("a granted subsidy")["id"]
            .clone();
        matrix(&app, "correctSubsidy", "mutation($input: CorrectSubsidyInput!) { correctSubsidy(input: $input) { subsidy { id } userErrors { field message code } } }",
        &granted, &|v| json!({ "id": granted, "version": v, "applicant": format!("Applicant {v}") }), &["zonmw_staff", "admin"], &forbidden).await;

        // A pending application is hidden from the public: NOT_FOUND for those who cannot see it,
        // FORBIDDEN for the coordinator of its region, who sees but may not decide it.
        let applied = app
        .data_as("zonmw_staff", &[], "mutation { applyForSubsidy(input: { regionCode: \"R01\", kind: RESEARCH, appliedOn: \"2025-05-01\", amountRequested: \"90000.00\" }) { subsidy { id } userErrors { message } } }", json!({}))
        .await["applyForSubsidy"]["subsidy"]["id"]
        .clone();
        let hidden = |role: &str| {
            if role == "level_editor" {
                "NOT_FOUND"
            } else {
                "FORBIDDEN"
            }
        };
        matrix(&app, "correctSubsidy pending", "mutation($input: CorrectSubsidyInput!) { correctSubsidy(input: $input) { subsidy { id } userErrors { field message code } } }",
        &applied, &|v| json!({ "id": applied, "version": v, "status": if v % 2 == 1 { "IN_REVIEW" } else { "APPLIED" } }), &["zonmw_staff", "admin"], &hidden).await;

        let material = app
            .data(
                "{ learningMaterials(first: 1) { nodes { id } } }",
                json!({}),
            )
            .await["learningMaterials"]["nodes"][0]["id"]
            .clone();
        matrix(&app, "updateLearningMaterial", "mutation($input: UpdateLearningMaterialInput!) { updateLearningMaterial(input: $input) { learningMaterial { id } userErrors { field message code } } }",
        &material, &|v| json!({ "id": material, "version": v, "title": format!("Guide, edition {v}") }), &["level_editor", "admin"], &forbidden).await;

        // Creations: who may create what.
        for (role, regions) in ROLES {
            let body = app
            .gql_with(Some(&token(role, regions)), "mutation { createLearningMaterial(input: { kind: GUIDE, title: \"New guide\", summary: \"How to.\", publishedOn: \"2026-01-05\" }) { learningMaterial { id } userErrors { message } } }", json!({}))
            .await;
            let ok = body.get("errors").is_none();
            assert_eq!(
                ok,
                role == "level_editor" || role == "admin",
                "createLearningMaterial as {role}: {body}"
            );
        }
        let anonymous = app.gql("mutation { applyForVoucher(input: { regionCode: \"R03\", discipline: OPTOMETRY, appliedOn: \"2025-05-01\" }) { voucher { id } } }", json!({})).await;
        assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
    }
);

on_both_databases!(
    validation_errors_name_the_field_and_change_nothing,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let resv = t.own["resv"]["id"].clone();
        let version = t.own["resv"]["version"].as_i64().expect("version");
        let admin = token("admin", &[]);
        let before = app.audit_count().await;
        let cases = [
            (
                json!({ "id": resv, "version": version + 7, "name": "x" }),
                None,
                "CONFLICT",
            ),
            (
                json!({ "id": resv, "version": version, "name": "x".repeat(201) }),
                Some("name"),
                "BAD_USER_INPUT",
            ),
            (
                json!({ "id": resv, "version": version, "name": "  " }),
                Some("name"),
                "BAD_USER_INPUT",
            ),
            (
                json!({ "id": resv, "version": version, "website": "ftp://example.org" }),
                Some("website"),
                "BAD_USER_INPUT",
            ),
            (
                json!({ "id": resv, "version": version, "contactEmail": "nobody" }),
                Some("contactEmail"),
                "BAD_USER_INPUT",
            ),
            (
                json!({ "id": resv, "version": version, "establishedOn": "2026-01-01", "contractedFrom": "2025-01-01" }),
                Some("contractedFrom"),
                "BAD_USER_INPUT",
            ),
            (
                json!({ "id": "garbage", "version": version, "name": "x" }),
                Some("id"),
                "BAD_USER_INPUT",
            ),
        ];
        for (input, field, code) in cases {
            let body = app
                .gql_with(Some(&admin), UPDATE_RESV, json!({ "input": input }))
                .await;
            let errors = &body["data"]["updateResv"]["userErrors"];
            assert_eq!(errors[0]["code"], code, "{input}: {body}");
            if let Some(field) = field {
                assert_eq!(errors[0]["field"], field, "{input}: {body}");
            }
            assert!(body["data"]["updateResv"]["resv"].is_null());
        }
        // An unknown enum value is refused before anything runs.
        let body = app
            .gql_with(
                Some(&admin),
                UPDATE_RESV,
                json!({ "input": { "id": resv, "version": version, "phase": "DREAMING" } }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
        assert_eq!(app.audit_count().await, before, "nothing was written");

        // A discipline sits in at most one seat per RESV.
        let seat = &t.own["resv"]["seats"][0];
        let taken = seat["disciplines"][0]["code"].clone();
        let body = app
        .gql_with(Some(&admin), "mutation($input: CreateSeatInput!) { createSeat(input: $input) { seat { id } userErrors { field code message } } }",
            json!({ "input": { "resvId": resv, "organisation": "A second seat", "disciplines": [taken] } }))
        .await;
        assert_eq!(
            body["data"]["createSeat"]["userErrors"][0]["field"], "disciplines",
            "{body}"
        );
        // Several disciplines share a seat only when all are paramedical.
        let body = app
        .gql_with(Some(&admin), "mutation($input: CreateSeatInput!) { createSeat(input: $input) { seat { id } userErrors { field code message } } }",
            json!({ "input": { "resvId": resv, "organisation": "Mixed", "disciplines": ["GENERAL_PRACTICE", "DIETETICS"] } }))
        .await;
        assert_eq!(
            body["data"]["createSeat"]["userErrors"][0]["field"], "disciplines",
            "{body}"
        );

        // Money: amounts within the programme's range; decisions only from a pending status.
        let zonmw = token("zonmw_staff", &[]);
        let apply = "mutation($input: ApplyForSubsidyInput!) { applyForSubsidy(input: $input) { subsidy { id version } userErrors { field code message } } }";
        let body = app.gql_with(Some(&zonmw), apply, json!({ "input": { "regionCode": "R05", "kind": "PREPARATION", "appliedOn": "2024-01-10", "amountRequested": "150000.01" } })).await;
        assert_eq!(
            body["data"]["applyForSubsidy"]["userErrors"][0]["field"], "amountRequested",
            "{body}"
        );
        let body = app.gql_with(Some(&zonmw), apply, json!({ "input": { "regionCode": "R05", "kind": "IMPLEMENTATION", "appliedOn": "2025-05-01", "amountRequested": "1500000.00" } })).await;
        let subsidy = body["data"]["applyForSubsidy"]["subsidy"].clone();
        let decide = "mutation($input: DecideInput!) { decideSubsidy(input: $input) { subsidy { status amountGranted version } userErrors { field code message } } }";
        let low = app.gql_with(Some(&zonmw), decide, json!({ "input": { "id": subsidy["id"], "version": subsidy["version"], "outcome": "GRANTED", "amountGranted": "400000.00", "decidedOn": "2025-06-01" } })).await;
        assert_eq!(
            low["data"]["decideSubsidy"]["userErrors"][0]["field"], "amountGranted",
            "{low}"
        );
        let early = app.gql_with(Some(&zonmw), decide, json!({ "input": { "id": subsidy["id"], "version": subsidy["version"], "outcome": "GRANTED", "amountGranted": "900000.00", "decidedOn": "2025-04-01" } })).await;
        assert_eq!(
            early["data"]["decideSubsidy"]["userErrors"][0]["field"], "decidedOn",
            "{early}"
        );
        let ok = app.gql_with(Some(&zonmw), decide, json!({ "input": { "id": subsidy["id"], "version": subsidy["version"], "outcome": "GRANTED", "amountGranted": "900000.00", "decidedOn": "2025-06-01" } })).await;
        assert_eq!(
            ok["data"]["decideSubsidy"]["subsidy"]["status"], "GRANTED",
            "{ok}"
        );
        assert_eq!(
            ok["data"]["decideSubsidy"]["subsidy"]["amountGranted"],
            "900000.00"
        );
        let again = app.gql_with(Some(&zonmw), decide, json!({ "input": { "id": subsidy["id"], "version": ok["data"]["decideSubsidy"]["subsidy"]["version"], "outcome": "REJECTED", "decidedOn": "2025-06-02" } })).await;
        assert_eq!(
            again["data"]["decideSubsidy"]["userErrors"][0]["field"], "decision",
            "{again}"
        );
        // The decision is public now.
        let public = app
            .data(
                "query($id: ID!) { node(id: $id) { ... on Subsidy { status amountGranted } } }",
                json!({ "id": subsidy["id"] }),
            )
            .await;
        assert_eq!(public["node"]["status"], "GRANTED");
    }
);

on_both_databases!(
    parallel_updates_with_one_version_let_exactly_one_win,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let resv = t.own["resv"]["id"].clone();
        let version = t.own["resv"]["version"].clone();
        let before = app.audit_count().await;
        let coordinator = token("regional_coordinator", &["R01"]);
        let attempts = (0..8).map(|i| {
        let (app, coordinator, resv, version) = (&app, &coordinator, resv.clone(), version.clone());
        async move {
            app.gql_with(Some(coordinator), UPDATE_RESV, json!({ "input": { "id": resv, "version": version, "name": format!("Writer {i}") } })).await
        }
    });
        // All requests are in flight before any is awaited.
        let results = futures::future::join_all(attempts).await;
        let wins: Vec<&Value> = results
            .iter()
            .filter(|b| !b["data"]["updateResv"]["resv"].is_null())
            .collect();
        assert_eq!(wins.len(), 1, "exactly one update wins: {results:#?}");
        for body in &results {
            if body["data"]["updateResv"]["resv"].is_null() {
                assert_eq!(
                    body["data"]["updateResv"]["userErrors"][0]["code"], "CONFLICT",
                    "{body}"
                );
            }
        }
        assert_eq!(
            app.audit_count().await,
            before + 1,
            "the audit trail shows one change"
        );
        let stored = read(&app, &resv, "... on Resv { name version }").await;
        assert_eq!(
            stored["name"],
            wins[0]["data"]["updateResv"]["resv"]["name"]
        );
        assert_eq!(stored["version"].as_i64(), version.as_i64().map(|v| v + 1));
    }
);

on_both_databases!(
    paramedical_seats_merge_and_split,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let resv = t.own["resv"]["id"].clone();
        let coordinator = token("regional_coordinator", &["R01"]);
        let create = "mutation($input: CreateSeatInput!) { createSeat(input: $input) { seat { id version } userErrors { field code message } } }";
        // Two paramedical disciplines not yet at R01's table get a seat each.
        let seated: Vec<String> = t.own["resv"]["seats"]
            .as_array()
            .expect("seats")
            .iter()
            .flat_map(|s| s["disciplines"].as_array().cloned().unwrap_or_default())
            .filter_map(|d| d["code"].as_str().map(str::to_owned))
            .collect();
        let free: Vec<&str> = [
            "PHYSIOTHERAPY",
            "DIETETICS",
            "EXERCISE_THERAPY",
            "OCCUPATIONAL_THERAPY",
            "SKIN_THERAPY",
            "SPEECH_THERAPY",
            "OPTOMETRY",
        ]
        .into_iter()
        .filter(|d| !seated.iter().any(|s| s == d))
        .collect();
        let mut seats = Vec::new();
        if free.len() < 2 {
            // Every paramedical discipline is seated already: split an existing network seat first.
            let network = t.own["resv"]["seats"]
                .as_array()
                .expect("seats")
                .iter()
                .find(|s| s["disciplines"].as_array().is_some_and(|d| d.len() > 1))
                .expect("a network seat");
            let body = app.gql_with(Some(&coordinator), "mutation($input: DeleteInput!) { splitSeat(input: $input) { seats { id version disciplines { code } } userErrors { message } } }",
            json!({ "input": { "id": network["id"], "version": network["version"] } })).await;
            let split = body["data"]["splitSeat"]["seats"]
                .as_array()
                .expect("split seats")
                .clone();
            assert!(
                split.len() >= 2
                    && split
                        .iter()
                        .all(|s| s["disciplines"].as_array().is_some_and(|d| d.len() == 1)),
                "{body}"
            );
            seats.extend(
                split
                    .into_iter()
                    .take(2)
                    .map(|s| json!({ "id": s["id"], "version": s["version"] })),
            );
        } else {
            for d in &free[..2] {
                let body = app.gql_with(Some(&coordinator), create, json!({ "input": { "resvId": resv, "organisation": format!("{d} network"), "disciplines": [d] } })).await;
                let seat = body["data"]["createSeat"]["seat"].clone();
                assert!(!seat.is_null(), "{body}");
                seats.push(json!({ "id": seat["id"], "version": seat["version"] }));
            }
        }
        let merge = "mutation($input: MergeSeatsInput!) { mergeSeats(input: $input) { seat { id version multidisciplinary disciplines { code } } userErrors { field code message } } }";
        let body = app.gql_with(Some(&coordinator), merge, json!({ "input": { "seats": seats, "organisation": "Paramedisch Netwerk R01", "mandateStatus": "MANDATED" } })).await;
        let merged = body["data"]["mergeSeats"]["seat"].clone();
        assert_eq!(merged["multidisciplinary"], true, "{body}");
        assert_eq!(merged["disciplines"].as_array().map(Vec::len), Some(2));
        // The merged-away seats are gone.
        for s in &seats {
            assert!(
                app.data_as(
                    "admin",
                    &[],
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": s["id"] })
                )
                .await["node"]
                    .is_null()
            );
        }
        // Merging again with the stale versions changes nothing.
        let stale = app
            .gql_with(
                Some(&coordinator),
                merge,
                json!({ "input": { "seats": seats, "organisation": "Again" } }),
            )
            .await;
        assert_eq!(error_codes(&stale), vec!["NOT_FOUND"], "{stale}");
        // Split it again: one seat per discipline, each pending its own mandate.
        let body = app.gql_with(Some(&coordinator), "mutation($input: DeleteInput!) { splitSeat(input: $input) { seats { mandateStatus disciplines { code } } userErrors { message } } }",
        json!({ "input": { "id": merged["id"], "version": merged["version"] } })).await;
        let split = body["data"]["splitSeat"]["seats"]
            .as_array()
            .expect("seats")
            .clone();
        assert_eq!(split.len(), 2, "{body}");
        assert!(split.iter().all(|s| s["mandateStatus"] == "PENDING"));
    }
);

on_both_databases!(
    restricted_fields_follow_the_roles,
    |app: TestApp| async move {
        let query = "{ r01: region(code: \"R01\") { resv { contactEmail internalNotes seats { delegateEmail mandateStatus } } }
                   r02: region(code: \"R02\") { resv { contactEmail internalNotes } } }";
        let anonymous = app.data(query, json!({})).await;
        assert!(anonymous["r01"]["resv"]["contactEmail"].is_null());
        assert!(anonymous["r01"]["resv"]["internalNotes"].is_null());
        let shown =
            |data: &Value, region: &str, field: &str| !data[region]["resv"][field].is_null();
        for (role, regions, contacts_own, contacts_other, notes_other) in [
            ("regional_coordinator", &["R01"][..], true, false, false),
            ("zonmw_staff", &[][..], true, true, true),
            ("national_analyst", &[][..], false, false, true),
            ("level_editor", &[][..], false, false, false),
            ("admin", &[][..], true, true, true),
        ] {
            let data = app.data_as(role, regions, query, json!({})).await;
            assert_eq!(shown(&data, "r01", "contactEmail"), contacts_own, "{role}");
            assert_eq!(
                shown(&data, "r02", "contactEmail"),
                contacts_other,
                "{role}"
            );
            assert_eq!(shown(&data, "r02", "internalNotes"), notes_other, "{role}");
            let delegates = data["r01"]["resv"]["seats"]
                .as_array()
                .expect("seats")
                .iter()
                .filter(|s| s["mandateStatus"] != "NONE")
                .any(|s| !s["delegateEmail"].is_null());
            assert_eq!(delegates, contacts_own, "{role} delegate contacts");
        }
        // Restricted rows: a coordinator sees its own region's pending applications, not others'.
        let pending = "{ subsidies(first: 100, filter: { statuses: [IN_REVIEW, REJECTED, WITHDRAWN] }) { totalCount nodes { region { code } } } }";
        let staff =
            app.data_as("zonmw_staff", &[], pending, json!({})).await["subsidies"]["totalCount"]
                .as_i64()
                .expect("count");
        assert!(staff > 0);
        let own_codes: Vec<String> =
            app.data_as("zonmw_staff", &[], pending, json!({})).await["subsidies"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .filter_map(|n| n["region"]["code"].as_str().map(str::to_owned))
                .collect();
        let code = own_codes
            .first()
            .expect("a region with a pending application")
            .clone();
        let seen = app
            .data_as("regional_coordinator", &[&code], pending, json!({}))
            .await["subsidies"]["totalCount"]
            .as_i64()
            .expect("count");
        assert_eq!(
            seen,
            own_codes.iter().filter(|c| **c == code).count() as i64
        );
        // Every restricted row is listed (one page), so a region not among them has none.
        assert_eq!(staff as usize, own_codes.len());
        let without = (1..=54)
            .map(|n| format!("R{n:02}"))
            .find(|c| !own_codes.contains(c))
            .expect("a region without a pending application");
        let other = app
            .data_as("regional_coordinator", &[&without], pending, json!({}))
            .await["subsidies"]["totalCount"]
            .as_i64()
            .expect("count");
        assert_eq!(other, 0);
        let members =
            "{ learningMaterials(first: 100, filter: { visibilities: [MEMBERS] }) { totalCount } }";
        assert_eq!(
            app.data(members, json!({})).await["learningMaterials"]["totalCount"],
            0
        );
        assert!(app.data_as("level_editor", &[], members, json!({})).await["learningMaterials"]["totalCount"].as_i64() > Some(0));
    }
);

on_both_databases!(
    every_change_is_in_the_audit_trail,
    |app: TestApp| async move {
        let t = targets(&app).await;
        let resv = t.own["resv"]["id"].clone();
        let coordinator = token("regional_coordinator", &["R01"]);
        let body = app.gql_with(Some(&coordinator), UPDATE_RESV, json!({ "input": { "id": resv, "version": t.own["resv"]["version"], "name": "Audited RESV", "contactEmail": "new.contact@example.org" } })).await;
        assert!(
            body["data"]["updateResv"]["userErrors"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "{body}"
        );
        let history = "query($id: ID!) { node(id: $id) { ... on Resv { history { action actorSub actorRole before after } } } }";
        let admin = app
            .data_as("admin", &[], history, json!({ "id": resv }))
            .await;
        let entries = admin["node"]["history"]
            .as_array()
            .expect("history")
            .clone();
        let last = entries.last().expect("an entry");
        assert_eq!(last["action"], "UPDATE");
        assert_eq!(last["actorSub"], "test-regional_coordinator");
        assert_eq!(last["actorRole"], "regional_coordinator");
        assert_eq!(last["after"]["name"], "Audited RESV");
        assert_eq!(last["after"]["contact_email"], "new.contact@example.org");
        assert_ne!(last["before"]["name"], "Audited RESV");
        // Analysts read the trail without personal contact data; others do not read it.
        let analyst = app
            .data_as("national_analyst", &[], history, json!({ "id": resv }))
            .await;
        let last = analyst["node"]["history"]
            .as_array()
            .and_then(|h| h.last().cloned())
            .expect("an entry");
        assert!(last["after"]["contact_email"].is_null());
        assert_eq!(last["after"]["name"], "Audited RESV");
        let coordinator_view = app
            .data_as(
                "regional_coordinator",
                &["R01"],
                history,
                json!({ "id": resv }),
            )
            .await;
        assert!(coordinator_view["node"]["history"].is_null());
        let log = "{ auditLog(first: 10, filter: { entity: \"resv\", action: UPDATE }) { totalCount nodes { entityId actorSub } } }";
        assert_eq!(
            app.data_as("admin", &[], log, json!({})).await["auditLog"]["totalCount"],
            1
        );
        // Filters by actor and time narrow the log.
        let by = "query($sub: String, $from: DateTime, $to: DateTime) { auditLog(first: 10, filter: { actorSub: $sub, from: $from, to: $to }) { totalCount } }";
        let count = |v: Value| v["auditLog"]["totalCount"].as_i64().expect("count");
        let mine = app
            .data_as(
                "admin",
                &[],
                by,
                json!({ "sub": "test-regional_coordinator" }),
            )
            .await;
        assert_eq!(count(mine), 1);
        let nobody = app
            .data_as("admin", &[], by, json!({ "sub": "nobody" }))
            .await;
        assert_eq!(count(nobody), 0);
        let future = app
            .data_as("admin", &[], by, json!({ "from": "2999-01-01T00:00:00Z" }))
            .await;
        assert_eq!(count(future), 0);
        let past = app
            .data_as("admin", &[], by, json!({ "to": "2000-01-01T00:00:00Z" }))
            .await;
        assert_eq!(count(past), 0);
        let recent = app
            .data_as(
                "admin",
                &[],
                by,
                json!({ "from": "2000-01-01T00:00:00Z", "to": "2999-01-01T00:00:00Z" }),
            )
            .await;
        assert_eq!(count(recent), 1);
        let refused = app.gql_with(Some(&coordinator), log, json!({})).await;
        assert_eq!(error_codes(&refused), vec!["FORBIDDEN"]);
        assert_eq!(
            error_codes(&app.gql(log, json!({})).await),
            vec!["UNAUTHENTICATED"]
        );
        // Deletion is audited with the state before.
        let body = app.gql_with(Some(&token("admin", &[])), "mutation($input: DeleteInput!) { deleteResv(input: $input) { deletedId userErrors { message } } }",
        json!({ "input": { "id": resv, "version": t.own["resv"]["version"].as_i64().map(|v| v + 1) } })).await;
        assert_eq!(body["data"]["deleteResv"]["deletedId"], resv, "{body}");
        let deleted = app.data_as("admin", &[], "{ auditLog(first: 1, filter: { entity: \"resv\", action: DELETE }) { nodes { before after } } }", json!({})).await;
        assert_eq!(
            deleted["auditLog"]["nodes"][0]["before"]["name"],
            "Audited RESV"
        );
        assert!(deleted["auditLog"]["nodes"][0]["after"].is_null());
        let db = &app.db;
        let _ = db.get_database_backend();
    }
);
