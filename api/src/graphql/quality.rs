//! The data-quality report for stewards: per region, what is missing or inconsistent.

use super::context::request;
use super::region::Region;
use crate::service::quality::{self, IssueKind};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};

/// A kind of data-quality problem.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataIssueKind {
    /// No RESV is registered for the region.
    NoResv,
    /// The region has no preferred insurer (*preferente zorgverzekeraar*).
    NoPreferredInsurer,
    /// Seats at the RESV table have no mandate.
    SeatsWithoutMandate,
    /// A subsidy was granted, but the region has no RESV.
    GrantedWithoutResv,
    /// The region's population is missing.
    PopulationMissing,
    /// Demonstration rows are still present.
    DemonstrationData,
}

impl From<IssueKind> for DataIssueKind {
    fn from(kind: IssueKind) -> Self {
        match kind {
            IssueKind::NoResv => DataIssueKind::NoResv,
            IssueKind::NoPreferredInsurer => DataIssueKind::NoPreferredInsurer,
            IssueKind::SeatsWithoutMandate => DataIssueKind::SeatsWithoutMandate,
            IssueKind::GrantedWithoutResv => DataIssueKind::GrantedWithoutResv,
            IssueKind::PopulationMissing => DataIssueKind::PopulationMissing,
            IssueKind::DemonstrationData => DataIssueKind::DemonstrationData,
        }
    }
}

/// One problem of a region.
#[derive(SimpleObject)]
pub struct DataIssue {
    pub kind: DataIssueKind,
    /// Rows affected (1 for a property of the region itself).
    pub count: i64,
    /// What to fix, in words.
    pub message: String,
}

/// The regions affected by one kind of problem.
#[derive(SimpleObject)]
pub struct DataIssueCount {
    pub kind: DataIssueKind,
    pub regions: i64,
}

/// A region with problems.
pub struct RegionQuality {
    region_id: i32,
    issues: Vec<quality::Issue>,
}

#[Object]
impl RegionQuality {
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(self.region_id)
            .await?
            .map(Region::from))
    }

    async fn issues(&self) -> Vec<DataIssue> {
        self.issues
            .iter()
            .map(|i| DataIssue {
                kind: i.kind.into(),
                count: i.count,
                message: i.kind.message(i.count),
            })
            .collect()
    }
}

/// What stewards should fix.
pub struct DataQualityReport(quality::Report);

#[Object]
impl DataQualityReport {
    /// Problems found, all regions together.
    async fn issue_count(&self) -> i64 {
        self.0.issue_count() as i64
    }

    /// Regions affected, per kind of problem.
    async fn by_kind(&self) -> Vec<DataIssueCount> {
        self.0
            .by_kind()
            .into_iter()
            .map(|(kind, regions)| DataIssueCount {
                kind: kind.into(),
                regions,
            })
            .collect()
    }

    /// The regions with problems, in the order of their ids.
    async fn regions(&self) -> Vec<RegionQuality> {
        self.0
            .regions
            .iter()
            .map(|(id, issues)| RegionQuality {
                region_id: *id,
                issues: issues.clone(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct QualityQuery;

#[Object]
impl QualityQuery {
    /// The data-quality report (also `api check`): per region, what is missing or inconsistent
    /// (no RESV, no preferred insurer, seats without a mandate, a subsidy granted without an RESV,
    /// population missing, demonstration data still present). For stewards: admins, ZonMw staff
    /// and national analysts (its counts include applications that are not public).
    async fn data_quality(&self, ctx: &Context<'_>) -> Result<DataQualityReport> {
        let rc = request(ctx)?;
        crate::access::ensure_steward(&rc.viewer)?;
        Ok(DataQualityReport(quality::report(&rc.read_pool).await?))
    }
}
