//! Downloads for spreadsheets and scripts: `GET /export/coverage.{csv,json}` and
//! `GET /export/regions.{csv,json}`.
//!
//! An export is a view of a GraphQL answer to the same viewer, so it shows exactly what the API
//! would (rights, disclosure control) and cannot drift from it. Each file is a flat table; the
//! `.json` twin holds the same rows as objects, with numbers as numbers and money as the decimal
//! strings of the API. Rows are read page by page; the answer carries an `ETag` that is a digest
//! of the bytes the viewer receives, so it changes when they do and only then (a change the viewer
//! cannot see leaves it alone). With the response cache on, the ETag of each viewer's export is
//! kept per data version, so an unchanged export is answered with 304 before anything is computed.

use crate::access::{self, Viewer};
use crate::graphql::{self, RegistrySchema};
use crate::service::coverage as service;
use crate::state::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use futures::stream::{self, Stream, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// What can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dataset {
    Coverage,
    Entity(&'static EntityExport),
}

/// The export of one kind of registry object: a page-by-page GraphQL query and its columns.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EntityExport {
    /// The file's name (`resvs` for `resvs.csv`).
    pub name: &'static str,
    /// The root connection field the query pages through.
    field: &'static str,
    /// Further arguments of that field (`, filter: {...}`).
    arguments: &'static str,
    /// The selection of each node.
    selection: &'static str,
    /// One row per item of this list of a node (its node is then `^` in column paths).
    nested: Option<&'static str>,
    /// Whether the root field is a connection read page by page (else a plain list).
    paged: bool,
    /// Columns: name and path into the row (`a.b`; `list[].x` joins the items with `;`;
    /// `list[key=VALUE].x` keeps the items whose `key` is VALUE; `^` starts at the parent node).
    columns: &'static [(&'static str, &'static str)],
}

/// Every object the registry exports, with its provenance.
pub const ENTITIES: &[EntityExport] = &[
    EntityExport {
        name: "regions",
        field: "regions",
        arguments: ", filter: { includeRetired: true }",
        selection: "code name populationApprox preferredInsurer mandateMunicipality confidence notes
            careOfficeRegion { code name } izaRegion { code }
            provenance { source reference importedAt importedBy } retiredOn version
            resv { name phase legalForm establishedOn contactEmail }
            subsidies { kind status }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("population_approx", "populationApprox"),
            ("preferred_insurer", "preferredInsurer"),
            ("mandate_municipality", "mandateMunicipality"),
            ("care_office_region_code", "careOfficeRegion.code"),
            ("care_office_region_name", "careOfficeRegion.name"),
            ("iza_region_code", "izaRegion.code"),
            ("confidence", "confidence"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("retired_on", "retiredOn"),
            ("version", "version"),
            ("resv_name", "resv.name"),
            ("resv_phase", "resv.phase"),
            ("resv_legal_form", "resv.legalForm"),
            ("resv_established_on", "resv.establishedOn"),
            ("resv_contact_email", "resv.contactEmail"),
            ("implementation_subsidy_statuses", "subsidies[kind=IMPLEMENTATION].status"),
        ],
    },
    EntityExport {
        name: "resvs",
        field: "resvs",
        arguments: "",
        selection: "region { code } name legalForm treasurer phase establishedOn contractedFrom
            mainTasks { mandate capacityAccess careAgreements neighbourhoodSupport facilitation }
            designCriteria { criterion met note }
            citizenParticipation website contactName contactEmail internalNotes
            provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("name", "name"),
            ("legal_form", "legalForm"),
            ("treasurer", "treasurer"),
            ("phase", "phase"),
            ("established_on", "establishedOn"),
            ("contracted_from", "contractedFrom"),
            ("task_mandate", "mainTasks.mandate"),
            ("task_capacity_access", "mainTasks.capacityAccess"),
            ("task_care_agreements", "mainTasks.careAgreements"),
            ("task_neighbourhood_support", "mainTasks.neighbourhoodSupport"),
            ("task_facilitation", "mainTasks.facilitation"),
            ("criteria_met", "designCriteria[met=true].criterion"),
            ("criterion_core_disciplines_note", "designCriteria[criterion=CORE_DISCIPLINES].note"),
            ("criterion_mandated_representation_note", "designCriteria[criterion=MANDATED_REPRESENTATION].note"),
            ("criterion_multidisciplinary_governance_note", "designCriteria[criterion=MULTIDISCIPLINARY_GOVERNANCE].note"),
            ("criterion_regional_agenda_note", "designCriteria[criterion=REGIONAL_AGENDA].note"),
            ("criterion_citizen_participation_note", "designCriteria[criterion=CITIZEN_PARTICIPATION].note"),
            ("citizen_participation", "citizenParticipation"),
            ("website", "website"),
            ("contact_name", "contactName"),
            ("contact_email", "contactEmail"),
            ("internal_notes", "internalNotes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "seats",
        field: "resvs",
        arguments: "",
        selection: "region { code }
            seats { organisation mandateStatus since delegateName delegateEmail
                    disciplines { code } multidisciplinary provenance { source reference importedAt importedBy } version }",
        nested: Some("seats"),
        paged: true,
        columns: &[
            ("region_code", "^region.code"),
            ("organisation", "organisation"),
            ("disciplines", "disciplines[].code"),
            ("multidisciplinary", "multidisciplinary"),
            ("mandate_status", "mandateStatus"),
            ("since", "since"),
            ("delegate_name", "delegateName"),
            ("delegate_email", "delegateEmail"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "agreements",
        field: "resvs",
        arguments: "",
        selection: "region { code }
            agreements { topic level status agreedOn disciplines { code }
                         provenance { source reference importedAt importedBy } version }",
        nested: Some("agreements"),
        paged: true,
        columns: &[
            ("region_code", "^region.code"),
            ("topic", "topic"),
            ("level", "level"),
            ("status", "status"),
            ("agreed_on", "agreedOn"),
            ("disciplines", "disciplines[].code"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "regional-table",
        field: "regions",
        arguments: ", filter: { includeRetired: true }",
        selection: "code regionalTable { kind organisation provenance { source reference importedAt importedBy } version }",
        nested: Some("regionalTable"),
        paged: true,
        columns: &[
            ("region_code", "^code"),
            ("kind", "kind"),
            ("organisation", "organisation"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "subsidies",
        field: "subsidies",
        arguments: "",
        selection: "region { code } kind status applicant amountRequested amountGranted appliedOn
            decidedOn periodStart periodEnd zonmwReference provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("kind", "kind"),
            ("status", "status"),
            ("applicant", "applicant"),
            ("amount_requested", "amountRequested"),
            ("amount_granted", "amountGranted"),
            ("applied_on", "appliedOn"),
            ("decided_on", "decidedOn"),
            ("period_start", "periodStart"),
            ("period_end", "periodEnd"),
            ("zonmw_reference", "zonmwReference"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "vouchers",
        field: "vouchers",
        arguments: "",
        selection: "region { code } discipline { code } status applicant amount appliedOn decidedOn
            provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("discipline", "discipline.code"),
            ("status", "status"),
            ("applicant", "applicant"),
            ("amount", "amount"),
            ("applied_on", "appliedOn"),
            ("decided_on", "decidedOn"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "neighbourhood-collaborations",
        field: "neighbourhoodCollaborations",
        arguments: "",
        selection: "region { code } name area population status establishedOn disciplines { code }
            meetsMinimumComposition provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("name", "name"),
            ("area", "area"),
            ("population", "population"),
            ("status", "status"),
            ("established_on", "establishedOn"),
            ("disciplines", "disciplines[].code"),
            ("meets_minimum_composition", "meetsMinimumComposition"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "learning-materials",
        field: "learningMaterials",
        arguments: "",
        selection: "kind title summary url publishedOn eventStartsAt visibility themes
            regions { code } provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("kind", "kind"),
            ("title", "title"),
            ("summary", "summary"),
            ("url", "url"),
            ("published_on", "publishedOn"),
            ("event_starts_at", "eventStartsAt"),
            ("visibility", "visibility"),
            ("themes", "themes[]"),
            ("region_codes", "regions[].code"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    // The reference data `api migrate` brings: an export carries it, so it says what it holds.
    EntityExport {
        name: "disciplines",
        field: "disciplines",
        arguments: "",
        selection: "code name nameNl paramedical minimumComposition",
        nested: None,
        paged: false,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("name_nl", "nameNl"),
            ("paramedical", "paramedical"),
            ("minimum_composition", "minimumComposition"),
        ],
    },
    EntityExport {
        name: "care-office-regions",
        field: "careOfficeRegions",
        arguments: "",
        selection: "code name insurer populationApprox notes provenance { source reference }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("insurer", "insurer"),
            ("population_approx", "populationApprox"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
        ],
    },
    EntityExport {
        name: "iza-regions",
        field: "izaRegions",
        arguments: "",
        selection: "code name careOfficeRegion { code } mandateMunicipality spukIza2025 spukIza2026
            populationApprox notes provenance { source reference }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("care_office_region_code", "careOfficeRegion.code"),
            ("mandate_municipality", "mandateMunicipality"),
            ("spuk_iza_2025", "spukIza2025"),
            ("spuk_iza_2026", "spukIza2026"),
            ("population_approx", "populationApprox"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
        ],
    },
];

/// The reference data among [`ENTITIES`]: an import checks it against the registry's own.
pub const REFERENCE: [&str; 3] = ["disciplines", "care-office-regions", "iza-regions"];

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
        other => Dataset::Entity(ENTITIES.iter().find(|e| e.name == other)?),
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

/// The groupings of the coverage export, by their parameter names.
const GROUPINGS: [(&str, &str); 4] = [
    ("national", "national"),
    ("careOfficeRegion", "byCareOfficeRegion"),
    ("insurer", "byInsurer"),
    ("region", "byRegion"),
];

/// `GET /export/{file}` with the query parameters `params`, as `viewer` (admitted by the
/// transport).
pub async fn download(
    state: &AppState,
    viewer: &Viewer,
    file: &str,
    params: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    let Some((dataset, format)) = parse_file(file) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!(
                "no export `{file}`; there are coverage and {}, each as .csv or .json",
                ENTITIES
                    .iter()
                    .map(|e| e.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    };
    let request = match Request::parse(dataset, params) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message),
    };
    // Exports only read: from the replica when there is one.
    let reads = state.read_db.clone().unwrap_or_else(|| state.db.clone());
    let asked = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let matches = |etag: &str| {
        asked
            .as_deref()
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    };
    // The ETag this viewer's export had at the current data version, if one was made: the same
    // data, rights and request give the same bytes, so a match is 304 before anything is computed.
    let memo = {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (dataset, format, &request, access::claims(viewer)).hash(&mut hasher);
        state
            .cache
            .derived_key(&format!("export-etag\u{0}{:016x}", hasher.finish()))
    };
    let known = memo
        .as_deref()
        .and_then(|key| state.cache.get(key))
        .and_then(|hit| String::from_utf8(hit.body.to_vec()).ok());
    if let Some(etag) = known.filter(|etag| matches(etag)) {
        return not_modified(&etag);
    }
    let rows = match dataset {
        Dataset::Coverage => match coverage_rows(&state.schema, &reads, viewer, &request).await {
            Ok(rows) => stream::iter(rows.into_iter().map(Ok)).boxed(),
            Err(response) => return response,
        },
        Dataset::Entity(spec) => {
            entity_rows(state.schema.clone(), reads.clone(), viewer.clone(), spec).boxed()
        }
    };
    let columns: Vec<&'static str> = match dataset {
        Dataset::Coverage => COVERAGE_COLUMNS.to_vec(),
        Dataset::Entity(spec) => visible_columns(spec, viewer)
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
    };
    // The ETag is a digest of the bytes this viewer receives: it changes when they do, and only
    // then (a change the viewer cannot see leaves it as it was).
    let body: Vec<u8> = match encode(columns, format, rows).try_concat().await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "building an export failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal server error",
            );
        }
    };
    let etag = etag_of(format, &body);
    if let Some(key) = memo {
        state.cache.put(
            key,
            crate::cache::Cached {
                body: axum::body::Bytes::from(etag.clone()),
            },
        );
    }
    if matches(&etag) {
        return not_modified(&etag);
    }
    let filename = match dataset {
        Dataset::Coverage => format!("coverage-{}.{}", request.as_of, format.extension()),
        Dataset::Entity(spec) => format!("{}.{}", spec.name, format.extension()),
    };
    let mut response = Body::from(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    with_validators(response, &etag)
}

/// `304 Not Modified` for `etag`.
fn not_modified(etag: &str) -> Response {
    with_validators(StatusCode::NOT_MODIFIED.into_response(), etag)
}

/// The ETag of an export: a digest of its bytes (and its media type).
fn etag_of(format: Format, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(format.content_type())
        .chain_update(body)
        .finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Sets the ETag and the caching rules of an export's answer.
fn with_validators(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
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
            Dataset::Entity(_) => &[],
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

/// Writes every entity export to `dir` as `{name}.{csv,json}`, read with `viewer`'s rights
/// (`api export`); returns the files and their row counts.
pub async fn write_all(
    db: &DatabaseConnection,
    viewer: &Viewer,
    dir: &std::path::Path,
    json_format: bool,
) -> anyhow::Result<Vec<(std::path::PathBuf, usize)>> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let schema = graphql::schema();
    let format = if json_format {
        Format::Json
    } else {
        Format::Csv
    };
    let mut written = Vec::new();
    for spec in ENTITIES {
        let path = dir.join(format!("{}.{}", spec.name, format.extension()));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let rows = write_one(&schema, db, viewer, spec, format, &mut file).await?;
        file.flush()?;
        written.push((path, rows));
    }
    Ok(written)
}

/// The export `name` (`regions`, ...) as `viewer` would download it, as CSV or JSON bytes.
pub async fn bytes_of(
    db: &DatabaseConnection,
    viewer: &Viewer,
    name: &str,
    json_format: bool,
) -> anyhow::Result<Vec<u8>> {
    let spec = ENTITIES
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| anyhow::anyhow!("no export `{name}`"))?;
    let format = if json_format {
        Format::Json
    } else {
        Format::Csv
    };
    let mut out = Vec::new();
    write_one(&graphql::schema(), db, viewer, spec, format, &mut out).await?;
    Ok(out)
}

/// Writes the export of `spec` to `out`; the number of rows.
async fn write_one(
    schema: &RegistrySchema,
    db: &DatabaseConnection,
    viewer: &Viewer,
    spec: &'static EntityExport,
    format: Format,
    out: &mut impl std::io::Write,
) -> anyhow::Result<usize> {
    let rows = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = {
        let rows = rows.clone();
        entity_rows(schema.clone(), db.clone(), viewer.clone(), spec).inspect(move |row| {
            if row.is_ok() {
                rows.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        })
    };
    let columns = visible_columns(spec, viewer)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut chunks = std::pin::pin!(encode(columns, format, counted));
    while let Some(chunk) = chunks.next().await {
        out.write_all(&chunk?)?;
    }
    Ok(rows.load(std::sync::atomic::Ordering::Relaxed))
}

/// Columns that only some viewers may read, and what it takes to read them in every row.
const RESTRICTED: [(&str, access::Restricted); 7] = [
    ("contact_name", access::Restricted::Contacts),
    ("contact_email", access::Restricted::Contacts),
    ("resv_contact_email", access::Restricted::Contacts),
    ("delegate_name", access::Restricted::Contacts),
    ("delegate_email", access::Restricted::Contacts),
    ("internal_notes", access::Restricted::InternalNotes),
    ("imported_by", access::Restricted::Audit),
];

/// The columns of `spec` that `viewer` may read in every row. A column the viewer may read in
/// some rows only, or in none, is left out of the file rather than written empty: an empty cell
/// means "clear" to an import, so a file exported with fewer rights imports without erasing what
/// its exporter could not see.
fn visible_columns(spec: &EntityExport, viewer: &Viewer) -> Vec<(&'static str, &'static str)> {
    spec.columns
        .iter()
        .filter(|(name, _)| {
            RESTRICTED
                .iter()
                .find(|(restricted, _)| restricted == name)
                .is_none_or(|(_, what)| access::sees_everywhere(viewer, *what))
        })
        .copied()
        .collect()
}

/// Objects per page of an entity export.
const PAGE: usize = 100;

/// The value at `path` in `node` (see [`EntityExport::columns`]).
fn lookup(node: &Value, parent: &Value, path: &str) -> Value {
    let (mut current, path) = match path.strip_prefix('^') {
        Some(rest) => (parent.clone(), rest),
        None => (node.clone(), path),
    };
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let Some((name, filter)) = segment.split_once('[') else {
            current = current[segment].clone();
            continue;
        };
        let filter = filter.trim_end_matches(']');
        let rest: Vec<&str> = segments.by_ref().collect();
        let items: Vec<String> = list(&current[name])
            .iter()
            .filter(|item| match filter.split_once('=') {
                Some((key, value)) => match &item[key] {
                    Value::String(s) => s == value,
                    Value::Bool(b) => value.parse::<bool>().ok() == Some(*b),
                    Value::Number(n) => value.parse::<f64>().ok() == n.as_f64(),
                    _ => false,
                },
                None => true,
            })
            .filter_map(|item| {
                let value = if rest.is_empty() {
                    item.clone()
                } else {
                    lookup(item, &Value::Null, &rest.join("."))
                };
                // A missing value is an empty cell, not the text `null`.
                match value {
                    Value::Null => None,
                    Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                }
            })
            .collect();
        return json!(items.join(";"));
    }
    current
}

/// The rows of an entity export, fetched a page at a time as the body is sent.
fn entity_rows(
    schema: RegistrySchema,
    db: DatabaseConnection,
    viewer: Viewer,
    spec: &'static EntityExport,
) -> impl Stream<Item = Result<Vec<Value>, std::io::Error>> {
    let query = if spec.paged {
        format!(
            "query($first: Int!, $after: String) {{ {}(first: $first, after: $after{}) {{
               pageInfo {{ hasNextPage endCursor }} nodes {{ {} }} }} }}",
            spec.field, spec.arguments, spec.selection
        )
    } else {
        format!(
            "{{ {}{} {{ {} }} }}",
            spec.field, spec.arguments, spec.selection
        )
    };
    let columns = visible_columns(spec, &viewer);
    stream::unfold(Some(None::<String>), move |after| {
        let (schema, db, viewer, query, columns) = (
            schema.clone(),
            db.clone(),
            viewer.clone(),
            query.clone(),
            columns.clone(),
        );
        async move {
            let after = after?;
            let variables = json!({ "first": PAGE, "after": after });
            let data = match run(&schema, &db, &viewer, &query, variables).await {
                Ok(data) => data,
                Err(_) => {
                    let failure =
                        std::io::Error::other(format!("reading a page of {} failed", spec.name));
                    return Some((vec![Err(failure)], None));
                }
            };
            // A plain list is one page of nodes.
            let page = match spec.paged {
                true => data[spec.field].clone(),
                false => json!({ "nodes": data[spec.field] }),
            };
            let page = &page;
            let row = |node: &Value, parent: &Value| -> Vec<Value> {
                columns
                    .iter()
                    .map(|(_, path)| lookup(node, parent, path))
                    .collect()
            };
            let rows: Vec<Result<Vec<Value>, std::io::Error>> = list(&page["nodes"])
                .iter()
                .flat_map(|node| match spec.nested {
                    Some(field) => list(&node[field])
                        .iter()
                        .map(|item| Ok(row(item, node)))
                        .collect(),
                    None => vec![Ok(row(node, &Value::Null))],
                })
                .collect();
            let next = (page["pageInfo"]["hasNextPage"] == true)
                .then(|| page["pageInfo"]["endCursor"].as_str().map(str::to_owned));
            Some((rows, next))
        }
    })
    .flat_map(stream::iter)
}

/// The body: a header and the rows as CSV, or a JSON array of objects, in chunks.
fn encode(
    columns: Vec<&'static str>,
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
            Some((Dataset::Entity(&ENTITIES[0]), Format::Json))
        );
        assert!(parse_file("neighbourhood-collaborations.csv").is_some());
        assert_eq!(parse_file("regions.xlsx"), None);
        assert_eq!(parse_file("budgets.csv"), None);
        assert_eq!(parse_file("coverage"), None);
    }

    #[test]
    fn column_paths_reach_into_nodes_lists_and_parents() {
        let node = json!({
            "a": { "b": 1 },
            "list": [{ "k": "X", "v": "one" }, { "k": "Y", "v": "two" }, { "k": "X", "v": "three" }],
            "tags": ["p", "q"],
            "flags": [{ "on": true, "n": "f1" }, { "on": false, "n": "f2" }],
        });
        let parent = json!({ "code": "R01" });
        assert_eq!(lookup(&node, &parent, "a.b"), json!(1));
        assert_eq!(lookup(&node, &parent, "a.missing"), Value::Null);
        assert_eq!(lookup(&node, &parent, "list[].v"), json!("one;two;three"));
        assert_eq!(lookup(&node, &parent, "list[k=X].v"), json!("one;three"));
        assert_eq!(lookup(&node, &parent, "flags[on=true].n"), json!("f1"));
        assert_eq!(lookup(&node, &parent, "tags[]"), json!("p;q"));
        assert_eq!(lookup(&node, &parent, "^code"), json!("R01"));
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
        assert!(
            Request::parse(
                Dataset::Entity(&ENTITIES[0]),
                &params(&[("asOf", "2025-07-01")])
            )
            .is_err()
        );
        let request = Request::parse(
            Dataset::Coverage,
            &params(&[("groupBy", "national,region")]),
        )
        .expect("valid");
        assert_eq!(request.groupings, vec!["national", "region"]);
    }
}
