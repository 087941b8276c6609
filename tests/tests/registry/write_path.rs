//! The one write pipeline: natural keys unique under concurrency, idempotent creates, and each
//! rule of a kind refusing a mutation and an import row alike — on SQLite and PostgreSQL.
#![allow(
    clippy::disallowed_methods,
    reason = "the checks count whole tables, outside any viewer's scope"
)]

use crate::common::{TestApp, token};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const CREATE_PARTY: &str = "mutation($input: CreateRegionalTablePartyInput!) {
  createRegionalTableParty(input: $input) {
    party { id organisation version } userErrors { field message code } } }";

const CREATE_AGREEMENT: &str = "mutation($input: CreateAgreementInput!) {
  createAgreement(input: $input) { agreement { id topic } userErrors { field message code } } }";

const IMPORT: &str = "mutation($kind: ImportKind!, $file: Upload!) {
  importRecords(kind: $kind, file: $file, dryRun: false) {
    created updated applied problems { row column message } } }";

async fn parties_named(app: &TestApp, organisation: &str) -> u64 {
    entity::regional_table_party::Entity::find()
        .filter(entity::regional_table_party::Column::Organisation.eq(organisation))
        .count(&app.db)
        .await
        .expect("count")
}

async fn resv_id(app: &TestApp, region: &str) -> Value {
    app.data(
        &format!("{{ region(code: \"{region}\") {{ resv {{ id }} }} }}"),
        json!({}),
    )
    .await["region"]["resv"]["id"]
        .clone()
}

on_both_databases!(
    fifty_concurrent_creates_of_one_natural_key_leave_one_row,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let input = json!({ "input": {
            "regionCode": "R01", "kind": "HOSPITAL", "organisation": "Ziekenhuis Gelijktijdig" } });
        let answers = futures::future::join_all(
            (0..50).map(|_| app.gql_with(Some(&admin), CREATE_PARTY, input.clone())),
        )
        .await;
        let created = answers
            .iter()
            .filter(|a| a["data"]["createRegionalTableParty"]["party"].is_object())
            .count();
        let conflicts: Vec<&Value> = answers
            .iter()
            .flat_map(|a| {
                a["data"]["createRegionalTableParty"]["userErrors"]
                    .as_array()
                    .into_iter()
                    .flatten()
            })
            .collect();
        assert_eq!(created, 1, "{answers:#?}");
        assert_eq!(conflicts.len(), 49, "{answers:#?}");
        assert!(
            conflicts.iter().all(|e| e["code"] == "CONFLICT"),
            "{conflicts:#?}"
        );
        assert_eq!(parties_named(&app, "Ziekenhuis Gelijktijdig").await, 1);

        // Once the first has committed, a duplicate is refused naming the key.
        let again = app.gql_with(Some(&admin), CREATE_PARTY, input).await;
        assert_eq!(
            again["data"]["createRegionalTableParty"]["userErrors"],
            json!([{ "field": null, "code": "CONFLICT", "message":
                "conflict: a regional table party with the same region_code, kind and organisation exists already" }]),
            "{again}"
        );
    }
);

on_both_databases!(
    a_retried_create_with_its_idempotency_key_makes_one_row,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let input = json!({ "input": {
            "regionCode": "R01", "kind": "HOSPITAL", "organisation": "Ziekenhuis Herhaald",
            "idempotencyKey": "create-ziekenhuis-1" } });
        let first = app
            .gql_with(Some(&admin), CREATE_PARTY, input.clone())
            .await;
        let retried = app
            .gql_with(Some(&admin), CREATE_PARTY, input.clone())
            .await;
        let party = &first["data"]["createRegionalTableParty"]["party"];
        assert!(party.is_object(), "{first}");
        assert_eq!(
            retried["data"]["createRegionalTableParty"]["party"], *party,
            "{retried}"
        );
        assert_eq!(parties_named(&app, "Ziekenhuis Herhaald").await, 1);

        // The key is the subject's own: another subject's create with it is its own create.
        let coordinator = token("regional_coordinator", &["R01"]);
        let other = json!({ "input": {
            "regionCode": "R01", "kind": "HOSPITAL", "organisation": "Ziekenhuis Ander",
            "idempotencyKey": "create-ziekenhuis-1" } });
        let theirs = app.gql_with(Some(&coordinator), CREATE_PARTY, other).await;
        assert!(
            theirs["data"]["createRegionalTableParty"]["party"]["id"] != party["id"],
            "{theirs}"
        );

        // A key already used for another kind of record is a conflict, not a silent answer.
        let resv = resv_id(&app, "R01").await;
        let agreement = json!({ "input": { "resvId": resv, "topic": "Valpreventie",
            "level": "PRIMARY_CARE", "idempotencyKey": "create-ziekenhuis-1" } });
        let refused = app
            .gql_with(Some(&admin), CREATE_AGREEMENT, agreement)
            .await;
        assert_eq!(
            refused["data"]["createAgreement"]["userErrors"][0]["code"], "CONFLICT",
            "{refused}"
        );
        let blank = json!({ "input": {
            "regionCode": "R01", "kind": "HOSPITAL", "organisation": "Ziekenhuis Leeg",
            "idempotencyKey": "  " } });
        let blank = app.gql_with(Some(&admin), CREATE_PARTY, blank).await;
        assert_eq!(
            blank["data"]["createRegionalTableParty"]["userErrors"][0]["field"], "idempotencyKey",
            "{blank}"
        );
    }
);

/// A discipline region R01 has no voucher for.
async fn free_voucher_discipline(app: &TestApp) -> &'static str {
    use entity::{region, voucher};
    let r01 = region::Entity::find()
        .filter(region::Column::Code.eq("R01"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("R01");
    let taken: Vec<entity::DisciplineCode> = voucher::Entity::find()
        .filter(voucher::Column::RegionId.eq(r01.id))
        .all(&app.db)
        .await
        .expect("read")
        .into_iter()
        .map(|v| v.discipline_code)
        .collect();
    entity::DisciplineCode::ALL
        .iter()
        .find(|d| !taken.contains(d))
        .expect("a discipline without a voucher")
        .as_str()
}

/// The code of a care-office region, for new regions.
async fn care_office_code(app: &TestApp) -> String {
    entity::care_office_region::Entity::find()
        .one(&app.db)
        .await
        .expect("read")
        .expect("a care-office region")
        .code
}

/// One case of a kind's rule: the mutation and its input, the import kind and its file, and the
/// field both must name.
struct Case {
    mutation: &'static str,
    payload: &'static str,
    input: Value,
    import_kind: &'static str,
    file: String,
    field: &'static str,
    message: &'static str,
}

fn cases(resv: &Value, free: &str, office: &str) -> Vec<Case> {
    let long = |n: usize| "x".repeat(n);
    vec![
        Case {
            mutation: CREATE_PARTY,
            payload: "createRegionalTableParty",
            input: json!({ "regionCode": "R01", "kind": "HOSPITAL", "organisation": long(201) }),
            import_kind: "REGIONAL_TABLE",
            file: format!("region_code,kind,organisation\nR01,HOSPITAL,{}\n", long(201)),
            field: "organisation",
            message: "must be at most 200 characters",
        },
        Case {
            mutation: CREATE_PARTY,
            payload: "createRegionalTableParty",
            input: json!({ "regionCode": "R01", "kind": "HOSPITAL", "organisation": "  " }),
            import_kind: "REGIONAL_TABLE",
            file: "region_code,kind,organisation\nR01,HOSPITAL,\"  \"\n".to_owned(),
            field: "organisation",
            message: "must not be empty",
        },
        Case {
            mutation: CREATE_AGREEMENT,
            payload: "createAgreement",
            input: json!({ "resvId": resv, "topic": long(301), "level": "PRIMARY_CARE" }),
            import_kind: "AGREEMENTS",
            file: format!("region_code,topic,level\nR01,{},PRIMARY_CARE\n", long(301)),
            field: "topic",
            message: "must be at most 300 characters",
        },
        Case {
            mutation: CREATE_AGREEMENT,
            payload: "createAgreement",
            input: json!({ "resvId": resv, "topic": "Twee keer", "level": "PRIMARY_CARE",
                "disciplines": ["PHYSIOTHERAPY", "PHYSIOTHERAPY"] }),
            import_kind: "AGREEMENTS",
            file: "region_code,topic,level,disciplines\nR01,Twee keer,PRIMARY_CARE,PHYSIOTHERAPY;PHYSIOTHERAPY\n"
                .to_owned(),
            field: "disciplines",
            message: "each discipline at most once",
        },
        Case {
            mutation: APPLY_FOR_VOUCHER,
            payload: "applyForVoucher",
            input: json!({ "regionCode": "R01", "discipline": free,
                "applicant": long(301), "appliedOn": "2026-01-05" }),
            import_kind: "VOUCHERS",
            file: format!(
                "region_code,discipline,status,applied_on,applicant\nR01,{free},APPLIED,2026-01-05,{}\n",
                long(301)
            ),
            field: "applicant",
            message: "must be at most 300 characters",
        },
        Case {
            mutation: CREATE_COLLABORATION,
            payload: "createNeighbourhoodCollaboration",
            input: json!({ "regionCode": "R01", "name": "Wijk te groot", "area": "Stad",
                "population": 500_001 }),
            import_kind: "NEIGHBOURHOOD_COLLABORATIONS",
            file: "region_code,name,area,population\nR01,Wijk te groot,Stad,500001\n".to_owned(),
            field: "population",
            message: "must be between 1 and 500000",
        },
        Case {
            mutation: CREATE_COLLABORATION,
            payload: "createNeighbourhoodCollaboration",
            input: json!({ "regionCode": "R01", "name": "Lege wijk", "area": "Stad",
                "population": 0 }),
            import_kind: "NEIGHBOURHOOD_COLLABORATIONS",
            file: "region_code,name,area,population\nR01,Lege wijk,Stad,0\n".to_owned(),
            field: "population",
            message: "must be between 1 and 500000",
        },
        Case {
            mutation: CREATE_COLLABORATION,
            payload: "createNeighbourhoodCollaboration",
            input: json!({ "regionCode": "R01", "name": "Wijk", "area": long(201) }),
            import_kind: "NEIGHBOURHOOD_COLLABORATIONS",
            file: format!("region_code,name,area\nR01,Wijk,{}\n", long(201)),
            field: "area",
            message: "must be at most 200 characters",
        },
        Case {
            mutation: CREATE_COLLABORATION,
            payload: "createNeighbourhoodCollaboration",
            input: json!({ "regionCode": "R01", "name": "Wijk", "area": "Stad",
                "disciplines": ["PHARMACY", "PHARMACY"] }),
            import_kind: "NEIGHBOURHOOD_COLLABORATIONS",
            file: "region_code,name,area,disciplines\nR01,Wijk,Stad,PHARMACY;PHARMACY\n".to_owned(),
            field: "disciplines",
            message: "each discipline at most once",
        },
        Case {
            mutation: CREATE_MATERIAL,
            payload: "createLearningMaterial",
            input: json!({ "kind": "GUIDE", "title": long(301), "summary": "Over",
                "publishedOn": "2026-01-05" }),
            import_kind: "LEARNING_MATERIALS",
            file: format!("kind,title,summary,published_on\nGUIDE,{},Over,2026-01-05\n", long(301)),
            field: "title",
            message: "must be at most 300 characters",
        },
        Case {
            mutation: CREATE_MATERIAL,
            payload: "createLearningMaterial",
            input: json!({ "kind": "GUIDE", "title": "Gids", "summary": "Over",
                "publishedOn": "2026-01-05", "url": "ftp://example.org" }),
            import_kind: "LEARNING_MATERIALS",
            file: "kind,title,summary,published_on,url\nGUIDE,Gids,Over,2026-01-05,ftp://example.org\n"
                .to_owned(),
            field: "url",
            message: "must be an http(s) URL",
        },
        Case {
            mutation: CREATE_MATERIAL,
            payload: "createLearningMaterial",
            input: json!({ "kind": "EVENT", "title": "Bijeenkomst", "summary": "Kom",
                "publishedOn": "2026-01-05" }),
            import_kind: "LEARNING_MATERIALS",
            file: "kind,title,summary,published_on\nEVENT,Bijeenkomst,Kom,2026-01-05\n".to_owned(),
            field: "event_starts_at",
            message: "an event needs its start",
        },
        Case {
            mutation: CREATE_MATERIAL,
            payload: "createLearningMaterial",
            input: json!({ "kind": "GUIDE", "title": "Gids", "summary": "Over",
                "publishedOn": "2026-01-05", "themes": ["FRAIL_ELDERLY", "FRAIL_ELDERLY"] }),
            import_kind: "LEARNING_MATERIALS",
            file: "kind,title,summary,published_on,themes\nGUIDE,Gids,Over,2026-01-05,FRAIL_ELDERLY;FRAIL_ELDERLY\n"
                .to_owned(),
            field: "themes",
            message: "each theme at most once",
        },
        Case {
            mutation: APPLY_FOR_SUBSIDY,
            payload: "applyForSubsidy",
            input: json!({ "regionCode": "R01", "kind": "PREPARATION", "appliedOn": "2026-01-05",
                "amountRequested": "150000.01" }),
            import_kind: "SUBSIDIES",
            file: "region_code,kind,status,applied_on,zonmw_reference,amount_requested\nR01,PREPARATION,APPLIED,2026-01-05,T-1,150000.01\n"
                .to_owned(),
            field: "amount_requested",
            message: "must be between EUR 1 and EUR 150000",
        },
        Case {
            mutation: APPLY_FOR_SUBSIDY,
            payload: "applyForSubsidy",
            input: json!({ "kind": "IMPLEMENTATION", "appliedOn": "2026-01-05" }),
            import_kind: "SUBSIDIES",
            file: "region_code,kind,status,applied_on,zonmw_reference\n,IMPLEMENTATION,APPLIED,2026-01-05,T-2\n"
                .to_owned(),
            field: "region_code",
            message: "is required for a preparation or implementation subsidy",
        },
        Case {
            mutation: APPLY_FOR_SUBSIDY,
            payload: "applyForSubsidy",
            input: json!({ "regionCode": "R01", "kind": "RESEARCH", "appliedOn": "2026-01-05",
                "periodStart": "2026-06-01", "periodEnd": "2026-05-31" }),
            import_kind: "SUBSIDIES",
            file: "region_code,kind,status,applied_on,zonmw_reference,period_start,period_end\nR01,RESEARCH,APPLIED,2026-01-05,T-3,2026-06-01,2026-05-31\n"
                .to_owned(),
            field: "period_end",
            message: "must not be before 2026-06-01",
        },
        Case {
            mutation: APPLY_FOR_SUBSIDY,
            payload: "applyForSubsidy",
            input: json!({ "regionCode": "R01", "kind": "RESEARCH", "appliedOn": "2026-01-05",
                "applicant": long(301) }),
            import_kind: "SUBSIDIES",
            file: format!(
                "region_code,kind,status,applied_on,zonmw_reference,applicant\nR01,RESEARCH,APPLIED,2026-01-05,T-4,{}\n",
                long(301)
            ),
            field: "applicant",
            message: "must be at most 300 characters",
        },
        Case {
            mutation: CREATE_SEAT,
            payload: "createSeat",
            input: json!({ "resvId": resv, "organisation": "Samen", "disciplines":
                ["GENERAL_PRACTICE", "PHARMACY"] }),
            import_kind: "SEATS",
            file: "region_code,organisation,disciplines\nR01,Samen,GENERAL_PRACTICE;PHARMACY\n"
                .to_owned(),
            field: "disciplines",
            message: "only paramedical disciplines share a seat (a multidisciplinary paramedical network)",
        },
        Case {
            mutation: CREATE_SEAT,
            payload: "createSeat",
            input: json!({ "resvId": resv, "organisation": "Niemand", "disciplines": [] }),
            import_kind: "SEATS",
            file: "region_code,organisation,disciplines\nR01,Niemand,\n".to_owned(),
            field: "disciplines",
            message: "a seat represents at least one discipline",
        },
        Case {
            mutation: CREATE_SEAT,
            payload: "createSeat",
            input: json!({ "resvId": resv, "organisation": "Optometrie", "disciplines":
                ["OPTOMETRY"], "delegateEmail": "niet-een-adres" }),
            import_kind: "SEATS",
            file: "region_code,organisation,disciplines,delegate_email\nR01,Optometrie,OPTOMETRY,niet-een-adres\n"
                .to_owned(),
            field: "delegate_email",
            message: "must be an e-mail address",
        },
        Case {
            mutation: UPDATE_RESV,
            payload: "updateResv",
            input: json!({ "id": resv, "version": 1, "website": "javascript:alert(1)" }),
            import_kind: "RESVS",
            file: "region_code,name,website\nR01,RESV,javascript:alert(1)\n".to_owned(),
            field: "website",
            message: "must be an http(s) URL",
        },
        Case {
            mutation: UPDATE_RESV,
            payload: "updateResv",
            input: json!({ "id": resv, "version": 1, "establishedOn": "2025-06-01",
                "contractedFrom": "2025-01-01" }),
            import_kind: "RESVS",
            file: "region_code,name,established_on,contracted_from\nR01,RESV,2025-06-01,2025-01-01\n"
                .to_owned(),
            field: "contracted_from",
            message: "must not be before 2025-06-01",
        },
        Case {
            mutation: UPDATE_RESV,
            payload: "updateResv",
            input: json!({ "id": resv, "version": 1, "phase": "NETWORK",
                "legalForm": "FOUNDATION" }),
            import_kind: "RESVS",
            file: "region_code,name,phase,legal_form\nR01,RESV,NETWORK,FOUNDATION\n".to_owned(),
            field: "legal_form",
            message: "an RESV in the network phase has no legal entity yet (use NETWORK)",
        },
        Case {
            mutation: UPDATE_RESV,
            payload: "updateResv",
            input: json!({ "id": resv, "version": 1, "designCriteria": [
                { "criterion": "REGIONAL_AGENDA", "met": true, "note": long(2001) }] }),
            import_kind: "RESVS",
            file: format!(
                "region_code,name,criterion_regional_agenda_note\nR01,RESV,{}\n",
                long(2001)
            ),
            field: "criterion_regional_agenda_note",
            message: "must be at most 2000 characters",
        },
        Case {
            mutation: CREATE_REGION,
            payload: "createRegion",
            input: json!({ "code": "R 99", "name": "Nieuw", "careOfficeRegionCode": office }),
            import_kind: "REGIONS",
            file: format!("code,name,care_office_region_code\nR 99,Nieuw,{office}\n"),
            field: "code",
            message: "letters, digits and hyphens only",
        },
        Case {
            mutation: CREATE_REGION,
            payload: "createRegion",
            input: json!({ "code": "R-99", "name": "Nieuw", "careOfficeRegionCode": office,
                "populationApprox": 20_000_001 }),
            import_kind: "REGIONS",
            file: format!("code,name,care_office_region_code,population_approx\nR-99,Nieuw,{office},20000001\n"),
            field: "population_approx",
            message: "must be between 0 and 20000000",
        },
        Case {
            mutation: CREATE_REGION,
            payload: "createRegion",
            input: json!({ "code": "R-99", "name": "Nieuw", "careOfficeRegionCode": office,
                "preferredInsurer": long(101) }),
            import_kind: "REGIONS",
            file: format!("code,name,care_office_region_code,preferred_insurer\nR-99,Nieuw,{office},{}\n", long(101)),
            field: "preferred_insurer",
            message: "must be at most 100 characters",
        },
    ]
}

const CREATE_REGION: &str = "mutation($input: CreateRegionInput!) {
  createRegion(input: $input) { region { id } userErrors { field message code } } }";

const UPDATE_RESV: &str = "mutation($input: UpdateResvInput!) {
  updateResv(input: $input) { resv { id } userErrors { field message code } } }";

const CREATE_SEAT: &str = "mutation($input: CreateSeatInput!) {
  createSeat(input: $input) { seat { id } userErrors { field message code } } }";

const APPLY_FOR_SUBSIDY: &str = "mutation($input: ApplyForSubsidyInput!) {
  applyForSubsidy(input: $input) { subsidy { id } userErrors { field message code } } }";

const CREATE_MATERIAL: &str = "mutation($input: CreateLearningMaterialInput!) {
  createLearningMaterial(input: $input) { learningMaterial { id } userErrors { field message code } } }";

const CREATE_COLLABORATION: &str = "mutation($input: CreateNeighbourhoodCollaborationInput!) {
  createNeighbourhoodCollaboration(input: $input) {
    neighbourhoodCollaboration { id } userErrors { field message code } } }";

const APPLY_FOR_VOUCHER: &str = "mutation($input: ApplyForVoucherInput!) {
  applyForVoucher(input: $input) { voucher { id applicant } userErrors { field message code } } }";

on_both_databases!(
    each_rule_refuses_a_mutation_and_an_import_row_alike,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let resv = resv_id(&app, "R01").await;
        let free = free_voucher_discipline(&app).await;
        let office = care_office_code(&app).await;
        for case in cases(&resv, free, &office) {
            let answer = app
                .gql_with(Some(&admin), case.mutation, json!({ "input": case.input }))
                .await;
            let camel = api::service::record::camel(case.field);
            assert_eq!(
                answer["data"][case.payload]["userErrors"],
                json!([{ "field": camel, "code": "BAD_USER_INPUT",
                         "message": format!("invalid {camel}: {}", case.message) }]),
                "{answer}"
            );
            let vars = json!({ "kind": case.import_kind, "file": null });
            let report = app
                .upload(&admin, IMPORT, vars, "rule.csv", &case.file)
                .await;
            assert_eq!(
                report["data"]["importRecords"]["problems"],
                json!([{ "row": 1, "column": case.field, "message": case.message }]),
                "{report}"
            );
            assert_eq!(report["data"]["importRecords"]["applied"], false);
        }

        // What the one rule allows, both ways in allow: an applicant a mutation stores is
        // imported again unchanged.
        let applicant = "a".repeat(300);
        let applied = app
            .gql_with(
                Some(&admin),
                APPLY_FOR_VOUCHER,
                json!({ "input": { "regionCode": "R01", "discipline": free,
                    "applicant": applicant, "appliedOn": "2026-01-05" } }),
            )
            .await;
        assert_eq!(
            applied["data"]["applyForVoucher"]["voucher"]["applicant"],
            applicant.as_str(),
            "{applied}"
        );
        let exported = app
            .client
            .get(format!("{}/export/vouchers.csv", app.address))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("a body");
        let vars = json!({ "kind": "VOUCHERS", "file": null });
        let report = app
            .upload(&admin, IMPORT, vars, "vouchers.csv", &exported)
            .await;
        assert_eq!(
            report["data"]["importRecords"]["problems"],
            json!([]),
            "{report}"
        );
        assert_eq!(report["data"]["importRecords"]["applied"], true, "{report}");
    }
);

const REGION_NAME: &str = r#"query($code: String!) { region(code: $code) { id version name } }"#;

// The watcher polls once an hour: only the write itself can make the change visible.
on_both_databases!(
    after_a_batched_mutation_the_next_anonymous_read_sees_it,
    configure = |state: api::AppState| {
        state.with_response_cache(100, None, std::time::Duration::from_secs(3600))
    },
    |app: TestApp| async move { batched_mutation_is_seen(app).await }
);

async fn batched_mutation_is_seen(app: TestApp) {
    let vars = json!({ "code": "R01" });
    // Until the watcher has read the data version nothing is cached: await its signal.
    let mut versions = app.cache.subscribe();
    let known = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        versions.wait_for(|v| *v > 0),
    );
    assert!(
        matches!(known.await, Ok(Ok(_))),
        "the watcher never read the version"
    );
    app.data(REGION_NAME, vars.clone()).await;
    let before = app.cache_hits().await;
    app.data(REGION_NAME, vars.clone()).await;
    assert!(
        app.cache_hits().await > before,
        "the anonymous read was never answered from the cache"
    );
    let region = app.data(REGION_NAME, vars.clone()).await["region"].clone();
    let batch = json!([{
        "query": "mutation($id: ID!, $version: Int!) { updateRegion(input: { id: $id, version: $version, name: \"Regio na de batch\" }) { region { name } userErrors { message } } }",
        "variables": { "id": region["id"], "version": region["version"] },
    }]);
    let answer: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token("admin", &[]))
        .json(&batch)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(
        answer[0]["data"]["updateRegion"]["region"]["name"], "Regio na de batch",
        "{answer}"
    );
    let seen = app.data(REGION_NAME, vars).await;
    assert_eq!(seen["region"]["name"], "Regio na de batch");
}

on_both_databases!(
    an_edited_regional_table_is_exported_anew_for_its_old_etag,
    |app: TestApp| async move {
        let get = |etag: Option<String>| {
            let mut request = app
                .client
                .get(format!("{}/export/regional-table.csv", app.address));
            if let Some(etag) = etag {
                request = request.header("if-none-match", etag);
            }
            request.send()
        };
        let first = get(None).await.expect("send");
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"]
            .to_str()
            .expect("an ETag")
            .to_owned();
        let before = first.text().await.expect("a body");
        assert_eq!(get(Some(etag.clone())).await.expect("send").status(), 304);

        let admin = token("admin", &[]);
        let party = app
            .data(
                "{ region(code: \"R01\") { regionalTable { id version organisation } } }",
                json!({}),
            )
            .await["region"]["regionalTable"][0]
            .clone();
        let edited = app
            .gql_with(
                Some(&admin),
                "mutation($input: UpdateRegionalTablePartyInput!) {
                   updateRegionalTableParty(input: $input) { party { organisation } userErrors { message } } }",
                json!({ "input": { "id": party["id"], "version": party["version"],
                                   "organisation": "Hernoemde partij" } }),
            )
            .await;
        assert_eq!(
            edited["data"]["updateRegionalTableParty"]["party"]["organisation"], "Hernoemde partij",
            "{edited}"
        );
        let after = get(Some(etag.clone())).await.expect("send");
        assert_eq!(after.status(), 200);
        assert_ne!(after.headers()["etag"].to_str().expect("an ETag"), etag);
        let text = after.text().await.expect("a body");
        assert!(text.contains("Hernoemde partij"), "{text}");
        assert!(!before.contains("Hernoemde partij"));
    }
);

on_both_databases!(
    a_restricted_export_imported_by_an_admin_changes_nothing,
    |app: TestApp| async move {
        let admin = token("admin", &[]);
        let export = |token: Option<String>, file: &'static str| {
            let app = &app;
            async move {
                let mut request = app.client.get(format!("{}/export/{file}", app.address));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                request
                    .send()
                    .await
                    .expect("send")
                    .text()
                    .await
                    .expect("a body")
            }
        };
        let full_before = export(Some(admin.clone()), "resvs.csv").await;
        let anonymous = export(None, "resvs.csv").await;
        let header = anonymous.lines().next().expect("a header");
        for hidden in [
            "contact_name",
            "contact_email",
            "internal_notes",
            "imported_by",
        ] {
            assert!(
                !header.split(',').any(|c| c == hidden),
                "{hidden} in {header}"
            );
            assert!(
                full_before
                    .lines()
                    .next()
                    .expect("a header")
                    .contains(hidden)
            );
        }
        let seats = export(None, "seats.csv").await;
        assert!(
            !seats
                .lines()
                .next()
                .expect("a header")
                .contains("delegate_email")
        );

        for (kind, file, text) in [
            ("RESVS", "resvs.csv", anonymous),
            ("SEATS", "seats.csv", seats),
        ] {
            let vars = json!({ "kind": kind, "file": null });
            let report = app.upload(&admin, IMPORT, vars, file, &text).await;
            assert_eq!(
                report["data"]["importRecords"]["problems"],
                json!([]),
                "{report}"
            );
            assert_eq!(report["data"]["importRecords"]["updated"], 0, "{report}");
            assert_eq!(report["data"]["importRecords"]["created"], 0, "{report}");
        }
        assert_eq!(export(Some(admin.clone()), "resvs.csv").await, full_before);
    }
);

on_both_databases!(
    a_dry_run_reports_the_values_empty_cells_clear,
    |app: TestApp| async move {
        let steward =
            api::access::Viewer::user("steward".to_owned(), api::access::Role::Admin, Vec::new());
        let contact = "{ region(code: \"R01\") { resv { contactEmail } } }";
        let before = app.data_as("admin", &[], contact, json!({})).await;
        assert!(
            before["region"]["resv"]["contactEmail"].is_string(),
            "{before}"
        );
        // The name as stored; an empty contact e-mail: "clear it".
        let name = app
            .data("{ region(code: \"R01\") { resv { name } } }", json!({}))
            .await["region"]["resv"]["name"]
            .as_str()
            .expect("a name")
            .to_owned();
        let file = format!("region_code,name,contact_email\nR01,\"{name}\",\n");
        let report = api::service::import::file(
            &app.app_db,
            &steward,
            api::service::import::Kind::Resv,
            file.as_bytes(),
            "resvs.csv",
            true,
        )
        .await
        .expect("a report");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(
            report.cleared,
            vec![api::service::import::Cleared {
                row: 1,
                field: "contact_email".to_owned()
            }]
        );
        assert!(!report.applied);
        let after = app.data_as("admin", &[], contact, json!({})).await;
        assert_eq!(before, after, "a dry run clears nothing");
    }
);
