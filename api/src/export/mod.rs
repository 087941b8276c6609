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
use futures::stream::{self, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

mod coverage;
mod rows;
mod specs;

pub use specs::{ENTITIES, EntityExport, REFERENCE};

use coverage::{COVERAGE_COLUMNS, coverage_rows};
use rows::{encode, entity_rows};
use specs::visible_columns;

/// What can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dataset {
    Coverage,
    Entity(&'static EntityExport),
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

/// The groupings of the coverage export, by their parameter names.
pub(super) const GROUPINGS: [(&str, &str); 4] = [
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
    // Counted as they are written: what the export cost, charged to the viewer's quota.
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = written.clone();
    let rows = rows.inspect(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    // The ETag is a digest of the bytes this viewer receives: it changes when they do, and only
    // then (a change the viewer cannot see leaves it as it was).
    let body: Vec<u8> = match encode(columns, format, rows.boxed()).try_concat().await {
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
    let rows = Rows(written.load(std::sync::atomic::Ordering::Relaxed));
    if matches(&etag) {
        let mut response = not_modified(&etag);
        response.extensions_mut().insert(rows);
        return response;
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
    response.extensions_mut().insert(rows);
    with_validators(response, &etag)
}

/// The rows an export wrote, in its response's extensions: what the admission charges for it.
#[derive(Debug, Clone, Copy)]
pub struct Rows(pub usize);

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
    // The export's own documents: their size follows the registry's (a row per region, group or
    // record), not a client's choice, so the cost limit does not apply; the rows it streams are
    // charged to the viewer's quota instead.
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables))
        .data(graphql::cost::Trusted);
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

#[cfg(test)]
mod tests {
    use super::rows::{csv_line, lookup};
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
    fn csv_text_cells_a_spreadsheet_would_run_are_marked_numbers_are_not() {
        let line = csv_line([json!("=1+1"), json!(-3), json!("-3"), json!("-x")].into_iter());
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            "'=1+1,-3,-3,'-x\r\n"
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
