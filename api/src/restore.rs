//! `api import DIR`: restores a whole export directory (what `api export` writes) into the
//! registry, in the order its kinds depend on each other, in one transaction.
//!
//! The reference data (disciplines, care-office and IZA regions) comes with `api migrate`; the
//! export carries it so that a directory says what it was made against, and a restore checks it
//! is the registry's own. Every other file is imported with [`import::directory`], each row
//! keeping the version and provenance its export carries: an export of the restored registry is
//! byte for byte the export restored. History before the export (earlier versions, the audit
//! trail, region lineage) is not part of an export; `pg_dump` keeps that.

use crate::access::Viewer;
use crate::export;
use crate::service::import::{self, Directory, DirectoryReport, Kind, Problem, Report};
use sea_orm::DatabaseConnection;

/// What a restore did, and the files of the directory it left alone (not a kind it imports).
#[derive(Debug, Clone, Default)]
pub struct Restore {
    pub report: DirectoryReport,
    pub ignored: Vec<String>,
}

/// Restores the export in `dir` as `viewer` (an admin); with `dry_run`, or with any problem,
/// nothing is written.
pub async fn directory(
    db: &DatabaseConnection,
    viewer: &Viewer,
    dir: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<Restore> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read the directory {}: {e}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    let mut files = Directory::default();
    let mut restore = Restore::default();
    let mut reference = Vec::new();
    for path in entries.into_iter().filter(|p| p.is_file()) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((stem, extension)) = name.rsplit_once('.') else {
            restore.ignored.push(name);
            continue;
        };
        if !matches!(extension, "csv" | "json") {
            restore.ignored.push(name);
            continue;
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        if export::REFERENCE.contains(&stem) {
            reference.push((stem.to_owned(), extension == "json", name, bytes));
        } else if let Some(kind) = Kind::parse(stem) {
            files.files.push((kind, name, bytes));
        } else {
            restore.ignored.push(name);
        }
    }
    for (stem, json, name, bytes) in reference {
        if export::bytes_of(db, viewer, &stem, json).await? != bytes {
            let mut report = Report::default();
            report.problems.push(Problem {
                row: 0,
                column: None,
                message: format!(
                    "the {stem} differ from this registry's (`api migrate` brings them); \
                     restore into a registry of the version that made the export"
                ),
            });
            restore.report.files.push((name, report));
        }
    }
    if restore.report.files.is_empty() {
        restore.report = import::directory(db, viewer, files, dry_run).await?;
    }
    Ok(restore)
}
