//! Importing official data: ZonMw's subsidy decisions, kept in spreadsheets today.
//!
//! A file is CSV (comma or semicolon separated, as Dutch spreadsheets write it, with or without a
//! UTF-8 byte-order mark) or a JSON array of objects, with the columns of the matching export.
//! Rows are matched on their natural key (the ZonMw reference) and inserted or updated, so
//! importing the same file twice changes nothing. A file is checked whole first: with any problem
//! nothing is written and the report names each row, column and problem; otherwise it is applied
//! in one transaction, each change with its audit entry.

use super::edit_subsidies::subsidy_range;
use super::import_registry::Ctx;
use super::import_row::Columns;
use super::write::{Action, audit, insert_new, now, save_versioned};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::{HashMap, HashSet};

/// A problem with a file: the data row (1 for the first row after the header; 0 for the file
/// itself), the column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.column, self.row) {
            (Some(column), 0) => write!(f, "column {column}: {}", self.message),
            (Some(column), row) => write!(f, "row {row}, column {column}: {}", self.message),
            (None, 0) => write!(f, "file: {}", self.message),
            (None, row) => write!(f, "row {row}: {}", self.message),
        }
    }
}

fn problem(row: usize, column: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        row,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}

/// What an import did (or, in a dry run or with problems, would have done).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<Problem>,
    /// Whether the changes were written (no problems, not a dry run).
    pub applied: bool,
}

/// A file as a header and rows of text.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads CSV or JSON; the problem says why a file cannot be read at all.
pub fn read_table(bytes: &[u8]) -> Result<Table, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        problem(
            0,
            None,
            format!(
                "the file is not UTF-8 (invalid byte at offset {}); save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return read_json(text);
    }
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| problem(0, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| problem(i + 1, None, format!("cannot read: {e}")))?;
        if record.len() != header.len() {
            return Err(problem(
                i + 1,
                None,
                format!(
                    "has {} fields, the header {}; is the delimiter `{}` right?",
                    record.len(),
                    header.len(),
                    delimiter as char
                ),
            ));
        }
        rows.push(record.iter().map(|f| f.trim().to_owned()).collect());
    }
    Ok(Table { header, rows })
}

fn read_json(text: &str) -> Result<Table, Problem> {
    let items: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(text)
        .map_err(|e| problem(0, None, format!("not a JSON array of objects: {e}")))?;
    let mut header: Vec<String> = Vec::new();
    for item in &items {
        for key in item.keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    let rows = items
        .iter()
        .map(|item| {
            header
                .iter()
                .map(|key| match item.get(key) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.trim().to_owned(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(Table { header, rows })
}

/// Who an import's rows are recorded as imported by: the token's subject.
pub fn importer(viewer: &Viewer) -> String {
    viewer.sub().unwrap_or("anonymous").to_owned()
}

/// The columns of a subsidy file: required ones first.
const SUBSIDY_REQUIRED: [&str; 5] = [
    "region_code",
    "kind",
    "status",
    "applied_on",
    "zonmw_reference",
];
const SUBSIDY_OPTIONAL: [&str; 9] = [
    "applicant",
    "amount_requested",
    "amount_granted",
    "decided_on",
    "period_start",
    "period_end",
    "source",
    "source_reference",
    "version",
];

/// Euros as written in a spreadsheet (`1250000`, `1250000.50`, `1.250.000,50`) in cents.
pub(crate) fn euros(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('€').trim();
    let normalised = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else {
        text.to_owned()
    };
    let (whole, fraction) = normalised.split_once('.').unwrap_or((&normalised, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

/// A date as `2025-07-01` or, as Dutch spreadsheets write it, `01-07-2025`.
pub(crate) fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .ok()
}

fn stored<T: Copy>(all: &[T], as_str: impl Fn(T) -> &'static str, text: &str) -> Option<T> {
    all.iter()
        .copied()
        .find(|v| as_str(*v) == text.trim().to_ascii_uppercase())
}

/// One row, checked: the subsidy it describes (without id and version) and its key.
struct SubsidyRow {
    region_id: Option<i32>,
    kind: SubsidyKind,
    status: ApplicationStatus,
    applicant: Option<String>,
    requested: Option<i64>,
    granted: Option<i64>,
    applied_on: NaiveDate,
    decided_on: Option<NaiveDate>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    reference: String,
    source: SourceKind,
    source_reference: Option<String>,
}

fn check_subsidy_row(
    n: usize,
    get: &dyn Fn(&str) -> String,
    regions: &HashMap<String, i32>,
    file_name: &str,
    problems: &mut Vec<Problem>,
) -> Option<SubsidyRow> {
    let found = std::cell::RefCell::new(Vec::new());
    let bad = |column: &str, message: String| {
        found.borrow_mut().push(problem(n, Some(column), message));
    };
    let required = |column: &str| {
        let value = get(column);
        if value.is_empty() {
            bad(column, "is empty".to_owned());
        }
        value
    };
    // A stored enum value, or a problem naming the values allowed.
    let one_of = |column: &str, text: &str, values: &[&str]| {
        if !text.is_empty() {
            bad(
                column,
                format!("`{text}` is not one of {}", values.join(", ")),
            );
        }
    };
    let kind_text = required("kind");
    let kind = stored(SubsidyKind::ALL, SubsidyKind::as_str, &kind_text);
    if kind.is_none() {
        one_of("kind", &kind_text, SubsidyKind::VALUES);
    }
    let status_text = required("status");
    let status = stored(
        ApplicationStatus::ALL,
        ApplicationStatus::as_str,
        &status_text,
    );
    if status.is_none() {
        one_of("status", &status_text, ApplicationStatus::VALUES);
    }
    let code = get("region_code");
    let region_id = if code.is_empty() {
        if kind.is_some_and(|k| k != SubsidyKind::Research) {
            bad(
                "region_code",
                "is required for a preparation or implementation subsidy".to_owned(),
            );
        }
        None
    } else {
        let id = regions.get(&code).copied();
        if id.is_none() {
            bad("region_code", format!("no region with code `{code}`"));
        }
        id
    };
    let day = |column: &str, required_: bool| -> Option<NaiveDate> {
        let text = get(column);
        if text.is_empty() {
            if required_ {
                bad(column, "is empty".to_owned());
            }
            return None;
        }
        let parsed = date(&text);
        if parsed.is_none() {
            bad(
                column,
                format!("`{text}` is not a date (YYYY-MM-DD or DD-MM-YYYY)"),
            );
        }
        parsed
    };
    let applied_on = day("applied_on", true);
    let decided_on = day("decided_on", false);
    let period_start = day("period_start", false);
    let period_end = day("period_end", false);
    let (requested_range, granted_range) = kind.map(subsidy_range).unwrap_or(((0, 0), (0, 0)));
    let amount = |column: &str, (min, max): (i64, i64)| -> Option<i64> {
        let text = get(column);
        if text.is_empty() {
            return None;
        }
        match euros(&text) {
            None => {
                bad(column, format!("`{text}` is not an amount in euros"));
                None
            }
            Some(cents) if kind.is_some() && !(min * 100..=max * 100).contains(&cents) => {
                bad(
                    column,
                    format!("{text} is outside EUR {min}–{max} for this kind"),
                );
                None
            }
            Some(cents) => Some(cents),
        }
    };
    let requested = amount("amount_requested", requested_range);
    let granted = amount("amount_granted", granted_range);
    let reference = required("zonmw_reference");
    let source_text = get("source");
    let source = if source_text.is_empty() {
        Some(SourceKind::ZonmwDecision)
    } else {
        let source = stored(SourceKind::ALL, SourceKind::as_str, &source_text);
        if source.is_none() {
            one_of("source", &source_text, SourceKind::VALUES);
        }
        source
    };
    if status == Some(ApplicationStatus::Granted) && get("amount_granted").is_empty() {
        bad(
            "amount_granted",
            "a granted subsidy needs the amount granted".to_owned(),
        );
    }
    if status.is_some_and(|s| s != ApplicationStatus::Granted) && granted.is_some() {
        bad(
            "amount_granted",
            "only a granted subsidy has an amount granted".to_owned(),
        );
    }
    if let (Some(g), Some(r)) = (granted, requested)
        && g > r
    {
        bad("amount_granted", "exceeds the amount requested".to_owned());
    }
    if let (Some(a), Some(d)) = (applied_on, decided_on)
        && d < a
    {
        bad("decided_on", "lies before applied_on".to_owned());
    }
    if let (Some(s), Some(e)) = (period_start, period_end)
        && e < s
    {
        bad("period_end", "lies before period_start".to_owned());
    }
    let found = found.into_inner();
    if !found.is_empty() {
        problems.extend(found);
        return None;
    }
    let source_reference = Some(get("source_reference"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| file_name.to_owned());
    Some(SubsidyRow {
        region_id,
        kind: kind?,
        status: status?,
        applicant: Some(get("applicant")).filter(|s| !s.is_empty()),
        requested,
        granted,
        applied_on: applied_on?,
        decided_on,
        period_start,
        period_end,
        reference,
        source: source?,
        source_reference: Some(source_reference),
    })
}

/// Imports subsidy decisions from `bytes` (a file called `file_name`) as `viewer` (ZonMw staff or
/// an admin). With `dry_run`, or with any problem, nothing is written.
pub async fn subsidies(
    db: &DatabaseConnection,
    viewer: &Viewer,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
) -> ApiResult<Report> {
    Kind::Subsidies.ensure_allowed(viewer)?;
    let mut report = Report::default();
    let table = match read_table(bytes) {
        Ok(table) => table,
        Err(p) => {
            report.problems.push(p);
            return Ok(report);
        }
    };
    report.rows = table.rows.len();
    report.problems = SUBSIDY_COLUMNS.check(&table.header);
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let regions: HashMap<String, i32> = access::regions(viewer)
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
    let column = |name: &str| table.header.iter().position(|h| h == name);
    let mut checked = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in table.rows.iter().enumerate() {
        let get = |name: &str| column(name).map(|c| row[c].clone()).unwrap_or_default();
        let n = i + 1;
        if let Some(row) = check_subsidy_row(n, &get, &regions, file_name, &mut report.problems) {
            if !seen.insert(row.reference.clone()) {
                report.problems.push(problem(
                    n,
                    Some("zonmw_reference"),
                    format!("`{}` occurs twice in the file", row.reference),
                ));
                continue;
            }
            checked.push(row);
        }
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let references: Vec<String> = checked.iter().map(|r| r.reference.clone()).collect();
    let existing: HashMap<String, subsidy::Model> = access::subsidies(viewer)
        .filter(subsidy::Column::ZonmwReference.is_in(references))
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|m| m.zonmw_reference.clone().map(|r| (r, m)))
        .collect();
    for row in checked {
        let fields = |m: &mut subsidy::Model| {
            m.region_id = row.region_id;
            m.kind = row.kind;
            m.status = row.status;
            m.applicant = row.applicant.clone();
            m.amount_requested_cents = row.requested;
            m.amount_granted_cents = row.granted;
            m.applied_on = row.applied_on;
            m.decided_on = row.decided_on;
            m.period_start = row.period_start;
            m.period_end = row.period_end;
            m.source = row.source;
            m.source_reference = row.source_reference.clone();
        };
        match existing.get(&row.reference) {
            Some(stored) => {
                let mut changed = stored.clone();
                fields(&mut changed);
                if changed == *stored {
                    report.unchanged += 1;
                    continue;
                }
                report.updated += 1;
                if dry_run {
                    continue;
                }
                changed.version = stored.version + 1;
                changed.updated_at = now();
                changed.imported_at = Some(changed.updated_at);
                changed.imported_by = Some(importer(viewer));
                use subsidy::Column as C;
                save_versioned::<_, subsidy::ActiveModel>(
                    &txn,
                    changed.clone(),
                    (C::Id, stored.id),
                    (C::Version, stored.version),
                )
                .await?;
                audit(
                    &txn,
                    viewer,
                    "subsidy",
                    stored.id,
                    Action::Update,
                    Some(stored),
                    Some(&changed),
                )
                .await?;
            }
            None => {
                report.created += 1;
                if dry_run {
                    continue;
                }
                let mut model = subsidy::Model {
                    id: 0,
                    region_id: None,
                    kind: row.kind,
                    status: row.status,
                    applicant: None,
                    amount_requested_cents: None,
                    amount_granted_cents: None,
                    applied_on: row.applied_on,
                    decided_on: None,
                    period_start: None,
                    period_end: None,
                    zonmw_reference: Some(row.reference.clone()),
                    source: row.source,
                    source_reference: None,
                    imported_at: None,
                    imported_by: None,
                    version: 1,
                    created_at: now(),
                    updated_at: now(),
                };
                fields(&mut model);
                model.imported_at = Some(now());
                model.imported_by = Some(importer(viewer));
                let model = insert_new::<_, subsidy::ActiveModel>(&txn, model).await?;
                audit(
                    &txn,
                    viewer,
                    "subsidy",
                    model.id,
                    Action::Create,
                    None,
                    Some(&model),
                )
                .await?;
            }
        }
    }
    if dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await.map_err(ApiError::from)?;
        report.applied = true;
    }
    Ok(report)
}

/// The kinds of file the registry imports, named as their exports (`regions` for
/// `/export/regions.csv`), in the order a whole registry is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Regions,
    Resvs,
    Seats,
    Agreements,
    RegionalTable,
    NeighbourhoodCollaborations,
    Subsidies,
    Vouchers,
    LearningMaterials,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Regions,
        Kind::Resvs,
        Kind::Seats,
        Kind::Agreements,
        Kind::RegionalTable,
        Kind::NeighbourhoodCollaborations,
        Kind::Subsidies,
        Kind::Vouchers,
        Kind::LearningMaterials,
    ];

    /// The name of the kind's export file.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Regions => "regions",
            Kind::Resvs => "resvs",
            Kind::Seats => "seats",
            Kind::Agreements => "agreements",
            Kind::RegionalTable => "regional-table",
            Kind::NeighbourhoodCollaborations => "neighbourhood-collaborations",
            Kind::Subsidies => "subsidies",
            Kind::Vouchers => "vouchers",
            Kind::LearningMaterials => "learning-materials",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Who may import it: the editors of that kind of row.
    fn ensure_allowed(self, viewer: &Viewer) -> ApiResult<()> {
        access::ensure_signed_in(viewer)?;
        match self {
            Kind::Subsidies | Kind::Vouchers => access::ensure_can_edit_funding(viewer),
            Kind::LearningMaterials => access::ensure_can_edit_materials(viewer),
            _ => access::ensure_admin(viewer),
        }
    }

    fn columns(self) -> &'static Columns {
        use super::{import_local as l, import_registry as r};
        match self {
            Kind::Regions => &r::REGION_COLUMNS,
            Kind::Resvs => &r::RESV_COLUMNS,
            Kind::Seats => &r::SEAT_COLUMNS,
            Kind::Agreements => &r::AGREEMENT_COLUMNS,
            Kind::RegionalTable => &l::TABLE_COLUMNS,
            Kind::NeighbourhoodCollaborations => &l::COLLABORATION_COLUMNS,
            Kind::Vouchers => &l::VOUCHER_COLUMNS,
            Kind::LearningMaterials => &l::MATERIAL_COLUMNS,
            Kind::Subsidies => &SUBSIDY_COLUMNS,
        }
    }
}

const SUBSIDY_COLUMNS: Columns = Columns {
    required: &SUBSIDY_REQUIRED,
    optional: &SUBSIDY_OPTIONAL,
    ignored: &["imported_at", "imported_by"],
};

/// Imports a file of `kind` from `bytes` (a file called `file_name`) as `viewer`: matched on the
/// kind's natural key, inserted or updated with an audit entry each, in one transaction. With
/// `dry_run`, or with any problem, nothing is written and the report says what is wrong.
pub async fn file(
    db: &DatabaseConnection,
    viewer: &Viewer,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
) -> ApiResult<Report> {
    if kind == Kind::Subsidies {
        return subsidies(db, viewer, bytes, file_name, dry_run).await;
    }
    kind.ensure_allowed(viewer)?;
    let mut report = Report::default();
    let table = match read_table(bytes) {
        Ok(table) => table,
        Err(p) => {
            report.problems.push(p);
            return Ok(report);
        }
    };
    report.rows = table.rows.len();
    report.problems = kind.columns().check(&table.header);
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let mut ctx = Ctx {
        txn: &txn,
        viewer,
        table: &table,
        file_name,
        dry_run,
        report: &mut report,
    };
    use super::{import_local as l, import_registry as r};
    match kind {
        Kind::Regions => r::regions(&mut ctx).await?,
        Kind::Resvs => r::resvs(&mut ctx).await?,
        Kind::Seats => r::seats(&mut ctx).await?,
        Kind::Agreements => r::agreements(&mut ctx).await?,
        Kind::RegionalTable => l::regional_table(&mut ctx).await?,
        Kind::NeighbourhoodCollaborations => l::collaborations(&mut ctx).await?,
        Kind::Vouchers => l::vouchers(&mut ctx).await?,
        Kind::LearningMaterials => l::materials(&mut ctx).await?,
        Kind::Subsidies => {}
    }
    if dry_run || !report.problems.is_empty() {
        txn.rollback().await?;
    } else {
        txn.commit().await.map_err(ApiError::from)?;
        report.applied = true;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_as_spreadsheets_write_them() {
        assert_eq!(euros("1250000"), Some(125_000_000));
        assert_eq!(euros("1250000.5"), Some(125_000_050));
        assert_eq!(euros("1.250.000,50"), Some(125_000_050));
        assert_eq!(euros("€ 600000"), Some(60_000_000));
        assert_eq!(euros("12x"), None);
        assert_eq!(euros("1.234"), None);
        assert_eq!(date("2025-07-01"), NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(date("01-07-2025"), NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(date("1 July 2025"), None);
    }

    #[test]
    fn files_are_read_with_either_delimiter_a_bom_or_as_json() {
        let semicolons = "\u{feff}a;b\n1;2\n".as_bytes();
        let table = read_table(semicolons).expect("readable");
        assert_eq!(table.header, vec!["a", "b"]);
        assert_eq!(table.rows, vec![vec!["1", "2"]]);
        let json = br#"[{"a": "1", "b": 2}, {"a": null}]"#;
        let table = read_table(json).expect("readable");
        assert_eq!(table.rows, vec![vec!["1", "2"], vec!["", ""]]);
        let latin1 = b"a,b\n\xe9,2\n";
        assert!(
            read_table(latin1)
                .expect_err("not UTF-8")
                .message
                .contains("UTF-8")
        );
        let ragged = b"a,b\n1,2,3\n";
        assert_eq!(read_table(ragged).expect_err("ragged").row, 1);
    }
}
