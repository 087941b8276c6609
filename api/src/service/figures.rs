//! National figures of the programme: counts and sums computed in SQL with GROUP BY.
//!
//! These are aggregates, which the role table makes public: a count of applications reveals no
//! single application. They therefore read whole tables, not a viewer's scope.

use crate::error::ApiResult;
use entity::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement};

/// The national figures.
#[derive(Debug, Clone, Default)]
pub struct NationalFigures {
    pub region_count: i64,
    pub population: i64,
    pub resvs_by_phase: Vec<(Phase, i64)>,
    pub subsidies: Vec<SubsidyGroup>,
    pub subsidy_regions: Vec<SubsidyRegions>,
    pub vouchers_by_status: Vec<(ApplicationStatus, i64)>,
}

/// Subsidy applications of one kind and status.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SubsidyGroup {
    pub kind: SubsidyKind,
    pub status: ApplicationStatus,
    pub applications: i64,
    pub requested_cents: i64,
    pub granted_cents: i64,
    pub min_granted_cents: Option<i64>,
    pub max_granted_cents: Option<i64>,
}

/// The regions that applied for a kind of subsidy, and those granted one, with their population.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SubsidyRegions {
    pub kind: SubsidyKind,
    pub regions_applied: i64,
    pub population_applied: i64,
    pub regions_granted: i64,
    pub population_granted: i64,
}

#[derive(Debug, FromQueryResult)]
struct Totals {
    region_count: i64,
    population: i64,
}

#[derive(Debug, FromQueryResult)]
struct PhaseCount {
    phase: Phase,
    count: i64,
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    status: ApplicationStatus,
    count: i64,
}

fn stmt<C: ConnectionTrait>(db: &C, sql: &str) -> Statement {
    Statement::from_string(db.get_database_backend(), sql.to_owned())
}

/// Computes the national figures in five statements, whatever the number of regions, in a
/// transaction whose claims let the PostgreSQL policies count rows of every status.
pub async fn national(pool: &DatabaseConnection) -> ApiResult<NationalFigures> {
    let txn = crate::db::begin_with_claims(pool, &crate::access::aggregate_claims()).await?;
    let db = &txn;
    let totals = Totals::find_by_statement(stmt(
        db,
        "SELECT COUNT(*) AS region_count, \
         CAST(COALESCE(SUM(population_approx), 0) AS BIGINT) AS population FROM region",
    ))
    .one(db)
    .await?
    .unwrap_or(Totals {
        region_count: 0,
        population: 0,
    });
    let phases = PhaseCount::find_by_statement(stmt(
        db,
        "SELECT phase, COUNT(*) AS count FROM resv GROUP BY phase",
    ))
    .all(db)
    .await?;
    let subsidies = SubsidyGroup::find_by_statement(stmt(
        db,
        "SELECT kind, status, COUNT(*) AS applications, \
         CAST(COALESCE(SUM(amount_requested_cents), 0) AS BIGINT) AS requested_cents, \
         CAST(COALESCE(SUM(amount_granted_cents), 0) AS BIGINT) AS granted_cents, \
         MIN(amount_granted_cents) AS min_granted_cents, \
         MAX(amount_granted_cents) AS max_granted_cents \
         FROM subsidy GROUP BY kind, status ORDER BY kind, status",
    ))
    .all(db)
    .await?;
    // Per kind: each region once, granted if any of its applications of that kind was granted.
    let subsidy_regions = SubsidyRegions::find_by_statement(stmt(
        db,
        "SELECT k.kind AS kind, COUNT(*) AS regions_applied, \
         CAST(COALESCE(SUM(r.population_approx), 0) AS BIGINT) AS population_applied, \
         CAST(COALESCE(SUM(k.granted), 0) AS BIGINT) AS regions_granted, \
         CAST(COALESCE(SUM(CASE WHEN k.granted = 1 THEN r.population_approx ELSE 0 END), 0) AS BIGINT) \
           AS population_granted \
         FROM (SELECT kind, region_id, MAX(CASE WHEN status = 'GRANTED' THEN 1 ELSE 0 END) AS granted \
               FROM subsidy WHERE region_id IS NOT NULL GROUP BY kind, region_id) k \
         JOIN region r ON r.id = k.region_id GROUP BY k.kind ORDER BY k.kind",
    ))
    .all(db)
    .await?;
    let vouchers = StatusCount::find_by_statement(stmt(
        db,
        "SELECT status, COUNT(*) AS count FROM voucher GROUP BY status ORDER BY status",
    ))
    .all(db)
    .await?;
    Ok(NationalFigures {
        region_count: totals.region_count,
        population: totals.population,
        resvs_by_phase: phases.into_iter().map(|p| (p.phase, p.count)).collect(),
        subsidies,
        subsidy_regions,
        vouchers_by_status: vouchers.into_iter().map(|v| (v.status, v.count)).collect(),
    })
}
