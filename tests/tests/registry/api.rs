//! Black-box tests of the public read API over HTTP, each on a fresh database, on SQLite and on
//! PostgreSQL (set `TEST_DATABASE_URL`).

use crate::common;

use base64::Engine;
use common::{TestApp, error_codes};
use serde_json::{Value, json};

const REGION_CODES: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
  regions(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code } }
  }
}";

fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["code"].as_str().expect("code").to_owned())
        .collect()
}

on_both_databases!(all_54_regions_fit_one_page, |app: TestApp| async move {
    let data = app.data(REGION_CODES, json!({ "first": 100 })).await;
    let regions = &data["regions"];
    assert_eq!(regions["totalCount"], 54);
    let codes = codes(regions);
    let expected: Vec<String> = (1..=54).map(|i| format!("R{i:02}")).collect();
    assert_eq!(codes, expected);
    assert_eq!(regions["pageInfo"]["hasNextPage"], false);
    assert_eq!(regions["pageInfo"]["hasPreviousPage"], false);
});

on_both_databases!(
    cursors_page_forward_and_backward,
    |app: TestApp| async move {
        let first = app.data(REGION_CODES, json!({ "first": 20 })).await;
        assert_eq!(
            codes(&first["regions"]).last().map(String::as_str),
            Some("R20")
        );
        assert_eq!(first["regions"]["pageInfo"]["hasNextPage"], true);
        let end = first["regions"]["pageInfo"]["endCursor"].clone();

        let second = app
            .data(REGION_CODES, json!({ "first": 20, "after": end }))
            .await;
        let second_codes = codes(&second["regions"]);
        assert_eq!(second_codes.first().map(String::as_str), Some("R21"));
        assert_eq!(second_codes.len(), 20);
        assert_eq!(second["regions"]["pageInfo"]["hasPreviousPage"], true);

        let tail = app.data(REGION_CODES, json!({ "last": 4 })).await;
        assert_eq!(codes(&tail["regions"]), vec!["R51", "R52", "R53", "R54"]);
        assert_eq!(tail["regions"]["pageInfo"]["hasNextPage"], false);

        let start = second["regions"]["pageInfo"]["startCursor"].clone();
        let back = app
            .data(REGION_CODES, json!({ "last": 3, "before": start }))
            .await;
        assert_eq!(codes(&back["regions"]), vec!["R18", "R19", "R20"]);
    }
);

on_both_databases!(
    bad_pagination_is_a_clear_client_error,
    |app: TestApp| async move {
        for variables in [
            json!({}),
            json!({ "first": 101 }),
            json!({ "first": 0 }),
            json!({ "last": -1 }),
            json!({ "first": 10, "after": "bm90IGEgY3Vyc29y" }),
        ] {
            let body = app.gql(REGION_CODES, variables.clone()).await;
            assert_eq!(
                error_codes(&body),
                vec!["BAD_USER_INPUT"],
                "{variables}: {body}"
            );
            assert!(body["data"].is_null(), "{body}");
        }
    }
);

const DASHBOARD: &str = "{
  regions(first: 100) {
    totalCount
    nodes {
      code name populationApprox preferredInsurer
      careOfficeRegion { code insurer }
      resv {
        name phase legalForm
        mainTasks { mandate }
        seats { organisation mandateStatus multidisciplinary disciplines { code nameNl paramedical } }
      }
      subsidies { kind status amountGranted }
      vouchers { status amount discipline { code } }
    }
  }
}";

/// The dashboard query takes a fixed number of statements, whatever the number of regions.
async fn dashboard_statements(app: &TestApp) -> u64 {
    // Warm-up: the first request of a pool may open connections.
    app.data(DASHBOARD, json!({})).await;
    let (data, statements) = app.counted(DASHBOARD, json!({})).await;
    let nodes = data["regions"]["nodes"].as_array().expect("nodes");
    assert!(
        nodes
            .iter()
            .any(|n| n["resv"]["seats"].as_array().is_some_and(|s| !s.is_empty()))
    );
    statements
}

on_both_databases!(
    statement_count_at_54_and_540_regions,
    |app: TestApp| async move {
        let statements = dashboard_statements(&app).await;
        // One statement each: the page of regions, its count, care-office regions, RESVs, seats,
        // seat disciplines, subsidies, vouchers, and the discipline table, read once for the
        // disciplines of vouchers and of seats alike (this app keeps no reference tables in
        // memory: it runs no watcher of the data version). The viewer is anonymous, so on
        // PostgreSQL too the reads go straight to the pool, with no statement setting claims.
        assert_eq!(statements, 9, "statements at 54 regions");
        let big = TestApp::spawn(app.backend, 10).await;
        let data = big
            .data("{ regions(first: 1) { totalCount } }", json!({}))
            .await;
        assert_eq!(data["regions"]["totalCount"], 540);
        let at_540 = dashboard_statements(&big).await;
        assert_eq!(at_540, statements, "statements at 540 regions");
    }
);

on_both_databases!(published_mid_2025_figures, |app: TestApp| async move {
    let data = app
        .data(
            r#"{ coverage(asOf: "2025-07-01") { national {
                 regions population
                 resvs { regionsWithResv byPhase { phase resvs } }
                 vouchers { status vouchers }
                 subsidies { kind status applications granted { min max sum } }
                 subsidyReach { kind regionsApplied regionsGranted populationApplied
                                populationShareApplied }
               } } }"#,
            json!({}),
        )
        .await;
    let f = &data["coverage"]["national"];
    assert_eq!(f["regions"], 54);
    assert_eq!(f["population"], 17_900_000);
    let implementation = f["subsidyReach"]
        .as_array()
        .and_then(|k| k.iter().find(|s| s["kind"] == "IMPLEMENTATION"))
        .expect("implementation figures");
    assert_eq!(implementation["regionsApplied"], 52);
    assert_eq!(implementation["regionsGranted"], 48);
    let share = implementation["populationShareApplied"]
        .as_f64()
        .expect("share");
    assert!((0.975..0.985).contains(&share), "share {share}");
    let granted = f["subsidies"]
        .as_array()
        .and_then(|k| {
            k.iter()
                .find(|s| s["kind"] == "IMPLEMENTATION" && s["status"] == "GRANTED")
        })
        .expect("granted implementation subsidies");
    assert_eq!(granted["applications"], 48);
    let euros = |v: &Value| v.as_str().expect("money").parse::<f64>().expect("decimal");
    assert!(euros(&granted["granted"]["min"]) >= 500_000.0);
    assert!(euros(&granted["granted"]["max"]) <= 2_000_000.0);
    let vouchers: i64 = f["vouchers"]
        .as_array()
        .expect("vouchers")
        .iter()
        .filter(|v| v["status"] == "GRANTED")
        .filter_map(|v| v["vouchers"].as_i64())
        .sum();
    assert!((190..=200).contains(&vouchers), "{vouchers} vouchers");
    for phase in f["resvs"]["byPhase"].as_array().expect("phases") {
        assert!(
            phase["resvs"].as_i64() > Some(0),
            "every phase occurs: {phase}"
        );
    }

    // Independently: the granted subsidies anonymous viewers can list, and the database itself.
    let listed = app
        .data(
            "{ subsidies(first: 100, filter: { kinds: [IMPLEMENTATION] }) {
                 totalCount nodes { status amountGranted region { populationApprox } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["subsidies"]["totalCount"], 48);
    for node in listed["subsidies"]["nodes"].as_array().expect("nodes") {
        assert_eq!(node["status"], "GRANTED");
        let amount = euros(&node["amountGranted"]);
        assert!((500_000.0..=2_000_000.0).contains(&amount), "{amount}");
    }
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Row {
        applied: i64,
        population: i64,
    }
    let row = Row::find_by_statement(Statement::from_string(
        app.db.get_database_backend(),
        "SELECT COUNT(*) AS applied, CAST(SUM(population_approx) AS BIGINT) AS population FROM region \
         WHERE id IN (SELECT region_id FROM subsidy WHERE kind = 'IMPLEMENTATION')",
    ))
    .one(&app.db)
    .await
    .expect("query")
    .expect("a row");
    assert_eq!(row.applied, 52);
    assert_eq!(
        implementation["populationApplied"].as_i64(),
        Some(row.population)
    );
});

on_both_databases!(
    anonymous_viewers_see_only_public_rows,
    |app: TestApp| async move {
        let data = app
        .data(
            "{ pending: subsidies(first: 10, filter: { statuses: [APPLIED, IN_REVIEW, REJECTED, WITHDRAWN] }) { totalCount }
               vouchers(first: 100) { totalCount nodes { status } }
               learningMaterials(first: 100) { totalCount nodes { visibility } }
               members: learningMaterials(first: 10, filter: { visibilities: [MEMBERS] }) { totalCount } }",
            json!({}),
        )
        .await;
        assert_eq!(data["pending"]["totalCount"], 0);
        assert!(
            data["vouchers"]["nodes"]
                .as_array()
                .expect("vouchers")
                .iter()
                .all(|v| v["status"] == "GRANTED")
        );
        assert!(
            data["learningMaterials"]["nodes"]
                .as_array()
                .expect("materials")
                .iter()
                .all(|m| m["visibility"] == "PUBLIC")
        );
        assert_eq!(data["members"]["totalCount"], 0);

        // A members-only material cannot be fetched by id either: it looks missing.
        use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
        #[derive(FromQueryResult)]
        struct Id {
            id: i32,
        }
        let hidden = Id::find_by_statement(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM learning_material WHERE visibility = 'MEMBERS' ORDER BY id LIMIT 1",
        ))
        .one(&app.db)
        .await
        .expect("query")
        .expect("a members-only material in the seed");
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("LearningMaterial:{}", hidden.id));
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert!(node["node"].is_null());
    }
);

on_both_databases!(filters_narrow_the_lists, |app: TestApp| async move {
    let data = app
        .data(
            "{ all: regions(first: 1) { totalCount }
               withResv: regions(first: 1, filter: { hasResv: true }) { totalCount }
               withoutResv: regions(first: 100, filter: { hasResv: false }) { totalCount nodes { resv { id } } }
               deepening: regions(first: 100, filter: { resvPhases: [DEEPENING] }) { nodes { resv { phase } } }
               menzis: regions(first: 100, filter: { preferredInsurers: [\"Menzis\"] }) { nodes { preferredInsurer } }
               zk04: regions(first: 100, filter: { careOfficeRegionCodes: [\"ZK04\"] }) { nodes { careOfficeRegion { code } } }
               named: regions(first: 5, filter: { nameContains: \"LIMBURG\" }) { nodes { name } }
               literal: regions(first: 5, filter: { nameContains: \"%\" }) { totalCount }
               byPopulation: regions(first: 2, orderBy: { field: POPULATION, direction: DESC }) { nodes { populationApprox } }
               ncAll: neighbourhoodCollaborations(first: 1) { totalCount }
               ncMet: neighbourhoodCollaborations(first: 100, filter: { meetsMinimumComposition: true }) { totalCount nodes { meetsMinimumComposition missingDisciplines population } }
               ncNotMet: neighbourhoodCollaborations(first: 100, filter: { meetsMinimumComposition: false }) { totalCount nodes { meetsMinimumComposition } }
               search: learningMaterials(first: 10, filter: { search: \"frail elderly\" }) { nodes { title summary } }
               guides: learningMaterials(first: 100, filter: { kinds: [GUIDE], themes: [FRAIL_ELDERLY] }) { nodes { kind themes } }
               phases: resvs(first: 100, orderBy: { field: PHASE }) { nodes { phase } } }",
            json!({}),
        )
        .await;
    let count = |key: &str| data[key]["totalCount"].as_i64().expect(key);
    assert_eq!(count("withResv") + count("withoutResv"), count("all"));
    assert!(count("withoutResv") > 0);
    let nodes = |key: &str| data[key]["nodes"].as_array().expect(key).clone();
    assert!(nodes("withoutResv").iter().all(|n| n["resv"].is_null()));
    assert!(!nodes("deepening").is_empty());
    assert!(
        nodes("deepening")
            .iter()
            .all(|n| n["resv"]["phase"] == "DEEPENING")
    );
    assert!(
        !nodes("menzis").is_empty()
            && nodes("menzis")
                .iter()
                .all(|n| n["preferredInsurer"] == "Menzis")
    );
    assert!(
        !nodes("zk04").is_empty()
            && nodes("zk04")
                .iter()
                .all(|n| n["careOfficeRegion"]["code"] == "ZK04")
    );
    assert!(!nodes("named").is_empty());
    assert!(nodes("named").iter().all(|n| {
        n["name"]
            .as_str()
            .is_some_and(|s| s.to_lowercase().contains("limburg"))
    }));
    assert_eq!(count("literal"), 0, "% is matched literally");
    let pops: Vec<i64> = nodes("byPopulation")
        .iter()
        .filter_map(|n| n["populationApprox"].as_i64())
        .collect();
    assert!(pops[0] >= pops[1]);
    assert_eq!(count("ncMet") + count("ncNotMet"), count("ncAll"));
    assert!(count("ncMet") > 0 && count("ncNotMet") > 0);
    for n in nodes("ncMet") {
        assert_eq!(n["meetsMinimumComposition"], true);
        assert_eq!(n["missingDisciplines"], json!([]));
        let population = n["population"].as_i64().expect("population");
        assert!((10_000..=20_000).contains(&population), "{population}");
    }
    assert!(
        nodes("ncNotMet")
            .iter()
            .all(|n| n["meetsMinimumComposition"] == false)
    );
    let search = nodes("search");
    assert!(!search.is_empty());
    for m in search {
        let text = format!("{} {}", m["title"], m["summary"]).to_lowercase();
        assert!(text.contains("frail") && text.contains("elderly"), "{text}");
    }
    assert!(nodes("guides").iter().all(|m| {
        m["kind"] == "GUIDE"
            && m["themes"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("FRAIL_ELDERLY")))
    }));
    let order = ["NETWORK", "AGREEMENTS", "ORGANISATION", "DEEPENING"];
    let ranks: Vec<usize> = nodes("phases")
        .iter()
        .map(|n| {
            order
                .iter()
                .position(|p| n["phase"] == *p)
                .expect("a phase")
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "phases in development order"
    );
});

on_both_databases!(
    nodes_and_relations_go_both_ways,
    |app: TestApp| async move {
        let data = app
        .data(
            "{ region(code: \"R01\") {
                 id code
                 careOfficeRegion { id code regions { code } izaRegions { code } }
                 izaRegion { id code mandateMunicipality regions { code } careOfficeRegion { code } }
                 resv { id region { code } seats { id resv { id } disciplines { id code } } agreements { id disciplines { code } resv { id } } }
                 regionalTable { id kind organisation region { code } }
                 neighbourhoodCollaborations { id region { code } }
               }
               disciplines { id code name nameNl paramedical minimumComposition } }",
            json!({}),
        )
        .await;
        let region = &data["region"];
        assert_eq!(region["code"], "R01");
        let contains = |list: &Value, code: &str| {
            list.as_array()
                .is_some_and(|l| l.iter().any(|x| x["code"] == code))
        };
        assert!(contains(&region["careOfficeRegion"]["regions"], "R01"));
        assert!(contains(&region["izaRegion"]["regions"], "R01"));
        assert!(contains(
            &region["careOfficeRegion"]["izaRegions"],
            region["izaRegion"]["code"].as_str().expect("iza")
        ));
        assert_eq!(region["izaRegion"]["mandateMunicipality"], "Doetinchem");
        if !region["resv"].is_null() {
            assert_eq!(region["resv"]["region"]["code"], "R01");
            for seat in region["resv"]["seats"].as_array().expect("seats") {
                assert_eq!(seat["resv"]["id"], region["resv"]["id"]);
            }
        }
        assert!(
            region["regionalTable"]
                .as_array()
                .expect("table")
                .iter()
                .all(|p| p["region"]["code"] == "R01")
        );
        let disciplines = data["disciplines"].as_array().expect("disciplines");
        assert_eq!(disciplines.len(), 13);
        assert_eq!(disciplines[0]["nameNl"], "Huisartsen");
        assert_eq!(
            disciplines
                .iter()
                .filter(|d| d["paramedical"] == true)
                .count(),
            7
        );
        assert_eq!(
            disciplines
                .iter()
                .filter(|d| d["minimumComposition"] == true)
                .count(),
            4
        );

        // Every id round-trips through node(id), in one nodes(ids) call.
        let mut ids = vec![
            region["id"].clone(),
            region["careOfficeRegion"]["id"].clone(),
            region["izaRegion"]["id"].clone(),
            disciplines[3]["id"].clone(),
        ];
        if let Some(resv) = region["resv"].as_object() {
            ids.push(resv["id"].clone());
            if let Some(seat) = resv["seats"].as_array().and_then(|s| s.first()) {
                ids.push(seat["id"].clone());
            }
        }
        ids.push(json!("garbage"));
        let fetched = app
            .data(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }",
                json!({ "ids": ids }),
            )
            .await;
        let fetched = fetched["nodes"].as_array().expect("nodes");
        assert_eq!(fetched.len(), ids.len());
        for (id, node) in ids.iter().zip(fetched).take(ids.len() - 1) {
            assert_eq!(&node["id"], id);
        }
        assert!(fetched.last().is_some_and(Value::is_null));
        let one = app
            .data(
                "query($id: ID!) { node(id: $id) { ... on Region { code } } }",
                json!({ "id": region["id"] }),
            )
            .await;
        assert_eq!(one["node"]["code"], "R01");
    }
);

on_both_databases!(
    money_and_dates_are_strings_in_fixed_formats,
    |app: TestApp| async move {
        let data = app
        .data(
            "{ subsidies(first: 100) { nodes { amountGranted amountRequested appliedOn decidedOn } }
               izaRegions(first: 1) { nodes { spukIza2025 } } }",
            json!({}),
        )
        .await;
        let money = |v: &Value| {
            let s = v.as_str().expect("money is a string");
            let (whole, cents) = s.split_once('.').expect("a decimal point");
            assert!(
                whole.bytes().all(|b| b.is_ascii_digit()) && cents.len() == 2,
                "{s}"
            );
        };
        for s in data["subsidies"]["nodes"].as_array().expect("subsidies") {
            money(&s["amountGranted"]);
            money(&s["amountRequested"]);
            let day = s["appliedOn"].as_str().expect("date");
            assert!(
                chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
                "{day}"
            );
        }
        assert_eq!(data["izaRegions"]["nodes"][0]["spukIza2025"], "2598073.00");
    }
);

on_both_databases!(graphql_over_get_and_graphiql, |app: TestApp| async move {
    let body: Value = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ region(code: \"R02\") { name } }")])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["data"]["region"]["name"], "Amstelland en De Meerlanden",
        "{body}"
    );
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .expect("send");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    assert!(page.text().await.expect("text").contains("graphiql"));
});

on_both_databases!(
    unsafe_or_oversized_requests_are_refused,
    |app: TestApp| async move {
        // A mutation over GET is refused (GET must be safe) and changes nothing.
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[(
                "query",
                "mutation { deleteResv(input: { id: \"UmVzdjox\", version: 1 }) { deletedId } }",
            )])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "POST");
        let resv = app
            .data("{ region(code: \"R01\") { resv { id } } }", json!({}))
            .await;
        assert!(!resv["region"]["resv"].is_null());
        // A body over 1 MiB is refused before it is read.
        let huge = format!(
            "{{ regions(first: 1) {{ totalCount }} }} #{}",
            "x".repeat(1 << 20)
        );
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": huge }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 413);
        assert_eq!(
            response.headers()["connection"],
            "close",
            "unread body: no reuse"
        );
        // Too deep a query is refused with a clear code before any SQL runs.
        let deep = format!(
            "{{ regions(first: 1) {{ nodes {{ {} id {} }} }} }}",
            "careOfficeRegion { regions { ".repeat(8),
            "} } ".repeat(8)
        );
        let before = app.statements.get();
        let body = app.gql(&deep, json!({})).await;
        assert_eq!(error_codes(&body), vec!["QUERY_TOO_DEEP"], "{body}");
        assert_eq!(app.statements.get(), before, "no SQL ran");
    }
);
