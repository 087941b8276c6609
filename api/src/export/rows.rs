//! The rows of an entity export, read page by page from GraphQL answers, and their encoding as
//! CSV or JSON.

use super::coverage::list;
use super::specs::{EntityExport, visible_columns};
use super::{Format, run};
use crate::access::Viewer;
use crate::graphql::RegistrySchema;
use crate::service::csv_cells;
use futures::stream::{self, Stream, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

/// Objects per page of an entity export.
const PAGE: usize = 100;

/// The value at `path` in `node` (see [`EntityExport::columns`]).
pub(super) fn lookup(node: &Value, parent: &Value, path: &str) -> Value {
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
pub(super) fn entity_rows(
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
pub(super) fn encode(
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

/// One CSV record (RFC 4180, CRLF line ends), null as an empty field, a text a spreadsheet would
/// run as a formula marked as text (see [`csv_cells`]); numbers are written as they are.
pub(super) fn csv_line(values: impl Iterator<Item = Value>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fields: Vec<String> = values
        .map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => csv_cells::neutralised(&s).into_owned(),
            other => other.to_string(),
        })
        .collect();
    // Writing to memory cannot fail; an empty line would show if it did.
    let _ = writer.write_record(&fields);
    writer.into_inner().unwrap_or_default()
}
