//! Imports of official data through GraphQL: a file uploaded with the GraphQL multipart request
//! specification, applied all or nothing (see `service::import`).

use super::context::request;
use crate::error::ApiError;
use crate::service::import::{self, Kind, Report};
use async_graphql::{Context, Enum, Object, Result, SimpleObject, Upload};

/// What an imported file holds, named as the exports (`/export/{kind}.csv`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Regions (*regio's*), matched on `code`; admins.
    Regions,
    /// RESVs, matched on `region_code`; admins.
    Resvs,
    /// Seats at the RESV table, matched on `region_code` and `disciplines`; admins.
    Seats,
    /// Collaboration agreements, matched on `region_code` and `topic`; admins.
    Agreements,
    /// Regional table parties (*regiotafel*), matched on `region_code`, `kind`, `organisation`; admins.
    RegionalTable,
    /// Neighbourhood collaborations (*wijkverbanden*), matched on `region_code` and `name`; admins.
    NeighbourhoodCollaborations,
    /// ZonMw subsidies, matched on `zonmw_reference`; ZonMw staff and admins.
    Subsidies,
    /// ZonMw vouchers, matched on `region_code` and `discipline`; ZonMw staff and admins.
    Vouchers,
    /// LeVEL materials, matched on `kind` and `title`; LeVEL editors and admins.
    LearningMaterials,
}

impl From<ImportKind> for Kind {
    fn from(kind: ImportKind) -> Self {
        match kind {
            ImportKind::Regions => Kind::Region,
            ImportKind::Resvs => Kind::Resv,
            ImportKind::Seats => Kind::Seat,
            ImportKind::Agreements => Kind::Agreement,
            ImportKind::RegionalTable => Kind::RegionalTableParty,
            ImportKind::NeighbourhoodCollaborations => Kind::NeighbourhoodCollaboration,
            ImportKind::Subsidies => Kind::Subsidy,
            ImportKind::Vouchers => Kind::Voucher,
            ImportKind::LearningMaterials => Kind::LearningMaterial,
        }
    }
}

/// A problem with an imported file.
#[derive(SimpleObject)]
pub struct ImportProblem {
    /// The data row (1 for the first row after the header; 0 for the file itself).
    pub row: i32,
    /// The column, if the problem is in one.
    pub column: Option<String>,
    pub message: String,
}

/// What an import did; with any problem, or in a dry run, nothing was written.
#[derive(SimpleObject)]
pub struct ImportPayload {
    pub rows: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// Whether the changes were written.
    pub applied: bool,
    /// The problems found, the first hundred of them in file order (all: `problemCount`).
    pub problems: Vec<ImportProblem>,
    /// How many problems were found.
    pub problem_count: i32,
    /// The stored values empty cells clear (an empty cell in a column the file has means
    /// "clear"), the first hundred of them in file order (all: `clearedCount`); a dry run shows
    /// them before anything is lost.
    pub cleared: Vec<ImportCleared>,
    /// How many stored values the empty cells clear.
    pub cleared_count: i32,
}

/// The most problems and cleared values an import payload lists (the CLI reports every one).
pub const MAX_LISTED: usize = 100;

/// A stored value an import clears.
#[derive(SimpleObject)]
pub struct ImportCleared {
    /// The data row (1 for the first row after the header).
    pub row: i32,
    /// The field, as the record names it (`contact_email`).
    pub field: String,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<Report> for ImportPayload {
    fn from(report: Report) -> Self {
        ImportPayload {
            rows: count(report.rows),
            created: count(report.created),
            updated: count(report.updated),
            unchanged: count(report.unchanged),
            applied: report.applied,
            problem_count: count(report.problems.len()),
            cleared_count: count(report.cleared.len()),
            problems: report
                .problems
                .into_iter()
                .take(MAX_LISTED)
                .map(|p| ImportProblem {
                    row: count(p.row),
                    column: p.column,
                    message: p.message,
                })
                .collect(),
            cleared: report
                .cleared
                .into_iter()
                .take(MAX_LISTED)
                .map(|c| ImportCleared {
                    row: count(c.row),
                    field: c.field,
                })
                .collect(),
        }
    }
}

/// Imports `file` of `kind` as the request's viewer.
async fn run(ctx: &Context<'_>, kind: Kind, file: Upload, dry_run: bool) -> Result<ImportPayload> {
    use std::io::Read;
    let rc = request(ctx)?;
    let upload = file.value(ctx)?;
    let name = upload.filename.clone();
    let mut bytes = Vec::new();
    upload
        .into_read()
        .read_to_end(&mut bytes)
        .map_err(|_| ApiError::invalid("file", "cannot be read"))?;
    let report = import::file(&rc.pool, &rc.viewer, kind, &bytes, &name, dry_run).await?;
    Ok(report.into())
}

/// Imports of official data.
#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports a CSV or JSON file with the columns of `/export/{kind}.csv` (comma or semicolon
    /// separated, UTF-8 with or without BOM): rows are matched on the kind's natural key and
    /// inserted or updated with an audit entry each, all or nothing; re-importing a file changes
    /// nothing. A column absent from the file leaves stored values as they are. Problems are named
    /// by row and column.
    async fn import_records(
        &self,
        ctx: &Context<'_>,
        kind: ImportKind,
        file: Upload,
        #[graphql(default = false)] dry_run: bool,
    ) -> Result<ImportPayload> {
        run(ctx, kind.into(), file, dry_run).await
    }

    /// Imports ZonMw's subsidy decisions (as `importRecords(kind: SUBSIDIES)`): matched on the
    /// ZonMw reference. ZonMw staff and admins.
    async fn import_subsidies(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        #[graphql(default = false)] dry_run: bool,
    ) -> Result<ImportPayload> {
        run(ctx, Kind::Subsidy, file, dry_run).await
    }
}
