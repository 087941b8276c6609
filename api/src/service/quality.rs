//! The data-quality report: what stewards should fix, per region. Every check is one part of a
//! single SQL statement (a UNION ALL of GROUP BYs), so the report costs one statement whatever the
//! registry's size. The counts are aggregates, read under the aggregate claims.

use crate::error::ApiResult;
use entity::{ApplicationStatus, MandateStatus, SourceKind};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::BTreeMap;

/// A kind of problem in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// The region has no RESV.
    NoResv,
    /// The region has no preferred insurer.
    NoPreferredInsurer,
    /// Seats at the region's RESV table without a mandate.
    SeatsWithoutMandate,
    /// A subsidy was granted for the region, but it has no RESV.
    GrantedWithoutResv,
    /// The region's population is missing.
    PopulationMissing,
    /// Demonstration rows are still present for the region.
    DemonstrationData,
}

impl IssueKind {
    pub const ALL: [IssueKind; 6] = [
        IssueKind::NoResv,
        IssueKind::NoPreferredInsurer,
        IssueKind::SeatsWithoutMandate,
        IssueKind::GrantedWithoutResv,
        IssueKind::PopulationMissing,
        IssueKind::DemonstrationData,
    ];

    /// The name of the kind, as in the API (`NO_RESV`, ...).
    pub fn tag(self) -> &'static str {
        match self {
            IssueKind::NoResv => "NO_RESV",
            IssueKind::NoPreferredInsurer => "NO_PREFERRED_INSURER",
            IssueKind::SeatsWithoutMandate => "SEATS_WITHOUT_MANDATE",
            IssueKind::GrantedWithoutResv => "GRANTED_WITHOUT_RESV",
            IssueKind::PopulationMissing => "POPULATION_MISSING",
            IssueKind::DemonstrationData => "DEMONSTRATION_DATA",
        }
    }

    /// What to fix, for a region with `count` affected rows.
    pub fn message(self, count: i64) -> String {
        match self {
            IssueKind::NoResv => "no RESV is registered for the region".to_owned(),
            IssueKind::NoPreferredInsurer => "the region has no preferred insurer".to_owned(),
            IssueKind::SeatsWithoutMandate => {
                format!("{count} seat(s) at the RESV table have no mandate")
            }
            IssueKind::GrantedWithoutResv => {
                format!("{count} subsidy(ies) granted, but the region has no RESV")
            }
            IssueKind::PopulationMissing => "the region's population is missing".to_owned(),
            IssueKind::DemonstrationData => {
                format!("{count} demonstration row(s) are still present")
            }
        }
    }
}

/// One problem of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub kind: IssueKind,
    /// Rows affected (1 for a property of the region itself).
    pub count: i64,
}

/// The report: the regions with problems (by region id), in region order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub regions: BTreeMap<i32, Vec<Issue>>,
}

impl Report {
    /// Regions affected per kind of problem.
    pub fn by_kind(&self) -> Vec<(IssueKind, i64)> {
        IssueKind::ALL
            .iter()
            .map(|kind| {
                let regions = self
                    .regions
                    .values()
                    .filter(|issues| issues.iter().any(|i| i.kind == *kind))
                    .count();
                (*kind, regions as i64)
            })
            .collect()
    }

    pub fn issue_count(&self) -> usize {
        self.regions.values().map(Vec::len).sum()
    }
}

fn sql() -> String {
    let demo = SourceKind::Demonstration.as_str();
    let granted = ApplicationStatus::Granted.as_str();
    let none = MandateStatus::None.as_str();
    let checks = [
        format!(
            "SELECT r.id AS rid, '{}' AS tag, 1 AS n FROM region r \
             WHERE NOT EXISTS (SELECT 1 FROM resv v WHERE v.region_id = r.id)",
            IssueKind::NoResv.tag()
        ),
        format!(
            "SELECT r.id AS rid, '{}' AS tag, 1 AS n FROM region r \
             WHERE r.preferred_insurer IS NULL OR TRIM(r.preferred_insurer) = ''",
            IssueKind::NoPreferredInsurer.tag()
        ),
        format!(
            "SELECT v.region_id AS rid, '{}' AS tag, COUNT(*) AS n FROM seat s JOIN resv v ON v.id = s.resv_id \
             WHERE s.mandate_status = '{none}' GROUP BY v.region_id",
            IssueKind::SeatsWithoutMandate.tag()
        ),
        format!(
            "SELECT s.region_id AS rid, '{}' AS tag, COUNT(*) AS n FROM subsidy s \
             WHERE s.status = '{granted}' AND s.region_id IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM resv v WHERE v.region_id = s.region_id) \
             GROUP BY s.region_id",
            IssueKind::GrantedWithoutResv.tag()
        ),
        format!(
            "SELECT r.id AS rid, '{}' AS tag, 1 AS n FROM region r \
             WHERE r.population_approx IS NULL OR r.population_approx <= 0",
            IssueKind::PopulationMissing.tag()
        ),
        format!(
            "SELECT region_id AS rid, '{tag}' AS tag, SUM(n) AS n FROM ( \
               SELECT id AS region_id, COUNT(*) AS n FROM region WHERE source = '{demo}' GROUP BY id \
               UNION ALL SELECT region_id, COUNT(*) FROM resv WHERE source = '{demo}' GROUP BY region_id \
               UNION ALL SELECT v.region_id, COUNT(*) FROM seat s JOIN resv v ON v.id = s.resv_id \
                 WHERE s.source = '{demo}' GROUP BY v.region_id \
               UNION ALL SELECT region_id, COUNT(*) FROM subsidy \
                 WHERE source = '{demo}' AND region_id IS NOT NULL GROUP BY region_id \
               UNION ALL SELECT region_id, COUNT(*) FROM voucher WHERE source = '{demo}' GROUP BY region_id \
               UNION ALL SELECT region_id, COUNT(*) FROM neighbourhood_collaboration \
                 WHERE source = '{demo}' GROUP BY region_id \
             ) d GROUP BY region_id",
            tag = IssueKind::DemonstrationData.tag()
        ),
    ];
    let parts: Vec<String> = checks
        .iter()
        .map(|check| {
            // Retired regions (merged or split) are history, not work to do.
            format!(
                "SELECT CAST(q.rid AS BIGINT), q.tag, CAST(q.n AS BIGINT) FROM ({check}) q \
                 WHERE q.rid NOT IN (SELECT id FROM region WHERE retired_on IS NOT NULL)"
            )
        })
        .collect();
    parts.join(" UNION ALL ")
}

/// The quality report of the whole registry.
pub async fn report(pool: &DatabaseConnection) -> ApiResult<Report> {
    let db = crate::db::reader(pool, crate::access::aggregate_claims());
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql()))
        .await?;
    let mut report = Report::default();
    for row in rows {
        let region: i64 = row.try_get_by_index(0)?;
        let tag: String = row.try_get_by_index(1)?;
        let count: i64 = row.try_get_by_index(2)?;
        let Some(kind) = IssueKind::ALL.into_iter().find(|k| k.tag() == tag) else {
            continue;
        };
        let Ok(region) = i32::try_from(region) else {
            continue;
        };
        report
            .regions
            .entry(region)
            .or_default()
            .push(Issue { kind, count });
    }
    for issues in report.regions.values_mut() {
        issues.sort_by_key(|i| i.kind);
    }
    Ok(report)
}
