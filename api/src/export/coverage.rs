//! The coverage export: the figures of the `coverage` query, one cell per row.

use super::{GROUPINGS, Request, run};
use crate::access::Viewer;
use crate::graphql::RegistrySchema;
use axum::response::Response;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

/// The columns of the coverage export.
pub(super) const COVERAGE_COLUMNS: [&str; 9] = [
    "as_of",
    "grouping",
    "group_key",
    "group_name",
    "figure",
    "dimension",
    "category",
    "value",
    "suppressed",
];

/// The figures the coverage export holds, as the GraphQL fragment that selects them.
const COVERAGE_FIGURES: &str = "
fragment F on CoverageFigures {
  regions population
  resvs {
    regionsWithResv populationCovered populationShare minimumCompositionMet
    byPhase { phase resvs population minimumCompositionMet }
    designCriteria { criterion met }
    mainTasks { task notStarted inProgress operational }
  }
  seats {
    multidisciplinarySeats disciplinesInMultidisciplinarySeats
    byDiscipline { discipline mandated pending withoutMandate empty }
  }
  subsidies { kind status suppressed applications requested { sum min max } granted { sum min max } }
  subsidyReach {
    kind appliedSuppressed regionsApplied populationApplied populationShareApplied
    regionsGranted populationGranted populationShareGranted
  }
  vouchers { discipline status suppressed vouchers amount }
  neighbourhoods {
    collaborations active population populationShare meetingMinimumComposition
    shareMeetingMinimumComposition populationMeetingMinimumComposition
  }
}";

/// The rows of the coverage export.
pub(super) async fn coverage_rows(
    schema: &RegistrySchema,
    db: &DatabaseConnection,
    viewer: &Viewer,
    request: &Request,
) -> Result<Vec<Vec<Value>>, Response> {
    let selections: Vec<String> = GROUPINGS
        .iter()
        .filter(|(name, _)| request.groupings.contains(name))
        .map(|(_, field)| match *field {
            "national" => "national { ...F }".to_owned(),
            "byCareOfficeRegion" => {
                "byCareOfficeRegion { key careOfficeRegion { code name } figures { ...F } }"
                    .to_owned()
            }
            "byRegion" => "byRegion { key region { code name } figures { ...F } }".to_owned(),
            other => format!("{other} {{ key figures {{ ...F }} }}"),
        })
        .collect();
    let query = format!(
        "query($asOf: Date) {{ coverage(asOf: $asOf) {{ asOf {} }} }} {COVERAGE_FIGURES}",
        selections.join(" ")
    );
    let data = run(
        schema,
        db,
        viewer,
        &query,
        json!({ "asOf": request.as_of.to_string() }),
    )
    .await?;
    let coverage = &data["coverage"];
    let as_of = coverage["asOf"].clone();
    let mut rows = Vec::new();
    for (name, field) in GROUPINGS {
        if !request.groupings.contains(&name) {
            continue;
        }
        let groups: Vec<(Value, Value, &Value)> = if field == "national" {
            vec![(json!(""), json!("Nederland"), &coverage["national"])]
        } else {
            coverage[field]
                .as_array()
                .map(|groups| {
                    groups
                        .iter()
                        .map(|g| {
                            let label = g["careOfficeRegion"]["name"]
                                .as_str()
                                .or_else(|| g["region"]["name"].as_str())
                                .or_else(|| g["key"].as_str())
                                .unwrap_or("");
                            (g["key"].clone(), json!(label), &g["figures"])
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        for (key, label, figures) in groups {
            for cell in cells(figures) {
                rows.push(vec![
                    as_of.clone(),
                    json!(name),
                    key.clone(),
                    label.clone(),
                    json!(cell.figure),
                    json!(cell.dimension),
                    json!(cell.category),
                    cell.value,
                    json!(cell.suppressed),
                ]);
            }
        }
    }
    Ok(rows)
}

/// One figure of a group: (figure, dimension, category) names it.
struct Cell {
    figure: &'static str,
    dimension: String,
    category: String,
    value: Value,
    suppressed: bool,
}

fn cell(figure: &'static str, dimension: &Value, category: &str, value: &Value) -> Cell {
    Cell {
        figure,
        dimension: dimension.as_str().unwrap_or("").to_owned(),
        category: category.to_owned(),
        value: value.clone(),
        suppressed: false,
    }
}

pub(super) fn list(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The cells of a `CoverageFigures` answer, in a fixed order.
fn cells(f: &Value) -> Vec<Cell> {
    let none = Value::Null;
    let mut out = vec![
        cell("regions", &none, "", &f["regions"]),
        cell("population", &none, "", &f["population"]),
    ];
    let resvs = &f["resvs"];
    for (figure, field) in [
        ("regions_with_resv", "regionsWithResv"),
        ("population_covered_by_resv", "populationCovered"),
        ("population_share_covered_by_resv", "populationShare"),
        ("resvs_meeting_minimum_composition", "minimumCompositionMet"),
    ] {
        out.push(cell(figure, &none, "", &resvs[field]));
    }
    for p in list(&resvs["byPhase"]) {
        out.push(cell("resvs_by_phase", &p["phase"], "", &p["resvs"]));
        out.push(cell(
            "population_by_phase",
            &p["phase"],
            "",
            &p["population"],
        ));
        out.push(cell(
            "resvs_meeting_minimum_composition_by_phase",
            &p["phase"],
            "",
            &p["minimumCompositionMet"],
        ));
    }
    for c in list(&resvs["designCriteria"]) {
        out.push(cell(
            "resvs_meeting_design_criterion",
            &c["criterion"],
            "",
            &c["met"],
        ));
    }
    for t in list(&resvs["mainTasks"]) {
        for (category, field) in [
            ("NOT_STARTED", "notStarted"),
            ("IN_PROGRESS", "inProgress"),
            ("OPERATIONAL", "operational"),
        ] {
            out.push(cell(
                "resvs_by_main_task_status",
                &t["task"],
                category,
                &t[field],
            ));
        }
    }
    let seats = &f["seats"];
    for d in list(&seats["byDiscipline"]) {
        for (category, field) in [
            ("MANDATED", "mandated"),
            ("PENDING", "pending"),
            ("NONE", "withoutMandate"),
            ("EMPTY", "empty"),
        ] {
            out.push(cell("seats", &d["discipline"], category, &d[field]));
        }
    }
    out.push(cell(
        "multidisciplinary_seats",
        &none,
        "",
        &seats["multidisciplinarySeats"],
    ));
    out.push(cell(
        "disciplines_in_multidisciplinary_seats",
        &none,
        "",
        &seats["disciplinesInMultidisciplinarySeats"],
    ));
    for s in list(&f["subsidies"]) {
        let status = s["status"].as_str().unwrap_or("");
        let suppressed = s["suppressed"] == true;
        let mut group = vec![cell(
            "subsidy_applications",
            &s["kind"],
            status,
            &s["applications"],
        )];
        for (side, sum, min, max) in [
            (
                "requested",
                "subsidy_requested_sum",
                "subsidy_requested_min",
                "subsidy_requested_max",
            ),
            (
                "granted",
                "subsidy_granted_sum",
                "subsidy_granted_min",
                "subsidy_granted_max",
            ),
        ] {
            group.push(cell(sum, &s["kind"], status, &s[side]["sum"]));
            group.push(cell(min, &s["kind"], status, &s[side]["min"]));
            group.push(cell(max, &s["kind"], status, &s[side]["max"]));
        }
        out.extend(group.into_iter().map(|c| Cell { suppressed, ..c }));
    }
    for r in list(&f["subsidyReach"]) {
        let suppressed = r["appliedSuppressed"] == true;
        for (figure, field) in [
            ("regions_applied", "regionsApplied"),
            ("population_applied", "populationApplied"),
            ("population_share_applied", "populationShareApplied"),
        ] {
            out.push(Cell {
                suppressed,
                ..cell(figure, &r["kind"], "", &r[field])
            });
        }
        for (figure, field) in [
            ("regions_granted", "regionsGranted"),
            ("population_granted", "populationGranted"),
            ("population_share_granted", "populationShareGranted"),
        ] {
            out.push(cell(figure, &r["kind"], "", &r[field]));
        }
    }
    for v in list(&f["vouchers"]) {
        let status = v["status"].as_str().unwrap_or("");
        let suppressed = v["suppressed"] == true;
        out.push(Cell {
            suppressed,
            ..cell("vouchers", &v["discipline"], status, &v["vouchers"])
        });
        out.push(Cell {
            suppressed,
            ..cell("voucher_amount", &v["discipline"], status, &v["amount"])
        });
    }
    let n = &f["neighbourhoods"];
    for (figure, field) in [
        ("neighbourhood_collaborations", "collaborations"),
        ("neighbourhood_collaborations_active", "active"),
        ("neighbourhood_population", "population"),
        ("neighbourhood_population_share", "populationShare"),
        (
            "neighbourhood_collaborations_meeting_minimum",
            "meetingMinimumComposition",
        ),
        (
            "neighbourhood_share_meeting_minimum",
            "shareMeetingMinimumComposition",
        ),
        (
            "neighbourhood_population_meeting_minimum",
            "populationMeetingMinimumComposition",
        ),
    ] {
        out.push(cell(figure, &none, "", &n[field]));
    }
    out
}
