//! What every kind's import shares: the context of a file, reading its rows, and writing them
//! through the write pipeline ([`record`]).

use super::row::Row;
use super::table::{Cleared, Problem, Report, Table};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::record::{self, Outcome, Record, Stamp, Writer};
use entity::region;
use sea_orm::DatabaseTransaction;
use std::collections::{HashMap, HashSet};

/// Everything an importer of one kind needs.
pub struct Ctx<'a> {
    pub txn: &'a DatabaseTransaction,
    pub viewer: &'a Viewer,
    pub table: &'a Table,
    /// The reference a row without one of its own is given: the file's name; empty in a
    /// restore, where a row keeps the reference (or none) its export carries.
    pub file_name: &'a str,
    /// A restore: each row keeps the version and import provenance its export carries.
    pub restore: bool,
    pub report: &'a mut Report,
}

/// Checks every row with `check`, which returns the row's key and value; rows with problems
/// or a key seen before are reported. Returns the checked rows, in file order.
pub(crate) fn checked<T>(
    ctx: &mut Ctx<'_>,
    key_columns: &str,
    mut check: impl FnMut(&Row<'_>) -> Option<(String, T)>,
) -> Vec<(usize, T)> {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for i in 0..ctx.table.rows.len() {
        let row = Row::new(ctx.table, i);
        let value = check(&row);
        let n = row.n;
        let mut problems = row.into_problems();
        if let (true, Some((key, value))) = (problems.is_empty(), value) {
            if seen.insert(key.clone()) {
                rows.push((n, value));
            } else {
                problems.push(Problem {
                    row: n,
                    column: Some(key_columns.to_owned()),
                    message: format!("`{key}` occurs twice in the file"),
                });
            }
        }
        ctx.report.problems.extend(problems);
    }
    rows
}

/// Link rows as sorted lists per parent id (a seat's disciplines, a material's themes).
pub(crate) fn grouped<T: Ord>(pairs: impl IntoIterator<Item = (i32, T)>) -> HashMap<i32, Vec<T>> {
    let mut groups: HashMap<i32, Vec<T>> = HashMap::new();
    for (parent, item) in pairs {
        groups.entry(parent).or_default().push(item);
    }
    for group in groups.values_mut() {
        group.sort();
    }
    groups
}

/// Regions by code (retired ones too) for `viewer`.
pub(crate) async fn regions_by_code(ctx: &Ctx<'_>) -> ApiResult<HashMap<String, region::Model>> {
    Ok(access::regions(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect())
}

/// The region of a row's `region_code`, or a problem.
pub(crate) fn region_of<'m>(
    row: &Row<'_>,
    regions: &'m HashMap<String, region::Model>,
) -> Option<&'m region::Model> {
    let code = row.text("region_code", 16);
    let found = regions.get(&code);
    if found.is_none() && !code.is_empty() {
        row.bad("region_code", format!("no region with code `{code}`"));
    }
    found
}

/// Writes the rows of a file through the write pipeline: first the kind's rules on every row read, so
/// the report names each problem before anything is written; then, if there are none, each row is
/// created or stored over the record with its natural key (`existing`). A refusal while writing
/// (a rule between rows of the file, a concurrent change) is reported on its row and ends the
/// import, which is then rolled back.
pub(crate) async fn write_rows<R: Record>(
    ctx: &mut Ctx<'_>,
    mut rows: Vec<(usize, (Option<R>, R))>,
) -> ApiResult<()> {
    let w = Writer::importing(ctx.txn, ctx.viewer);
    let mut stamps = Vec::with_capacity(rows.len());
    for (n, _) in &rows {
        let row = Row::new(ctx.table, n - 1);
        let stamp = ctx.restore.then(|| stamp_of(&row, w.at));
        ctx.report.problems.extend(row.into_problems());
        stamps.push(stamp);
    }
    // Rows that could be read are checked even when others could not: the report names all.
    for (n, (existing, record)) in rows.iter_mut() {
        for p in record::problems(&w, record, existing.as_ref()).await? {
            ctx.report.problems.push(Problem {
                row: *n,
                column: Some(p.field.to_owned()),
                message: p.message,
            });
        }
    }
    if !ctx.report.problems.is_empty() {
        // In file order, a row's own problems in the order found.
        ctx.report.problems.sort_by_key(|p| p.row);
        return Ok(());
    }
    for ((n, (existing, record)), stamp) in rows.into_iter().zip(stamps) {
        let before = existing.clone();
        match record::put(&w, existing, record, stamp).await {
            Ok(Outcome::Created(_)) => ctx.report.created += 1,
            Ok(Outcome::Updated(after)) => {
                ctx.report.updated += 1;
                if let Some(before) = before {
                    ctx.report.cleared.extend(
                        cleared(&before, &after)
                            .into_iter()
                            .map(|field| Cleared { row: n, field }),
                    );
                }
            }
            Ok(Outcome::Unchanged(_)) => ctx.report.unchanged += 1,
            Err(err @ (ApiError::Invalid { .. } | ApiError::Conflict(_))) => {
                let column = match &err {
                    ApiError::Invalid { field, .. } => Some(field.clone()),
                    _ => None,
                };
                ctx.report.problems.push(Problem {
                    row: n,
                    column,
                    message: err.to_string(),
                });
                break;
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// The stamp a restored row keeps: its `version` (1 when the file has none), and its import
/// provenance (`imported_at`, `imported_by`); a row without `imported_at` is stamped `at`.
fn stamp_of(row: &Row<'_>, at: chrono::DateTime<chrono::Utc>) -> Stamp {
    let version = row
        .int("version", 1, i64::from(i32::MAX))
        .flatten()
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(1);
    Stamp {
        version,
        at: row.opt_moment("imported_at").flatten().unwrap_or(at),
        imported_by: row.optional("imported_by"),
    }
}

/// The fields of `before` that hold a value (or a non-empty list) and `after` empties.
fn cleared<R: serde::Serialize>(before: &R, after: &R) -> Vec<String> {
    use serde_json::Value;
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    before
        .iter()
        .filter(|(field, value)| !empty(value) && after.get(*field).is_none_or(empty))
        .map(|(field, _)| field.clone())
        .collect()
}
