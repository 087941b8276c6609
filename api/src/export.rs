//! Downloads for spreadsheets and scripts: `GET /export/coverage.{csv,json}` and
//! `GET /export/regions.{csv,json}`.
//!
//! An export is a view of a GraphQL answer to the same viewer, so it shows exactly what the API
//! would (rights, disclosure control) and cannot drift from it. Each file is a flat table; the
//! `.json` twin holds the same rows as objects, with numbers as numbers and money as the decimal
//! strings of the API. Bodies are streamed (regions page by page), and carry an `ETag` derived
//! from the registry's state, the request and the viewer, so an unchanged export is answered with
//! 304 before anything is computed.

use crate::access::{self, Viewer};
use crate::graphql::{self, RegistrySchema};
use crate::service::coverage as service;
use crate::{AppState, auth};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// What can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dataset {
    Coverage,
    Regions,
}

/// In which format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Format {
    Csv,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Json => "application/json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

fn parse_file(file: &str) -> Option<(Dataset, Format)> {
    let (name, extension) = file.rsplit_once('.')?;
    let dataset = match name {
        "coverage" => Dataset::Coverage,
        "regions" => Dataset::Regions,
        _ => return None,
    };
    let format = match extension {
        "csv" => Format::Csv,
        "json" => Format::Json,
        _ => return None,
    };
    Some((dataset, format))
}

/// A client error in the GraphQL error format.
fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

/// The columns of the coverage export.
const COVERAGE_COLUMNS: [&str; 9] = [
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

/// The columns of the regions export.
const REGION_COLUMNS: [&str; 17] = [
    "code",
    "name",
    "population_approx",
    "preferred_insurer",
    "mandate_municipality",
    "care_office_region_code",
    "care_office_region_name",
    "iza_region_code",
    "confidence",
    "source",
    "source_reference",
    "resv_name",
    "resv_phase",
    "resv_legal_form",
    "resv_established_on",
    "resv_contact_email",
    "implementation_subsidy_statuses",
];

/// The groupings of the coverage export, by their parameter names.
const GROUPINGS: [(&str, &str); 4] = [
    ("national", "national"),
    ("careOfficeRegion", "byCareOfficeRegion"),
    ("insurer", "byInsurer"),
    ("region", "byRegion"),
];

/// `GET /export/{file}`.
pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some((dataset, format)) = parse_file(&file) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!(
                "no export `{file}`; there are coverage.csv, coverage.json, regions.csv and regions.json"
            ),
        );
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    let viewer = match auth::authenticate(&state.verifier, authorization) {
        Ok(viewer) => viewer,
        Err(err) => return crate::unauthorized(&err),
    };
    let request = match Request::parse(dataset, &params) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message),
    };
    // Exports only read: from the replica when there is one.
    let reads = state.read_db.clone().unwrap_or_else(|| state.db.clone());
    let etag = match etag(&reads, &viewer, dataset, format, &request).await {
        Ok(etag) => etag,
        Err(err) => {
            tracing::error!(error = %err, "computing an export's ETag failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal server error",
            );
        }
    };
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let rows = match dataset {
            Dataset::Coverage => {
                match coverage_rows(&state.schema, &reads, &viewer, &request).await {
                    Ok(rows) => stream::iter(rows.into_iter().map(Ok)).boxed(),
                    Err(response) => return response,
                }
            }
            Dataset::Regions => region_rows(state.schema.clone(), reads.clone(), viewer).boxed(),
        };
        let columns: &'static [&'static str] = match dataset {
            Dataset::Coverage => &COVERAGE_COLUMNS,
            Dataset::Regions => &REGION_COLUMNS,
        };
        let filename = match dataset {
            Dataset::Coverage => format!("coverage-{}.{}", request.as_of, format.extension()),
            Dataset::Regions => format!("regions.{}", format.extension()),
        };
        let mut response = Body::from_stream(encode(columns, format, rows)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    // The answer depends on the token; caches must revalidate with the ETag.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Authorization"));
    response
}

/// The parameters of an export.
#[derive(Debug, Clone, Hash)]
struct Request {
    as_of: chrono::NaiveDate,
    groupings: Vec<&'static str>,
}

impl Request {
    fn parse(dataset: Dataset, params: &BTreeMap<String, String>) -> Result<Request, String> {
        let allowed: &[&str] = match dataset {
            Dataset::Coverage => &["asOf", "groupBy"],
            Dataset::Regions => &[],
        };
        if let Some(unknown) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "unknown parameter `{unknown}`; this export takes {}",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            ));
        }
        let as_of = match params.get("asOf") {
            None => chrono::Utc::now().date_naive(),
            Some(text) => {
                let day = text
                    .parse::<chrono::NaiveDate>()
                    .map_err(|_| format!("invalid asOf: `{text}` is not a date (YYYY-MM-DD)"))?;
                service::check_date("asOf", day).map_err(|e| e.to_string())?
            }
        };
        let groupings = match params.get("groupBy").map(String::as_str) {
            None | Some("all") => GROUPINGS.iter().map(|(name, _)| *name).collect(),
            Some(list) => list
                .split(',')
                .map(|name| {
                    GROUPINGS
                        .iter()
                        .find(|(known, _)| *known == name.trim())
                        .map(|(known, _)| *known)
                        .ok_or_else(|| {
                            format!(
                                "invalid groupBy: `{name}`; use all or a comma-separated list of national, careOfficeRegion, insurer, region"
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Request { as_of, groupings })
    }
}

/// A weak ETag over the registry's state (counts, last changes and versions of what the exports
/// show), the export, its parameters and the viewer's rights.
async fn etag(
    db: &DatabaseConnection,
    viewer: &Viewer,
    dataset: Dataset,
    format: Format,
    request: &Request,
) -> Result<String, sea_orm::DbErr> {
    let history = [
        "region",
        "resv",
        "seat",
        "seat_discipline",
        "subsidy",
        "voucher",
        "neighbourhood_collaboration",
        "nc_discipline",
    ]
    .iter()
    .map(|t| {
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(MAX(valid_from) AS BIGINT), \
             CAST(MAX(valid_to) AS BIGINT) FROM {t}_history"
        )
    });
    let live = ["region", "resv", "subsidy"].iter().map(|t| {
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(SUM(version) AS BIGINT), \
             CAST(MAX(id) AS BIGINT) FROM {t}"
        )
    });
    let sql = history.chain(live).collect::<Vec<_>>().join(" UNION ALL ");
    let txn = crate::db::begin_with_claims(db, &access::aggregate_claims()).await?;
    let rows = txn
        .query_all(Statement::from_string(txn.get_database_backend(), sql))
        .await?;
    txn.commit().await?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for row in rows {
        for i in 0..3 {
            row.try_get_by_index::<Option<i64>>(i)?.hash(&mut hasher);
        }
    }
    (dataset, format, request).hash(&mut hasher);
    access::claims(viewer).hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    Ok(format!("W/\"{:016x}\"", hasher.finish()))
}

/// Runs `query` as `viewer`; its data, or the response to send instead.
async fn run(
    schema: &RegistrySchema,
    db: &DatabaseConnection,
    viewer: &Viewer,
    query: &str,
    variables: Value,
) -> Result<Value, Response> {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let response = graphql::execute(schema, db.clone(), viewer.clone(), request).await;
    if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(|c| c.to_string().trim_matches('"').to_owned())
            .unwrap_or_else(|| "INTERNAL".to_owned());
        let status = if code == "INTERNAL" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        return Err(refuse(status, &code, error.message.clone()));
    }
    response.data.into_json().map_err(|_| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal server error",
        )
    })
}

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
async fn coverage_rows(
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

fn list(value: &Value) -> &[Value] {
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

/// Regions per page of the regions export.
const REGION_PAGE: usize = 100;

const REGIONS_QUERY: &str = "query($first: Int!, $after: String) {
  regions(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      code name populationApprox preferredInsurer mandateMunicipality confidence
      careOfficeRegion { code name } izaRegion { code }
      provenance { source reference }
      resv { name phase legalForm establishedOn contactEmail }
      subsidies { kind status }
    }
  }
}";

fn region_row(node: &Value) -> Vec<Value> {
    let statuses: Vec<&str> = list(&node["subsidies"])
        .iter()
        .filter(|s| s["kind"] == "IMPLEMENTATION")
        .filter_map(|s| s["status"].as_str())
        .collect();
    vec![
        node["code"].clone(),
        node["name"].clone(),
        node["populationApprox"].clone(),
        node["preferredInsurer"].clone(),
        node["mandateMunicipality"].clone(),
        node["careOfficeRegion"]["code"].clone(),
        node["careOfficeRegion"]["name"].clone(),
        node["izaRegion"]["code"].clone(),
        node["confidence"].clone(),
        node["provenance"]["source"].clone(),
        node["provenance"]["reference"].clone(),
        node["resv"]["name"].clone(),
        node["resv"]["phase"].clone(),
        node["resv"]["legalForm"].clone(),
        node["resv"]["establishedOn"].clone(),
        node["resv"]["contactEmail"].clone(),
        json!(statuses.join(";")),
    ]
}

/// The rows of the regions export, fetched a page at a time as the body is sent.
fn region_rows(
    schema: RegistrySchema,
    db: DatabaseConnection,
    viewer: Viewer,
) -> impl Stream<Item = Result<Vec<Value>, std::io::Error>> {
    stream::unfold(Some(None::<String>), move |after| {
        let (schema, db, viewer) = (schema.clone(), db.clone(), viewer.clone());
        async move {
            let after = after?;
            let page = run(
                &schema,
                &db,
                &viewer,
                REGIONS_QUERY,
                json!({ "first": REGION_PAGE, "after": after }),
            )
            .await;
            let data = match page {
                Ok(data) => data,
                Err(_) => {
                    let failure = std::io::Error::other("reading a page of regions failed");
                    return Some((vec![Err(failure)], None));
                }
            };
            let regions = &data["regions"];
            let rows = list(&regions["nodes"])
                .iter()
                .map(|n| Ok(region_row(n)))
                .collect();
            let next = (regions["pageInfo"]["hasNextPage"] == true)
                .then(|| regions["pageInfo"]["endCursor"].as_str().map(str::to_owned));
            Some((rows, next))
        }
    })
    .flat_map(stream::iter)
}

/// The body: a header and the rows as CSV, or a JSON array of objects, in chunks.
fn encode(
    columns: &'static [&'static str],
    format: Format,
    rows: impl Stream<Item = Result<Vec<Value>, std::io::Error>> + Send + 'static,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let head = match format {
        Format::Csv => csv_line(columns.iter().map(|c| Value::from(*c))),
        Format::Json => b"[".to_vec(),
    };
    let tail = match format {
        Format::Csv => Vec::new(),
        Format::Json => b"\n]\n".to_vec(),
    };
    let body = rows.chunks(200).enumerate().map(move |(chunk, rows)| {
        let mut out = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            let row = row?;
            match format {
                Format::Csv => out.extend(csv_line(row.into_iter())),
                Format::Json => {
                    if chunk > 0 || i > 0 {
                        out.push(b',');
                    }
                    out.extend(b"\n  ");
                    let object: serde_json::Map<String, Value> =
                        columns.iter().map(|c| (*c).to_owned()).zip(row).collect();
                    out.extend(serde_json::to_vec(&object).map_err(std::io::Error::other)?);
                }
            }
        }
        Ok(out)
    });
    stream::once(async move { Ok(head) })
        .chain(body)
        .chain(stream::once(async move { Ok(tail) }))
}

/// One CSV record (RFC 4180, CRLF line ends), null as an empty field.
fn csv_line(values: impl Iterator<Item = Value>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fields: Vec<String> = values
        .map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    // Writing to memory cannot fail; an empty line would show if it did.
    let _ = writer.write_record(&fields);
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_name_a_dataset_and_a_format() {
        assert_eq!(
            parse_file("coverage.csv"),
            Some((Dataset::Coverage, Format::Csv))
        );
        assert_eq!(
            parse_file("regions.json"),
            Some((Dataset::Regions, Format::Json))
        );
        assert_eq!(parse_file("regions.xlsx"), None);
        assert_eq!(parse_file("subsidies.csv"), None);
        assert_eq!(parse_file("coverage"), None);
    }

    #[test]
    fn csv_fields_are_quoted_where_needed() {
        let line = csv_line([json!("a,b"), json!(null), json!(3), json!("say \"hi\"")].into_iter());
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            "\"a,b\",,3,\"say \"\"hi\"\"\"\r\n"
        );
    }

    #[test]
    fn parameters_are_checked() {
        let params = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert!(Request::parse(Dataset::Coverage, &params(&[("asOf", "2025-07-01")])).is_ok());
        assert!(Request::parse(Dataset::Coverage, &params(&[("asOf", "July")])).is_err());
        assert!(Request::parse(Dataset::Coverage, &params(&[("groupBy", "province")])).is_err());
        assert!(Request::parse(Dataset::Regions, &params(&[("asOf", "2025-07-01")])).is_err());
        let request = Request::parse(
            Dataset::Coverage,
            &params(&[("groupBy", "national,region")]),
        )
        .expect("valid");
        assert_eq!(request.groupings, vec!["national", "region"]);
    }
}
