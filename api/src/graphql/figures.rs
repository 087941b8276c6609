//! National figures of the programme (the published state: regions applied and granted, the
//! population share of applicants, vouchers, RESVs by phase).

use super::context::request;
use super::enums::{ApplicationStatus, Phase, SubsidyKind};
use super::scalars::Money;
use crate::service::figures;
use async_graphql::{Context, Object, Result, SimpleObject};

/// A number of RESVs in one development phase.
#[derive(Debug, Clone, SimpleObject)]
pub struct PhaseCount {
    /// The phase.
    pub phase: Phase,
    /// RESVs in it.
    pub count: i64,
}

/// A number of applications in one status.
#[derive(Debug, Clone, SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: ApplicationStatus,
    /// Applications in it.
    pub count: i64,
}

/// Smallest, largest and total of a set of amounts.
#[derive(Debug, Clone, SimpleObject)]
pub struct MoneyStats {
    /// Sum.
    pub total: Money,
    /// Smallest amount; null when there is none.
    pub min: Option<Money>,
    /// Largest amount; null when there is none.
    pub max: Option<Money>,
}

/// National figures of one kind of ZonMw subsidy.
#[derive(Debug, Clone, SimpleObject)]
pub struct SubsidyFigures {
    /// The kind of subsidy.
    pub kind: SubsidyKind,
    /// Regions that applied (in any status).
    pub regions_applied: i64,
    /// Regions granted at least one subsidy of this kind.
    pub regions_granted: i64,
    /// Inhabitants of the regions that applied.
    pub population_applied: i64,
    /// Share of the national population living in regions that applied, as a fraction (0–1).
    pub population_share_applied: f64,
    /// Share of the national population living in regions granted one, as a fraction (0–1).
    pub population_share_granted: f64,
    /// Applications by status.
    pub applications_by_status: Vec<StatusCount>,
    /// Amounts requested over all applications.
    pub amount_requested: Money,
    /// Amounts granted.
    pub amount_granted: MoneyStats,
}

/// The national state of the programme (*landelijk beeld*), computed from the registry.
#[derive(Debug, Clone, SimpleObject)]
pub struct NationalFigures {
    /// Number of regions.
    pub region_count: i64,
    /// Inhabitants of all regions together.
    pub population: i64,
    /// Number of RESVs.
    pub resv_count: i64,
    /// RESVs per development phase, in development order.
    pub resvs_by_phase: Vec<PhaseCount>,
    /// Per kind of subsidy (preparation, implementation, research).
    pub subsidies: Vec<SubsidyFigures>,
    /// Vouchers by status.
    pub vouchers_by_status: Vec<StatusCount>,
    /// Vouchers granted.
    pub vouchers_granted: i64,
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl From<figures::NationalFigures> for NationalFigures {
    fn from(f: figures::NationalFigures) -> Self {
        let subsidies = entity::SubsidyKind::ALL
            .iter()
            .map(|&kind| {
                let groups: Vec<_> = f.subsidies.iter().filter(|g| g.kind == kind).collect();
                let regions = f.subsidy_regions.iter().find(|r| r.kind == kind);
                let granted: Vec<_> = groups
                    .iter()
                    .filter(|g| g.status == entity::ApplicationStatus::Granted)
                    .collect();
                SubsidyFigures {
                    kind: kind.into(),
                    regions_applied: regions.map_or(0, |r| r.regions_applied),
                    regions_granted: regions.map_or(0, |r| r.regions_granted),
                    population_applied: regions.map_or(0, |r| r.population_applied),
                    population_share_applied: share(
                        regions.map_or(0, |r| r.population_applied),
                        f.population,
                    ),
                    population_share_granted: share(
                        regions.map_or(0, |r| r.population_granted),
                        f.population,
                    ),
                    applications_by_status: groups
                        .iter()
                        .map(|g| StatusCount {
                            status: g.status.into(),
                            count: g.applications,
                        })
                        .collect(),
                    amount_requested: Money(
                        groups.iter().map(|g| i128::from(g.requested_cents)).sum(),
                    ),
                    amount_granted: MoneyStats {
                        total: Money(groups.iter().map(|g| i128::from(g.granted_cents)).sum()),
                        min: granted
                            .iter()
                            .filter_map(|g| g.min_granted_cents)
                            .min()
                            .map(Money::from_cents),
                        max: granted
                            .iter()
                            .filter_map(|g| g.max_granted_cents)
                            .max()
                            .map(Money::from_cents),
                    },
                }
            })
            .collect();
        let count_of = |phase| {
            f.resvs_by_phase
                .iter()
                .find(|(p, _)| *p == phase)
                .map_or(0, |(_, n)| *n)
        };
        NationalFigures {
            region_count: f.region_count,
            population: f.population,
            resv_count: f.resvs_by_phase.iter().map(|(_, n)| n).sum(),
            resvs_by_phase: entity::Phase::ALL
                .iter()
                .map(|&phase| PhaseCount {
                    phase: phase.into(),
                    count: count_of(phase),
                })
                .collect(),
            subsidies,
            vouchers_granted: f
                .vouchers_by_status
                .iter()
                .find(|(s, _)| *s == entity::ApplicationStatus::Granted)
                .map_or(0, |(_, n)| *n),
            vouchers_by_status: f
                .vouchers_by_status
                .iter()
                .map(|(s, n)| StatusCount {
                    status: (*s).into(),
                    count: *n,
                })
                .collect(),
        }
    }
}

/// Root field for the national figures.
#[derive(Default)]
pub struct FiguresQuery;

#[Object]
impl FiguresQuery {
    /// The national state of the programme: regions, RESVs by phase, subsidy applications and
    /// grants with the population share of applicants, vouchers. These are aggregates and public;
    /// the rows behind them follow your rights.
    async fn national_figures(&self, ctx: &Context<'_>) -> Result<NationalFigures> {
        let rc = request(ctx)?;
        Ok(figures::national(&rc.pool).await?.into())
    }
}
