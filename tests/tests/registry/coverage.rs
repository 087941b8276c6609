//! The coverage dashboards: every figure against an independent computation over the registry's
//! rows, figures on past dates, disclosure control and the exports, on SQLite and PostgreSQL.
#![allow(
    clippy::disallowed_methods,
    reason = "the independent computation reads whole tables, outside any viewer's scope"
)]
#![allow(
    clippy::unwrap_used,
    reason = "answers have the shape the schema fixes; a missing field fails on its own line"
)]

use crate::common;

use common::{TestApp, error_codes};
use entity::*;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Named figures of one group; zeros left out, so a missing entry and a zero compare equal.
type Figures = BTreeMap<String, i64>;

fn add(figures: &mut Figures, name: impl Into<String>, value: i64) {
    *figures.entry(name.into()).or_default() += value;
}

fn nonzero(mut figures: Figures) -> Figures {
    figures.retain(|_, v| *v != 0);
    figures
}

/// Cents of a decimal money string.
fn cents(value: &Value) -> i64 {
    let text = value.as_str().expect("money");
    let (units, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let fraction = format!("{fraction:0<2}");
    units.parse::<i64>().expect("units") * 100 + fraction[..2].parse::<i64>().expect("cents")
}

const FIGURES: &str = "
fragment F on CoverageFigures {
  regions population
  resvs {
    regionsWithResv populationCovered minimumCompositionMet
    byPhase { phase resvs population minimumCompositionMet }
    designCriteria { criterion met }
    mainTasks { task notStarted inProgress operational }
  }
  seats {
    multidisciplinarySeats disciplinesInMultidisciplinarySeats
    byDiscipline { discipline mandated pending withoutMandate empty }
  }
  subsidies { kind status suppressed applications requested { sum min max } granted { sum min max } }
  subsidyReach { kind appliedSuppressed regionsApplied populationApplied regionsGranted populationGranted }
  vouchers { discipline status suppressed vouchers amount }
  neighbourhoods { collaborations active population meetingMinimumComposition populationMeetingMinimumComposition }
}";

fn coverage_query(as_of: &str) -> String {
    format!(
        "{{ coverage(asOf: \"{as_of}\") {{
             asOf disclosure {{ controlled explanation }}
             national {{ ...F }}
             byCareOfficeRegion {{ key careOfficeRegion {{ code }} figures {{ ...F }} }}
             byInsurer {{ key insurer figures {{ ...F }} }}
             byRegion {{ key region {{ code }} figures {{ ...F }} }}
           }} }} {FIGURES}"
    )
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The figures of a `CoverageFigures` answer, flattened.
fn flatten(f: &Value) -> Figures {
    let mut out = Figures::new();
    add(&mut out, "regions", f["regions"].as_i64().unwrap());
    add(&mut out, "population", f["population"].as_i64().unwrap());
    let resvs = &f["resvs"];
    add(
        &mut out,
        "resvs",
        resvs["regionsWithResv"].as_i64().unwrap(),
    );
    add(
        &mut out,
        "resvs.population",
        resvs["populationCovered"].as_i64().unwrap(),
    );
    add(
        &mut out,
        "minimum",
        resvs["minimumCompositionMet"].as_i64().unwrap(),
    );
    for p in resvs["byPhase"].as_array().unwrap() {
        let phase = p["phase"].as_str().unwrap();
        add(
            &mut out,
            format!("phase.{phase}"),
            p["resvs"].as_i64().unwrap(),
        );
        add(
            &mut out,
            format!("phase.{phase}.population"),
            p["population"].as_i64().unwrap(),
        );
        add(
            &mut out,
            format!("phase.{phase}.minimum"),
            p["minimumCompositionMet"].as_i64().unwrap(),
        );
    }
    for c in resvs["designCriteria"].as_array().unwrap() {
        add(
            &mut out,
            format!("criterion.{}", c["criterion"].as_str().unwrap()),
            c["met"].as_i64().unwrap(),
        );
    }
    for t in resvs["mainTasks"].as_array().unwrap() {
        let task = t["task"].as_str().unwrap();
        for status in ["notStarted", "inProgress", "operational"] {
            add(
                &mut out,
                format!("task.{task}.{}", snake(status)),
                t[status].as_i64().unwrap(),
            );
        }
    }
    let seats = &f["seats"];
    add(
        &mut out,
        "shared",
        seats["multidisciplinarySeats"].as_i64().unwrap(),
    );
    add(
        &mut out,
        "shared.disciplines",
        seats["disciplinesInMultidisciplinarySeats"]
            .as_i64()
            .unwrap(),
    );
    for d in seats["byDiscipline"].as_array().unwrap() {
        let discipline = d["discipline"].as_str().unwrap();
        for (field, status) in [
            ("mandated", "MANDATED"),
            ("pending", "PENDING"),
            ("withoutMandate", "NONE"),
            ("empty", "EMPTY"),
        ] {
            add(
                &mut out,
                format!("seat.{discipline}.{status}"),
                d[field].as_i64().unwrap(),
            );
        }
    }
    for s in f["subsidies"].as_array().unwrap() {
        let key = format!(
            "subsidy.{}.{}",
            s["kind"].as_str().unwrap(),
            s["status"].as_str().unwrap()
        );
        if s["suppressed"] == true {
            add(&mut out, format!("{key}.suppressed"), 1);
            continue;
        }
        add(&mut out, key.clone(), s["applications"].as_i64().unwrap());
        for side in ["requested", "granted"] {
            add(&mut out, format!("{key}.{side}"), cents(&s[side]["sum"]));
            for bound in ["min", "max"] {
                if !s[side][bound].is_null() {
                    add(
                        &mut out,
                        format!("{key}.{side}.{bound}"),
                        cents(&s[side][bound]),
                    );
                }
            }
        }
    }
    for r in f["subsidyReach"].as_array().unwrap() {
        let kind = r["kind"].as_str().unwrap();
        if r["appliedSuppressed"] == true {
            add(&mut out, format!("reach.{kind}.applied.suppressed"), 1);
        } else {
            add(
                &mut out,
                format!("reach.{kind}.applied"),
                r["regionsApplied"].as_i64().unwrap(),
            );
            add(
                &mut out,
                format!("reach.{kind}.applied.population"),
                r["populationApplied"].as_i64().unwrap(),
            );
        }
        add(
            &mut out,
            format!("reach.{kind}.granted"),
            r["regionsGranted"].as_i64().unwrap(),
        );
        add(
            &mut out,
            format!("reach.{kind}.granted.population"),
            r["populationGranted"].as_i64().unwrap(),
        );
    }
    for v in f["vouchers"].as_array().unwrap() {
        let key = format!(
            "voucher.{}.{}",
            v["discipline"].as_str().unwrap(),
            v["status"].as_str().unwrap()
        );
        if v["suppressed"] == true {
            add(&mut out, format!("{key}.suppressed"), 1);
            continue;
        }
        add(&mut out, key.clone(), v["vouchers"].as_i64().unwrap());
        add(&mut out, format!("{key}.amount"), cents(&v["amount"]));
    }
    let n = &f["neighbourhoods"];
    add(&mut out, "nc", n["collaborations"].as_i64().unwrap());
    add(&mut out, "nc.active", n["active"].as_i64().unwrap());
    add(&mut out, "nc.population", n["population"].as_i64().unwrap());
    add(
        &mut out,
        "nc.minimum",
        n["meetingMinimumComposition"].as_i64().unwrap(),
    );
    add(
        &mut out,
        "nc.minimum.population",
        n["populationMeetingMinimumComposition"].as_i64().unwrap(),
    );
    nonzero(out)
}

/// Every group of an answer: ("national", ""), ("careOffice", id), ("insurer", name),
/// ("region", id).
fn answer_groups(coverage: &Value) -> HashMap<(String, String), Figures> {
    let mut out = HashMap::new();
    out.insert(
        ("national".to_owned(), String::new()),
        flatten(&coverage["national"]),
    );
    for (grouping, field) in [
        ("careOffice", "byCareOfficeRegion"),
        ("insurer", "byInsurer"),
        ("region", "byRegion"),
    ] {
        for group in coverage[field].as_array().unwrap() {
            let key = group["key"].as_str().unwrap().to_owned();
            out.insert((grouping.to_owned(), key), flatten(&group["figures"]));
        }
    }
    out
}

/// The registry's current rows, read as an admin.
struct Rows {
    regions: Vec<region::Model>,
    resvs: Vec<resv::Model>,
    seats: Vec<seat::Model>,
    seat_disciplines: Vec<seat_discipline::Model>,
    subsidies: Vec<subsidy::Model>,
    vouchers: Vec<voucher::Model>,
    collaborations: Vec<neighbourhood_collaboration::Model>,
    collaboration_disciplines: Vec<nc_discipline::Model>,
}

async fn rows(app: &TestApp) -> Rows {
    let txn =
        api::db::begin_with_claims(&app.db, &api::access::Claims::of(api::access::Role::Admin))
            .await
            .expect("begin");
    let rows = Rows {
        regions: region::Entity::find().all(&txn).await.unwrap(),
        resvs: resv::Entity::find().all(&txn).await.unwrap(),
        seats: seat::Entity::find().all(&txn).await.unwrap(),
        seat_disciplines: seat_discipline::Entity::find().all(&txn).await.unwrap(),
        subsidies: subsidy::Entity::find().all(&txn).await.unwrap(),
        vouchers: voucher::Entity::find().all(&txn).await.unwrap(),
        collaborations: neighbourhood_collaboration::Entity::find()
            .all(&txn)
            .await
            .unwrap(),
        collaboration_disciplines: nc_discipline::Entity::find().all(&txn).await.unwrap(),
    };
    txn.commit().await.expect("commit");
    rows
}

/// The groups a region belongs to.
fn groups_of(region: &region::Model) -> Vec<(String, String)> {
    vec![
        ("national".to_owned(), String::new()),
        (
            "careOffice".to_owned(),
            region.care_office_region_id.to_string(),
        ),
        (
            "insurer".to_owned(),
            region.preferred_insurer.clone().unwrap_or_default(),
        ),
        ("region".to_owned(), region.id.to_string()),
    ]
}

/// Adds to the figures of every group `region` belongs to (only the nation's without a region).
fn each(
    out: &mut HashMap<(String, String), Figures>,
    region: Option<&region::Model>,
    mut f: impl FnMut(&mut Figures),
) {
    let groups = match region {
        Some(region) => groups_of(region),
        None => vec![("national".to_owned(), String::new())],
    };
    for group in groups {
        f(out.entry(group).or_default());
    }
}

/// The figures computed from the rows, row by row in Rust.
fn expected(rows: &Rows) -> HashMap<(String, String), Figures> {
    let mut out: HashMap<(String, String), Figures> = HashMap::new();
    let region_of: HashMap<i32, &region::Model> = rows.regions.iter().map(|r| (r.id, r)).collect();
    for r in &rows.regions {
        let population = r.population_approx.unwrap_or(0);
        each(&mut out, Some(r), |f| {
            add(f, "regions", 1);
            add(f, "population", population);
        });
    }
    let resv_of: HashMap<i32, &resv::Model> = rows.resvs.iter().map(|r| (r.id, r)).collect();
    let seat_of: HashMap<i32, &seat::Model> = rows.seats.iter().map(|s| (s.id, s)).collect();
    let mut minimum: HashMap<i32, HashSet<DisciplineCode>> = HashMap::new();
    let mut per_seat: HashMap<i32, i64> = HashMap::new();
    for d in &rows.seat_disciplines {
        *per_seat.entry(d.seat_id).or_default() += 1;
        let seat = seat_of[&d.seat_id];
        let core = [
            DisciplineCode::GeneralPractice,
            DisciplineCode::DistrictNursing,
            DisciplineCode::Pharmacy,
        ];
        if (core.contains(&d.discipline_code) && seat.mandate_status == MandateStatus::Mandated)
            || d.discipline_code == DisciplineCode::SocialWork
        {
            minimum
                .entry(d.resv_id)
                .or_default()
                .insert(d.discipline_code);
        }
    }
    for v in &rows.resvs {
        let region = region_of[&v.region_id];
        let population = region.population_approx.unwrap_or(0);
        let phase = v.phase.as_str();
        let meets = minimum.get(&v.id).map_or(0, HashSet::len) == 4;
        let criteria = [
            ("CORE_DISCIPLINES", v.criterion_core_disciplines_met),
            (
                "MANDATED_REPRESENTATION",
                v.criterion_mandated_representation_met,
            ),
            (
                "MULTIDISCIPLINARY_GOVERNANCE",
                v.criterion_multidisciplinary_governance_met,
            ),
            ("REGIONAL_AGENDA", v.criterion_regional_agenda_met),
            (
                "CITIZEN_PARTICIPATION",
                v.criterion_citizen_participation_met,
            ),
        ];
        let tasks = [
            ("MANDATE", v.task_mandate),
            ("CAPACITY_ACCESS", v.task_capacity_access),
            ("CARE_AGREEMENTS", v.task_care_agreements),
            ("NEIGHBOURHOOD_SUPPORT", v.task_neighbourhood_support),
            ("FACILITATION", v.task_facilitation),
        ];
        each(&mut out, Some(region), |f| {
            add(f, "resvs", 1);
            add(f, "resvs.population", population);
            add(f, format!("phase.{phase}"), 1);
            add(f, format!("phase.{phase}.population"), population);
            add(f, "minimum", i64::from(meets));
            add(f, format!("phase.{phase}.minimum"), i64::from(meets));
            for (name, met) in criteria {
                add(f, format!("criterion.{name}"), i64::from(met));
            }
            for (name, status) in tasks {
                add(f, format!("task.{name}.{}", status.as_str()), 1);
            }
            // Every discipline starts empty; its seats below take it out again.
            for discipline in DisciplineCode::ALL {
                add(f, format!("seat.{}.EMPTY", discipline.as_str()), 1);
            }
        });
    }
    for d in &rows.seat_disciplines {
        let seat = seat_of[&d.seat_id];
        let region = region_of[&resv_of[&d.resv_id].region_id];
        each(&mut out, Some(region), |f| {
            add(
                f,
                format!(
                    "seat.{}.{}",
                    d.discipline_code.as_str(),
                    seat.mandate_status.as_str()
                ),
                1,
            );
            add(f, format!("seat.{}.EMPTY", d.discipline_code.as_str()), -1);
        });
    }
    for (seat_id, n) in per_seat.iter().filter(|(_, n)| **n > 1) {
        let region = region_of[&resv_of[&seat_of[seat_id].resv_id].region_id];
        each(&mut out, Some(region), |f| {
            add(f, "shared", 1);
            add(f, "shared.disciplines", *n);
        });
    }
    let mut bounds: HashMap<(String, String), BTreeMap<String, (i64, i64)>> = HashMap::new();
    for s in &rows.subsidies {
        let region = s.region_id.map(|id| region_of[&id]);
        let key = format!("subsidy.{}.{}", s.kind.as_str(), s.status.as_str());
        let groups = region.map_or_else(|| vec![("national".to_owned(), String::new())], groups_of);
        for group in groups {
            let f = out.entry(group.clone()).or_default();
            add(f, key.clone(), 1);
            for (side, amount) in [
                ("requested", s.amount_requested_cents),
                ("granted", s.amount_granted_cents),
            ] {
                if let Some(amount) = amount {
                    add(f, format!("{key}.{side}"), amount);
                    let b = bounds
                        .entry(group.clone())
                        .or_default()
                        .entry(format!("{key}.{side}"))
                        .or_insert((i64::MAX, i64::MIN));
                    *b = (b.0.min(amount), b.1.max(amount));
                }
            }
        }
    }
    for (group, names) in bounds {
        let f = out.entry(group).or_default();
        for (name, (min, max)) in names {
            add(f, format!("{name}.min"), min);
            add(f, format!("{name}.max"), max);
        }
    }
    let mut reach: HashMap<(i32, SubsidyKind), bool> = HashMap::new();
    for s in rows.subsidies.iter().filter(|s| s.region_id.is_some()) {
        let granted = reach.entry((s.region_id.unwrap(), s.kind)).or_default();
        *granted |= s.status == ApplicationStatus::Granted;
    }
    for ((region_id, kind), granted) in reach {
        let region = region_of[&region_id];
        let population = region.population_approx.unwrap_or(0);
        let kind = kind.as_str();
        each(&mut out, Some(region), |f| {
            add(f, format!("reach.{kind}.applied"), 1);
            add(f, format!("reach.{kind}.applied.population"), population);
            if granted {
                add(f, format!("reach.{kind}.granted"), 1);
                add(f, format!("reach.{kind}.granted.population"), population);
            }
        });
    }
    for v in &rows.vouchers {
        let key = format!(
            "voucher.{}.{}",
            v.discipline_code.as_str(),
            v.status.as_str()
        );
        each(&mut out, Some(region_of[&v.region_id]), |f| {
            add(f, key.clone(), 1);
            add(f, format!("{key}.amount"), v.amount_cents.unwrap_or(0));
        });
    }
    let mut nc_minimum: HashMap<i32, usize> = HashMap::new();
    for d in &rows.collaboration_disciplines {
        if DisciplineCode::MINIMUM_COMPOSITION.contains(&d.discipline_code) {
            *nc_minimum.entry(d.collaboration_id).or_default() += 1;
        }
    }
    for c in rows
        .collaborations
        .iter()
        .filter(|c| c.status != CollaborationStatus::Stopped)
    {
        let meets = nc_minimum.get(&c.id).copied().unwrap_or(0)
            == DisciplineCode::MINIMUM_COMPOSITION.len();
        let population = c.population.unwrap_or(0);
        each(&mut out, Some(region_of[&c.region_id]), |f| {
            add(f, "nc", 1);
            add(
                f,
                "nc.active",
                i64::from(c.status == CollaborationStatus::Active),
            );
            add(f, "nc.population", population);
            if meets {
                add(f, "nc.minimum", 1);
                add(f, "nc.minimum.population", population);
            }
        });
    }
    out.into_iter().map(|(k, v)| (k, nonzero(v))).collect()
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn assert_same(
    answer: &HashMap<(String, String), Figures>,
    expected: &HashMap<(String, String), Figures>,
) {
    let mut answered: Vec<_> = answer.keys().collect();
    let mut wanted: Vec<_> = expected.keys().collect();
    answered.sort();
    wanted.sort();
    assert_eq!(answered, wanted, "the same groups");
    for (group, figures) in expected {
        let got = &answer[group];
        for (name, value) in figures.iter().chain(got.iter()) {
            assert_eq!(
                got.get(name),
                figures.get(name),
                "{group:?} {name} (expected {value} or absent)"
            );
        }
    }
}

on_both_databases!(
    every_figure_matches_an_independent_computation,
    |app: TestApp| async move {
        let data = app
            .data_as(
                "national_analyst",
                &[],
                &coverage_query(&today()),
                json!({}),
            )
            .await;
        let coverage = &data["coverage"];
        assert_eq!(coverage["disclosure"]["controlled"], false);
        let answer = answer_groups(coverage);
        let expected = expected(&rows(&app).await);
        assert_same(&answer, &expected);
        // The figures exercise every part of the registry.
        let national = &answer[&("national".to_owned(), String::new())];
        for name in [
            "resvs",
            "minimum",
            "shared",
            "nc.minimum",
            "reach.IMPLEMENTATION.applied",
            "voucher.PHYSIOTHERAPY.GRANTED",
        ] {
            assert!(
                national.get(name).copied().unwrap_or(0) > 0,
                "{name} occurs"
            );
        }
        assert_eq!(answer.keys().filter(|(g, _)| g == "region").count(), 54);
    }
);

on_both_databases!(
    figures_are_those_recorded_on_the_date,
    |app: TestApp| async move {
        let reach = |data: &Value| -> (i64, i64) {
            let r = data["coverage"]["national"]["subsidyReach"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["kind"] == "IMPLEMENTATION")
                .unwrap()
                .clone();
            (
                r["regionsApplied"].as_i64().unwrap_or(-1),
                r["regionsGranted"].as_i64().unwrap(),
            )
        };
        let query = "query($d: Date) { coverage(asOf: $d) { national {
        subsidyReach { kind regionsApplied regionsGranted }
        resvs { regionsWithResv } } } }";
        let at = |day: &str| app.data_as("national_analyst", &[], query, json!({ "d": day }));
        // The published state in mid-2025; before the first deadline nobody had applied.
        assert_eq!(reach(&at("2025-07-01").await), (52, 48));
        assert_eq!(reach(&at("2024-06-01").await), (0, 0));
        let early = at("2024-01-01").await;
        let later = at("2025-07-01").await;
        assert!(
            early["coverage"]["national"]["resvs"]["regionsWithResv"].as_i64()
                < later["coverage"]["national"]["resvs"]["regionsWithResv"].as_i64()
        );

        // A change today leaves the past as it was recorded.
        let subsidy = app
        .data_as("zonmw_staff", &[], "{ subsidies(first: 1, filter: { kinds: [IMPLEMENTATION], statuses: [IN_REVIEW] }) { nodes { id version amountRequested } } }", json!({}))
        .await;
        let node = &subsidy["subsidies"]["nodes"][0];
        let decided = app
        .data_as(
            "zonmw_staff",
            &[],
            "mutation($id: ID!, $version: Int!, $amount: Money!, $on: Date!) {
               decideSubsidy(input: { id: $id, version: $version, outcome: GRANTED,
                                      amountGranted: $amount, decidedOn: $on }) {
                 subsidy { status } userErrors { message } } }",
            json!({ "id": node["id"], "version": node["version"], "amount": node["amountRequested"], "on": today() }),
        )
        .await;
        assert_eq!(
            decided["decideSubsidy"]["subsidy"]["status"], "GRANTED",
            "{decided}"
        );
        assert_eq!(reach(&at(&today()).await), (52, 49));
        assert_eq!(reach(&at("2025-07-01").await), (52, 48));

        // A timeline costs the statements of one date, however many dates it has.
        let timeline =
            "{ coverageTimeline(from: \"2024-01-01\", to: \"2025-07-01\", interval: MONTH) {
        asOf national { subsidyReach { kind regionsGranted } } } }";
        let single = "{ coverageTimeline(from: \"2025-07-01\", to: \"2025-07-01\") {
        asOf national { subsidyReach { kind regionsGranted } } } }";
        let (series, many) = app.counted(timeline, json!({})).await;
        let (_, one) = app.counted(single, json!({})).await;
        assert_eq!(many, one, "statements of 19 dates and of 1 date");
        let points = series["coverageTimeline"].as_array().unwrap();
        assert_eq!(points.len(), 19);
        assert_eq!(points[0]["asOf"], "2024-01-01");
        assert_eq!(points[18]["asOf"], "2025-07-01");
        let granted: Vec<i64> = points
            .iter()
            .map(|p| {
                p["national"]["subsidyReach"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["kind"] == "IMPLEMENTATION")
                    .unwrap()["regionsGranted"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert!(granted.windows(2).all(|w| w[0] <= w[1]), "{granted:?}");
        assert_eq!((granted[0], granted[18]), (0, 48));

        // Dates the registry cannot answer for are refused.
        for bad in [
            "{ coverage(asOf: \"2999-01-01\") { asOf } }",
            "{ coverage(asOf: \"1999-01-01\") { asOf } }",
            "{ coverageTimeline(from: \"2020-01-01\", to: \"2025-01-01\", interval: DAY) { asOf } }",
            "{ coverageTimeline(from: \"2025-01-01\", to: \"2024-01-01\") { asOf } }",
        ] {
            let body = app.gql(bad, json!({})).await;
            assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{bad}: {body}");
        }
    }
);

/// The names of the cells suppressed in a group.
fn suppressed(figures: &Figures) -> Vec<&str> {
    figures
        .keys()
        .filter(|n| n.ends_with(".suppressed"))
        .map(String::as_str)
        .collect()
}

on_both_databases!(
    non_public_figures_are_withheld_by_what_they_count_not_by_their_value,
    |app: TestApp| async move {
        let query = coverage_query("2025-07-01");
        let anonymous = app.data(&query, json!({})).await;
        let analyst = app
            .data_as("national_analyst", &[], &query, json!({}))
            .await;
        assert_eq!(anonymous["coverage"]["disclosure"]["controlled"], true);
        assert_eq!(analyst["coverage"]["disclosure"]["controlled"], false);
        let open = answer_groups(&analyst["coverage"]);
        let controlled = answer_groups(&anonymous["coverage"]);
        let national = ("national".to_owned(), String::new());
        // Nationally: 2 in review, 1 rejected, 1 withdrawn implementation applications.
        assert_eq!(
            open[&national].get("subsidy.IMPLEMENTATION.IN_REVIEW"),
            Some(&2)
        );
        assert_eq!(
            open[&national].get("subsidy.IMPLEMENTATION.REJECTED"),
            Some(&1)
        );
        assert_eq!(
            controlled[&national].get("subsidy.IMPLEMENTATION.GRANTED"),
            Some(&48)
        );
        // The published aggregate: 52 regions applied ("98%"), 4 of them not granted.
        assert_eq!(
            controlled[&national].get("reach.IMPLEMENTATION.applied"),
            Some(&52)
        );
        // Every non-public cell of a controlled viewer is suppressed, in every group: the same
        // cells whatever the group holds, so the flags tell nothing.
        let every_non_public = |group: &(String, String)| -> Vec<String> {
            let hidden = ApplicationStatus::ALL
                .iter()
                .filter(|s| **s != ApplicationStatus::Granted)
                .map(|s| s.as_str());
            let mut names = Vec::new();
            for kind in SubsidyKind::ALL {
                for status in hidden.clone() {
                    names.push(format!("subsidy.{}.{status}.suppressed", kind.as_str()));
                }
                if group.0 != "national" {
                    names.push(format!("reach.{}.applied.suppressed", kind.as_str()));
                }
            }
            for discipline in DisciplineCode::ALL {
                for status in hidden.clone() {
                    names.push(format!(
                        "voucher.{}.{status}.suppressed",
                        discipline.as_str()
                    ));
                }
            }
            names.sort();
            names
        };
        assert_eq!(open.len(), controlled.len());
        for (group, figures) in &open {
            let shown = &controlled[group];
            for (name, value) in shown {
                // What a controlled viewer is shown equals what an analyst reads.
                if !name.ends_with(".suppressed") {
                    assert_eq!(figures.get(name), Some(value), "{group:?} {name}");
                }
            }
            for (name, value) in figures {
                // Everything else an analyst reads is shown as it is, or suppressed.
                // A subsidy, voucher or reach cell is named by its first three parts.
                let cell = name.splitn(4, '.').take(3).collect::<Vec<_>>().join(".");
                assert!(
                    shown.get(name) == Some(value)
                        || shown.contains_key(&format!("{cell}.suppressed")),
                    "{group:?} {name} neither shown nor suppressed"
                );
            }
            let mut names: Vec<String> = suppressed(shown).into_iter().map(str::to_owned).collect();
            names.sort();
            assert_eq!(names, every_non_public(group), "{group:?}");
            assert!(
                suppressed(figures).is_empty(),
                "{group:?}: an analyst reads every count"
            );
        }
    }
);

on_both_databases!(
    a_change_a_viewer_cannot_see_changes_nothing_they_read,
    |app: TestApp| async move {
        // The figures of today, as anonymous viewers get them in GraphQL and in the export.
        let query = coverage_query(&today());
        let export = || async {
            let response = app
                .client
                .get(format!("{}/export/coverage.csv", app.address))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), 200);
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            (etag, response.text().await.expect("a body"))
        };
        let before = app.data(&query, json!({})).await;
        let (etag, csv_before) = export().await;
        let analyst_before = app
            .data_as("national_analyst", &[], &query, json!({}))
            .await;

        // Decide the applications still in review: one rejected, one withdrawn. Not public.
        let pending = app
            .data_as(
                "zonmw_staff",
                &[],
                "{ subsidies(first: 10, filter: { statuses: [IN_REVIEW] }) { nodes { id version } } }",
                json!({}),
            )
            .await;
        let nodes = pending["subsidies"]["nodes"].as_array().unwrap();
        assert!(nodes.len() >= 2, "{pending}");
        for (node, outcome) in nodes.iter().zip(["REJECTED", "WITHDRAWN"]) {
            let decided = app
                .data_as(
                    "zonmw_staff",
                    &[],
                    "mutation($id: ID!, $version: Int!, $outcome: DecisionOutcome!, $on: Date!) {
                       decideSubsidy(input: { id: $id, version: $version, outcome: $outcome,
                                              decidedOn: $on }) {
                         subsidy { status } userErrors { message } } }",
                    json!({ "id": node["id"], "version": node["version"], "outcome": outcome, "on": today() }),
                )
                .await;
            assert_eq!(
                decided["decideSubsidy"]["subsidy"]["status"], outcome,
                "{decided}"
            );
        }

        // A voucher application where the region had none for the discipline: a threshold rule
        // would now flag that region's block, and so tell that it applied.
        let mut applied = false;
        'search: for region in 1..=54 {
            for discipline in DisciplineCode::ALL {
                let answer = app
                    .data_as(
                        "zonmw_staff",
                        &[],
                        "mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) {
                           voucher { status } userErrors { code } } }",
                        json!({ "input": { "regionCode": format!("R{region:02}"),
                                           "discipline": discipline.as_str(),
                                           "appliedOn": today() } }),
                    )
                    .await;
                if answer["applyForVoucher"]["voucher"]["status"] == "APPLIED" {
                    applied = true;
                    break 'search;
                }
            }
        }
        assert!(applied, "a region and discipline without a voucher");

        // Those who read every status see the change; an anonymous viewer sees the same bytes.
        let analyst_after = app
            .data_as("national_analyst", &[], &query, json!({}))
            .await;
        assert_ne!(analyst_before, analyst_after, "the change is real");
        assert_eq!(app.data(&query, json!({})).await, before);
        let (etag_after, csv_after) = export().await;
        assert_eq!(csv_after, csv_before);
        assert_eq!(
            etag_after, etag,
            "the export's ETag follows what the viewer reads"
        );
    }
);

/// The figures of a coverage export, in the names of [`flatten`], by group.
fn from_export(csv_text: &str) -> HashMap<(String, String), Figures> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut out: HashMap<(String, String), Figures> = HashMap::new();
    for record in reader.records() {
        let r = record.expect("a CSV record");
        let (grouping, key, figure, dimension, category, value, suppressed) =
            (&r[1], &r[2], &r[4], &r[5], &r[6], &r[7], &r[8] == "true");
        let grouping = match grouping {
            "careOfficeRegion" => "careOffice",
            other => other,
        };
        let f = out
            .entry((grouping.to_owned(), key.to_owned()))
            .or_default();
        let (d, c) = (dimension, category);
        let name = match figure {
            "regions" => "regions".to_owned(),
            "population" => "population".to_owned(),
            "regions_with_resv" => "resvs".to_owned(),
            "population_covered_by_resv" => "resvs.population".to_owned(),
            "resvs_meeting_minimum_composition" => "minimum".to_owned(),
            "resvs_by_phase" => format!("phase.{d}"),
            "population_by_phase" => format!("phase.{d}.population"),
            "resvs_meeting_minimum_composition_by_phase" => format!("phase.{d}.minimum"),
            "resvs_meeting_design_criterion" => format!("criterion.{d}"),
            "resvs_by_main_task_status" => format!("task.{d}.{c}"),
            "seats" => format!("seat.{d}.{c}"),
            "multidisciplinary_seats" => "shared".to_owned(),
            "disciplines_in_multidisciplinary_seats" => "shared.disciplines".to_owned(),
            "subsidy_applications" => format!("subsidy.{d}.{c}"),
            "subsidy_requested_sum" => format!("subsidy.{d}.{c}.requested"),
            "subsidy_requested_min" => format!("subsidy.{d}.{c}.requested.min"),
            "subsidy_requested_max" => format!("subsidy.{d}.{c}.requested.max"),
            "subsidy_granted_sum" => format!("subsidy.{d}.{c}.granted"),
            "subsidy_granted_min" => format!("subsidy.{d}.{c}.granted.min"),
            "subsidy_granted_max" => format!("subsidy.{d}.{c}.granted.max"),
            "regions_applied" => format!("reach.{d}.applied"),
            "population_applied" => format!("reach.{d}.applied.population"),
            "regions_granted" => format!("reach.{d}.granted"),
            "population_granted" => format!("reach.{d}.granted.population"),
            "vouchers" => format!("voucher.{d}.{c}"),
            "voucher_amount" => format!("voucher.{d}.{c}.amount"),
            "neighbourhood_collaborations" => "nc".to_owned(),
            "neighbourhood_collaborations_active" => "nc.active".to_owned(),
            "neighbourhood_population" => "nc.population".to_owned(),
            "neighbourhood_collaborations_meeting_minimum" => "nc.minimum".to_owned(),
            "neighbourhood_population_meeting_minimum" => "nc.minimum.population".to_owned(),
            // Shares are quotients of the counts above.
            _ if figure.contains("share") => continue,
            other => panic!("unknown figure {other}"),
        };
        if suppressed {
            assert_eq!(value, "", "a suppressed cell is empty");
            // A suppressed subsidy or voucher cell is one flag, whatever its measures.
            let cell = match figure {
                "subsidy_applications" | "vouchers" | "regions_applied" => name,
                _ => continue,
            };
            f.insert(format!("{cell}.suppressed"), 1);
            continue;
        }
        if value.is_empty() {
            continue;
        }
        let number = if value.contains('.') && !figure.contains("share") {
            cents(&json!(value))
        } else {
            value.parse::<i64>().expect("a count")
        };
        add(f, name, number);
    }
    out.into_iter().map(|(k, v)| (k, nonzero(v))).collect()
}

on_both_databases!(
    exports_equal_the_graphql_answer,
    |app: TestApp| async move {
        let get = |path: &str, token: Option<String>| {
            let mut request = app.client.get(format!("{}{path}", app.address));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send()
        };
        let response = get("/export/coverage.csv?asOf=2025-07-01", None)
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-type"],
            "text/csv; charset=utf-8; header=present"
        );
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"coverage-2025-07-01.csv\""
        );
        let etag = headers["etag"].to_str().expect("an ETag").to_owned();
        let text = response.text().await.expect("a body");
        let exported = from_export(&text);
        let answer = app.data(&coverage_query("2025-07-01"), json!({})).await;
        assert_same(&exported, &answer_groups(&answer["coverage"]));
        assert!(
            exported
                .values()
                .any(|f| f.keys().any(|k| k.ends_with(".suppressed")))
        );

        // The JSON twin holds the same rows.
        let json_rows: Vec<Value> = get("/export/coverage.json?asOf=2025-07-01", None)
            .await
            .expect("send")
            .json()
            .await
            .expect("a JSON array");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let columns: Vec<String> = reader
            .headers()
            .expect("a header")
            .iter()
            .map(str::to_owned)
            .collect();
        let csv_rows: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("a record")).collect();
        assert_eq!(json_rows.len(), csv_rows.len());
        for (object, record) in json_rows.iter().zip(&csv_rows) {
            for (column, field) in columns.iter().zip(record.iter()) {
                match &object[column] {
                    Value::Null => assert_eq!(field, "", "{column}"),
                    Value::String(s) => assert_eq!(s, field, "{column}"),
                    // serde_json reads floats to within one unit in the last place.
                    Value::Number(n) => {
                        let (a, b) = (n.as_f64().unwrap(), field.parse::<f64>().unwrap());
                        assert!(
                            (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                            "{column}: {a} {b}"
                        );
                    }
                    other => assert_eq!(other.to_string(), field, "{column}"),
                }
            }
        }

        // Unchanged: 304 without a body. A change makes a new ETag.
        let revalidate = || {
            app.client
                .get(format!(
                    "{}/export/coverage.csv?asOf=2025-07-01",
                    app.address
                ))
                .header("if-none-match", &etag)
                .send()
        };
        let again = revalidate().await.expect("send");
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        let analyst = get(
            "/export/coverage.csv?asOf=2025-07-01",
            Some(common::token("national_analyst", &[])),
        )
        .await
        .expect("send");
        assert_ne!(
            analyst.headers()["etag"].to_str().unwrap(),
            etag,
            "another viewer, another ETag"
        );
        let analyst_text = analyst.text().await.expect("a body");
        assert!(
            !from_export(&analyst_text)
                .values()
                .any(|f| f.keys().any(|k| k.ends_with(".suppressed")))
        );
        // The ETag follows the bytes: a change today leaves the figures of 2025-07-01 (and their
        // ETag) as they were, and changes today's.
        let today = get("/export/coverage.csv", None).await.expect("send");
        let today_etag = today.headers()["etag"].to_str().unwrap().to_owned();
        app.update_region("R01", "populationApprox: 325442").await;
        let unchanged = revalidate().await.expect("send");
        assert_eq!(
            unchanged.status(),
            304,
            "the figures of 2025-07-01 did not change"
        );
        let changed = app
            .client
            .get(format!("{}/export/coverage.csv", app.address))
            .header("if-none-match", &today_etag)
            .send()
            .await
            .expect("send");
        assert_eq!(changed.status(), 200, "the registry changed");
        assert_ne!(changed.headers()["etag"].to_str().unwrap(), today_etag);

        // Regions: with the viewer's rights.
        let anonymous = get("/export/regions.csv", None)
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        let staff = get(
            "/export/regions.csv",
            Some(common::token("zonmw_staff", &[])),
        )
        .await
        .expect("send")
        .text()
        .await
        .expect("body");
        let column = |text: &str, name: &str| -> Vec<String> {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let at = reader
                .headers()
                .expect("header")
                .iter()
                .position(|h| h == name)
                .expect(name);
            reader
                .records()
                .map(|r| r.expect("record")[at].to_owned())
                .collect()
        };
        assert_eq!(column(&anonymous, "code").len(), 54);
        // A column the viewer may not read is not in its file at all (an empty cell would
        // clear the value when the file is imported).
        assert!(
            !anonymous
                .lines()
                .next()
                .expect("a header")
                .split(',')
                .any(|c| c == "resv_contact_email")
        );
        assert!(
            column(&staff, "resv_contact_email")
                .iter()
                .any(|e| e.contains('@'))
        );
        let statuses = |text: &str| -> HashSet<String> {
            column(text, "implementation_subsidy_statuses")
                .into_iter()
                .flat_map(|s| s.split(';').map(str::to_owned).collect::<Vec<_>>())
                .filter(|s| !s.is_empty())
                .collect()
        };
        assert_eq!(statuses(&anonymous), HashSet::from(["GRANTED".to_owned()]));
        assert!(statuses(&staff).contains("IN_REVIEW"));

        // Refusals.
        let status = |path: &'static str, token: Option<String>| {
            let request = get(path, token);
            async move { request.await.expect("send").status().as_u16() }
        };
        assert_eq!(status("/export/budgets.csv", None).await, 404);
        assert_eq!(status("/export/coverage.csv?asOf=someday", None).await, 400);
        assert_eq!(
            status("/export/coverage.csv?groupBy=province", None).await,
            400
        );
        assert_eq!(status("/export/regions.csv?page=2", None).await, 400);
        assert_eq!(
            status("/export/regions.csv", Some("not-a-token".to_owned())).await,
            401
        );
    }
);

on_both_databases!(
    learning_figures_count_what_the_viewer_may_see,
    |app: TestApp| async move {
        let coverage = "{ coverage { learning {
        byKind { kind materials } byThemeAndKind { theme kind materials }
        upcomingEvents { id kind eventStartsAt visibility } } } }";
        let list = "{ learningMaterials(first: 100) { totalCount nodes { id kind themes visibility eventStartsAt } } }";
        let now = chrono::Utc::now();
        for role in [None, Some("level_editor")] {
            let (figures, materials) = match role {
                None => (
                    app.data(coverage, json!({})).await,
                    app.data(list, json!({})).await,
                ),
                Some(role) => (
                    app.data_as(role, &[], coverage, json!({})).await,
                    app.data_as(role, &[], list, json!({})).await,
                ),
            };
            let nodes = materials["learningMaterials"]["nodes"].as_array().unwrap();
            assert!(!nodes.is_empty());
            let learning = &figures["coverage"]["learning"];
            // By kind: each material once.
            let mut expected: BTreeMap<String, i64> = BTreeMap::new();
            let mut themed: BTreeMap<(String, String), i64> = BTreeMap::new();
            for node in nodes {
                let kind = node["kind"].as_str().unwrap().to_owned();
                *expected.entry(kind.clone()).or_default() += 1;
                for theme in node["themes"].as_array().unwrap() {
                    *themed
                        .entry((theme.as_str().unwrap().to_owned(), kind.clone()))
                        .or_default() += 1;
                }
            }
            let by_kind: BTreeMap<String, i64> = learning["byKind"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| {
                    (
                        k["kind"].as_str().unwrap().to_owned(),
                        k["materials"].as_i64().unwrap(),
                    )
                })
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(by_kind, expected, "{role:?}");
            let by_theme: BTreeMap<(String, String), i64> = learning["byThemeAndKind"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        (
                            c["theme"].as_str().unwrap().to_owned(),
                            c["kind"].as_str().unwrap().to_owned(),
                        ),
                        c["materials"].as_i64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(by_theme, themed, "{role:?}");
            // Upcoming: the visible events and webinars starting after today, soonest first.
            let mut upcoming: Vec<(String, String)> = nodes
                .iter()
                .filter(|n| n["kind"] == "EVENT" || n["kind"] == "WEBINAR")
                .filter_map(|n| {
                    let starts = n["eventStartsAt"].as_str()?;
                    let at = chrono::DateTime::parse_from_rfc3339(starts).ok()?;
                    (at.with_timezone(&chrono::Utc).date_naive() > now.date_naive())
                        .then(|| (starts.to_owned(), n["id"].as_str().unwrap().to_owned()))
                })
                .collect();
            upcoming.sort();
            let listed: Vec<String> = learning["upcomingEvents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect();
            let wanted: Vec<String> = upcoming.into_iter().map(|(_, id)| id).take(20).collect();
            assert_eq!(listed, wanted, "{role:?}");
        }
        // Members' materials count only for signed-in viewers.
        let count = |data: &Value| -> i64 {
            data["coverage"]["learning"]["byKind"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["materials"].as_i64().unwrap())
                .sum()
        };
        let anonymous = count(&app.data(coverage, json!({})).await);
        let editor = count(&app.data_as("level_editor", &[], coverage, json!({})).await);
        assert!(anonymous < editor, "{anonymous} public of {editor}");
    }
);
