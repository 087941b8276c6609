//! Importing files of the registry's kinds: official data (ZonMw's decisions, the regions),
//! regional reports, and whole exports (a restore).
//!
//! A file is CSV (comma or semicolon separated, as Dutch spreadsheets write it, with or without a
//! UTF-8 byte-order mark) or a JSON array of objects, with the columns of the matching export
//! ([`table`]). Rows are matched on their kind's natural key and written through the write
//! pipeline ([`write`]), so importing the same file twice changes nothing. A file is checked whole
//! first: with any problem nothing is written and the report names each row, column and problem;
//! otherwise it is applied in one transaction, each change with its audit entry. The kinds' own
//! readers are in [`registry`] (regions, RESVs, seats, agreements) and [`local`] (what a region
//! keeps besides, funding, materials).

mod local;
mod registry;
mod row;
mod table;
mod write;

pub use table::{Cleared, Problem, Report, Table, read_table};

use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use row::Columns;
use sea_orm::DatabaseConnection;
use write::Ctx;

/// Imports subsidy decisions from `bytes` (a file called `file_name`) as `viewer` (ZonMw staff or
/// an admin): [`file`] of [`Kind::Subsidy`].
pub async fn subsidies(
    db: &DatabaseConnection,
    viewer: &Viewer,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
) -> ApiResult<Report> {
    file(db, viewer, Kind::Subsidy, bytes, file_name, dry_run).await
}

pub use super::kinds::Kind;

/// Who may import files of `kind`: see [`Kind::import_right`].
fn ensure_allowed(kind: Kind, viewer: &Viewer) -> ApiResult<()> {
    access::ensure_right(viewer, kind.import_right(), None)
}

/// The columns of `kind`'s files.
fn columns(kind: Kind) -> &'static Columns {
    use self::{local as l, registry as r};
    match kind {
        Kind::Region => &r::REGION_COLUMNS,
        Kind::Resv => &r::RESV_COLUMNS,
        Kind::Seat => &r::SEAT_COLUMNS,
        Kind::Agreement => &r::AGREEMENT_COLUMNS,
        Kind::RegionalTableParty => &l::TABLE_COLUMNS,
        Kind::NeighbourhoodCollaboration => &l::COLLABORATION_COLUMNS,
        Kind::Voucher => &l::VOUCHER_COLUMNS,
        Kind::LearningMaterial => &l::MATERIAL_COLUMNS,
        Kind::Subsidy => &l::SUBSIDY_COLUMNS,
    }
}

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
    ensure_allowed(kind, viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let mut report = read(&txn, viewer, kind, bytes, file_name, false).await?;
    finish(txn, dry_run, &mut [&mut report]).await?;
    Ok(report)
}

/// The files of a directory the registry imports: an export's, named as its files are.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Each file of a kind, in dependency order: its kind, name and bytes.
    pub files: Vec<(Kind, String, Vec<u8>)>,
}

/// What the import of a directory did: the report of each file, in the order they were applied.
#[derive(Debug, Clone, Default)]
pub struct DirectoryReport {
    pub files: Vec<(String, Report)>,
    /// Whether the changes were written (no problem in any file, not a dry run).
    pub applied: bool,
}

impl DirectoryReport {
    /// Every problem, each with its file.
    pub fn problems(&self) -> impl Iterator<Item = (&str, &Problem)> {
        self.files
            .iter()
            .flat_map(|(name, r)| r.problems.iter().map(move |p| (name.as_str(), p)))
    }
}

/// Restores a whole export (`api import DIR`) as `viewer`: every file in the order its kinds
/// depend on each other, in one transaction, all or nothing. Each row keeps the version and the
/// provenance (source, reference, imported at and by) its export carries, so that an export of
/// the restored registry is the export restored.
pub async fn directory(
    db: &DatabaseConnection,
    viewer: &Viewer,
    dir: Directory,
    dry_run: bool,
) -> ApiResult<DirectoryReport> {
    for (kind, _, _) in &dir.files {
        ensure_allowed(*kind, viewer)?;
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let mut out = DirectoryReport::default();
    let mut files = dir.files;
    files.sort_by_key(|(kind, _, _)| Kind::ALL.iter().position(|k| k == kind));
    for (kind, name, bytes) in files {
        let report = read(&txn, viewer, kind, &bytes, &name, true).await?;
        let failed = !report.problems.is_empty();
        out.files.push((name, report));
        if failed {
            // Later files depend on this one: their problems would only repeat it.
            break;
        }
    }
    let mut reports: Vec<&mut Report> = out.files.iter_mut().map(|(_, r)| r).collect();
    out.applied = finish(txn, dry_run, &mut reports).await?;
    Ok(out)
}

/// Reads and applies a file of `kind` in `txn`: its report.
async fn read(
    txn: &sea_orm::DatabaseTransaction,
    viewer: &Viewer,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
    restore: bool,
) -> ApiResult<Report> {
    let mut report = Report::default();
    let table = match read_table(bytes) {
        Ok(table) => table,
        Err(p) => {
            report.problems.push(p);
            return Ok(report);
        }
    };
    report.rows = table.rows.len();
    report.problems = columns(kind).check(&table.header);
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let mut ctx = Ctx {
        txn,
        viewer,
        table: &table,
        file_name: if restore { "" } else { file_name },
        restore,
        report: &mut report,
    };
    use self::{local as l, registry as r};
    match kind {
        Kind::Region => r::regions(&mut ctx).await?,
        Kind::Resv => r::resvs(&mut ctx).await?,
        Kind::Seat => r::seats(&mut ctx).await?,
        Kind::Agreement => r::agreements(&mut ctx).await?,
        Kind::RegionalTableParty => l::regional_table(&mut ctx).await?,
        Kind::NeighbourhoodCollaboration => l::collaborations(&mut ctx).await?,
        Kind::Voucher => l::vouchers(&mut ctx).await?,
        Kind::LearningMaterial => l::materials(&mut ctx).await?,
        Kind::Subsidy => l::subsidies(&mut ctx).await?,
    }
    Ok(report)
}

/// Commits `txn` if no report has a problem and this is no dry run (marking them applied), else
/// rolls it back; whether it committed.
async fn finish(
    txn: sea_orm::DatabaseTransaction,
    dry_run: bool,
    reports: &mut [&mut Report],
) -> ApiResult<bool> {
    if dry_run || reports.iter().any(|r| !r.problems.is_empty()) {
        txn.rollback().await?;
        return Ok(false);
    }
    txn.commit().await.map_err(ApiError::from)?;
    for report in reports.iter_mut() {
        report.applied = true;
    }
    Ok(true)
}
