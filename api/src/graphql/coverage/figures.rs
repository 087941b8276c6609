//! The figures of the whole country or of one group of regions, read from the service's typed
//! figures; non-public cells under disclosure control.

use super::{Coverage, share};
use crate::access;
use crate::graphql::enums::{
    ApplicationStatus, DesignCriterionKind, DisciplineCode, MainTask, Phase, SubsidyKind,
};
use crate::graphql::scalars::Money;
use crate::service::coverage::{
    Amounts, Figure, Grouping, NeighbourhoodTotals, NonPublic, PhaseTotals, ReachTotals,
    RegionTotals, SeatTotals, SharedSeatTotals, SubsidyTotals, VoucherTotals,
};
use async_graphql::{Object, Result, SimpleObject};
use entity::{DesignCriterion, MandateStatus, Per, TaskStatus};

/// The figures of the whole country or of one group of regions.
pub struct CoverageFigures {
    pub(super) coverage: Coverage,
    pub(super) grouping: Grouping,
    pub(super) key: String,
}

impl CoverageFigures {
    /// Figure `F` of this group and date (several rows for a figure by phase, kind or status).
    async fn rows<F: Figure>(&self) -> Result<&[F]> {
        let grid = self.coverage.set.figure::<F>(self.grouping).await?;
        Ok(grid.rows(self.coverage.point, &self.key))
    }

    /// Figure `F` of this group and date, for a figure of one row per group.
    async fn one<F: Figure>(&self) -> Result<Option<&F>> {
        Ok(self.rows::<F>().await?.first())
    }

    /// The regions of the group and their inhabitants.
    async fn base(&self) -> Result<(i64, i64)> {
        Ok(self
            .one::<RegionTotals>()
            .await?
            .map(|r| (r.regions, r.population))
            .unwrap_or((0, 0)))
    }

    /// Whether `figure` is withheld from this viewer in this group (by what it counts and the
    /// grouping, never by its value: see [`Disclosure`](crate::service::coverage::Disclosure)).
    fn hides(&self, figure: NonPublic) -> bool {
        self.coverage.disclosure.hides(figure, self.grouping)
    }

    /// Every status of one block (a kind of subsidy, a discipline's vouchers), each with its
    /// figure (if any) and whether it is suppressed: every status but the public one when
    /// `figure` is withheld.
    fn status_block<'r, F>(
        &self,
        figure: NonPublic,
        of: impl Fn(entity::ApplicationStatus) -> Option<&'r F>,
    ) -> Vec<(entity::ApplicationStatus, Option<&'r F>, bool)> {
        let hidden = self.hides(figure);
        entity::ApplicationStatus::ALL
            .iter()
            .map(|&s| (s, of(s), hidden && s != access::PUBLIC_STATUS))
            .collect()
    }
}

/// RESVs in one development phase.
#[derive(SimpleObject)]
pub struct PhaseFigures {
    pub phase: Phase,
    /// RESVs in this phase.
    pub resvs: i64,
    /// Inhabitants of their regions.
    pub population: i64,
    /// RESVs meeting each design criterion.
    pub design_criteria: Vec<CriterionCount>,
    /// RESVs whose table has the minimum composition: GP care, district nursing and pharmacy
    /// with a mandated seat, and social work at the table.
    pub minimum_composition_met: i64,
}

/// RESVs meeting one design criterion.
#[derive(SimpleObject, Clone, Copy)]
pub struct CriterionCount {
    pub criterion: DesignCriterionKind,
    pub met: i64,
}

/// RESVs by the status of one main task.
#[derive(SimpleObject, Clone, Copy)]
pub struct TaskFigures {
    pub task: MainTask,
    pub not_started: i64,
    pub in_progress: i64,
    pub operational: i64,
}

/// The RESVs of a group.
#[derive(SimpleObject)]
pub struct ResvCoverage {
    /// Regions with an RESV.
    pub regions_with_resv: i64,
    /// Inhabitants of the regions with an RESV.
    pub population_covered: i64,
    /// Share of the group's inhabitants living in a region with an RESV (0–1).
    pub population_share: f64,
    /// Per development phase, in development order (phases without RESVs included).
    pub by_phase: Vec<PhaseFigures>,
    /// RESVs meeting each design criterion, all phases together.
    pub design_criteria: Vec<CriterionCount>,
    /// RESVs with the minimum composition, all phases together.
    pub minimum_composition_met: i64,
    /// The five main tasks by status.
    pub main_tasks: Vec<TaskFigures>,
}

/// The seats of one discipline at the RESV tables of a group.
#[derive(SimpleObject)]
pub struct DisciplineSeats {
    pub discipline: DisciplineCode,
    /// Seats holding this discipline with a mandated delegate.
    pub mandated: i64,
    /// Seats whose mandate is pending.
    pub pending: i64,
    /// Seats without a mandate.
    pub without_mandate: i64,
    /// RESVs where this discipline holds no seat at all.
    pub empty: i64,
}

/// Seats at the RESV tables of a group.
#[derive(SimpleObject)]
pub struct SeatCoverage {
    /// Per discipline, in the order of the disciplines.
    pub by_discipline: Vec<DisciplineSeats>,
    /// Seats held for several disciplines at once (a multidisciplinary paramedical network).
    pub multidisciplinary_seats: i64,
    /// Disciplines represented through those seats.
    pub disciplines_in_multidisciplinary_seats: i64,
}

/// Sum, smallest and largest of a set of amounts.
#[derive(SimpleObject)]
pub struct AmountFigures {
    pub sum: Money,
    /// Null when there is no amount.
    pub min: Option<Money>,
    /// Null when there is no amount.
    pub max: Option<Money>,
}

impl From<Amounts> for AmountFigures {
    fn from(a: Amounts) -> Self {
        AmountFigures {
            sum: Money::from_cents(a.sum),
            min: a.min.map(Money::from_cents),
            max: a.max.map(Money::from_cents),
        }
    }
}

/// RESVs meeting each design criterion, summed over `phases`.
fn criteria(phases: &[&PhaseTotals]) -> Vec<CriterionCount> {
    DesignCriterion::ALL
        .iter()
        .map(|&criterion| CriterionCount {
            criterion: criterion.into(),
            met: phases.iter().map(|p| p.criteria_met[criterion]).sum(),
        })
        .collect()
}

/// Applications for one kind of subsidy in one status. Non-public statuses are suppressed for
/// viewers who may not read them.
#[derive(SimpleObject)]
pub struct SubsidyFigures {
    pub kind: SubsidyKind,
    pub status: ApplicationStatus,
    /// Whether the numbers were suppressed (disclosure control): they are then null.
    pub suppressed: bool,
    pub applications: Option<i64>,
    /// Amounts requested.
    pub requested: Option<AmountFigures>,
    /// Amounts granted.
    pub granted: Option<AmountFigures>,
}

/// How many regions (and inhabitants) applied for, and were granted, one kind of subsidy.
#[derive(SimpleObject)]
pub struct SubsidyReach {
    pub kind: SubsidyKind,
    /// Whether the "applied" numbers were suppressed (they count applications not granted).
    pub applied_suppressed: bool,
    /// Regions that applied, in any status.
    pub regions_applied: Option<i64>,
    /// Inhabitants of those regions.
    pub population_applied: Option<i64>,
    /// Their share of the group's inhabitants (0–1): the published "98%".
    pub population_share_applied: Option<f64>,
    /// Regions granted at least one subsidy of this kind.
    pub regions_granted: i64,
    pub population_granted: i64,
    pub population_share_granted: f64,
}

/// Vouchers of one discipline in one status. Non-public statuses are suppressed for
/// viewers who may not read them.
#[derive(SimpleObject)]
pub struct VoucherFigures {
    pub discipline: DisciplineCode,
    pub status: ApplicationStatus,
    pub suppressed: bool,
    pub vouchers: Option<i64>,
    pub amount: Option<Money>,
}

/// Neighbourhood collaborations (*hechte wijkverbanden*) of a group; stopped ones do not count.
#[derive(SimpleObject)]
pub struct NeighbourhoodCoverage {
    /// Collaborations forming or active.
    pub collaborations: i64,
    /// Of those, active.
    pub active: i64,
    /// Inhabitants of their areas.
    pub population: i64,
    /// Share of the group's inhabitants living in such an area (0–1).
    pub population_share: f64,
    /// Collaborations with the minimum composition (GP, district nursing, pharmacy, social work).
    pub meeting_minimum_composition: i64,
    /// Their share of the collaborations (0–1).
    pub share_meeting_minimum_composition: f64,
    /// Inhabitants of the areas of collaborations with the minimum composition.
    pub population_meeting_minimum_composition: i64,
}

#[Object]
impl CoverageFigures {
    /// Number of regions.
    async fn regions(&self) -> Result<i64> {
        Ok(self.base().await?.0)
    }

    /// Inhabitants (approximate).
    async fn population(&self) -> Result<i64> {
        Ok(self.base().await?.1)
    }

    /// RESVs: coverage, phases, design criteria, minimum composition and main tasks.
    async fn resvs(&self) -> Result<ResvCoverage> {
        let (_, population) = self.base().await?;
        let rows = self.rows::<PhaseTotals>().await?;
        let by_phase = entity::Phase::ALL
            .iter()
            .map(|&phase| {
                let of_phase: Vec<&PhaseTotals> =
                    rows.iter().filter(|r| r.phase == phase).collect();
                PhaseFigures {
                    phase: phase.into(),
                    resvs: of_phase.iter().map(|r| r.resvs).sum(),
                    population: of_phase.iter().map(|r| r.population).sum(),
                    design_criteria: criteria(&of_phase),
                    minimum_composition_met: of_phase
                        .iter()
                        .map(|r| r.minimum_composition_met)
                        .sum(),
                }
            })
            .collect::<Vec<_>>();
        let all: Vec<&PhaseTotals> = rows.iter().collect();
        let mut tasks: Per<entity::MainTask, Per<TaskStatus, i64>> = Per::default();
        for row in &all {
            for (task, statuses) in row.tasks.iter() {
                for (status, n) in statuses.iter() {
                    tasks[task][status] += n;
                }
            }
        }
        let main_tasks = tasks
            .iter()
            .map(|(task, count)| TaskFigures {
                task: task.into(),
                not_started: count[TaskStatus::NotStarted],
                in_progress: count[TaskStatus::InProgress],
                operational: count[TaskStatus::Operational],
            })
            .collect();
        let covered: i64 = by_phase.iter().map(|p| p.population).sum();
        Ok(ResvCoverage {
            regions_with_resv: by_phase.iter().map(|p| p.resvs).sum(),
            population_covered: covered,
            population_share: share(covered, population),
            design_criteria: criteria(&all),
            minimum_composition_met: all.iter().map(|r| r.minimum_composition_met).sum(),
            by_phase,
            main_tasks,
        })
    }

    /// Seats at the RESV tables per discipline, and the multidisciplinary seats.
    async fn seats(&self) -> Result<SeatCoverage> {
        let resvs: i64 = self
            .rows::<PhaseTotals>()
            .await?
            .iter()
            .map(|r| r.resvs)
            .sum();
        let rows = self.rows::<SeatTotals>().await?;
        let by_discipline = entity::DisciplineCode::ALL
            .iter()
            .map(|&discipline| {
                let count = |mandate: MandateStatus| -> i64 {
                    rows.iter()
                        .filter(|r| r.discipline == discipline && r.mandate == mandate)
                        .map(|r| r.seats)
                        .sum()
                };
                let mandated = count(MandateStatus::Mandated);
                let pending = count(MandateStatus::Pending);
                let without_mandate = count(MandateStatus::None);
                DisciplineSeats {
                    discipline: discipline.into(),
                    mandated,
                    pending,
                    without_mandate,
                    empty: (resvs - mandated - pending - without_mandate).max(0),
                }
            })
            .collect();
        let shared = self.one::<SharedSeatTotals>().await?;
        Ok(SeatCoverage {
            by_discipline,
            multidisciplinary_seats: shared.map(|r| r.seats).unwrap_or(0),
            disciplines_in_multidisciplinary_seats: shared.map(|r| r.disciplines).unwrap_or(0),
        })
    }

    /// Subsidy applications per kind and status (every combination, zeros included).
    async fn subsidies(&self) -> Result<Vec<SubsidyFigures>> {
        let rows = self.rows::<SubsidyTotals>().await?;
        let mut out = Vec::new();
        for &kind in entity::SubsidyKind::ALL {
            let of = |status| rows.iter().find(|r| r.kind == kind && r.status == status);
            for (status, row, suppressed) in self.status_block(NonPublic::SubsidyStatus, of) {
                out.push(SubsidyFigures {
                    kind: kind.into(),
                    status: status.into(),
                    suppressed,
                    applications: (!suppressed).then(|| row.map(|r| r.applications).unwrap_or(0)),
                    requested: (!suppressed)
                        .then(|| row.map(|r| r.requested).unwrap_or_default().into()),
                    granted: (!suppressed)
                        .then(|| row.map(|r| r.granted).unwrap_or_default().into()),
                });
            }
        }
        Ok(out)
    }

    /// Per kind of subsidy: regions (and inhabitants) that applied and that were granted one.
    async fn subsidy_reach(&self) -> Result<Vec<SubsidyReach>> {
        let (_, population) = self.base().await?;
        let rows = self.rows::<ReachTotals>().await?;
        Ok(entity::SubsidyKind::ALL
            .iter()
            .map(|&kind| {
                let row = rows.iter().find(|r| r.kind == kind);
                let value = |f: fn(&ReachTotals) -> i64| row.map(f).unwrap_or(0);
                let applied = value(|r| r.regions_applied);
                let applied_population = value(|r| r.population_applied);
                let granted = value(|r| r.regions_granted);
                let granted_population = value(|r| r.population_granted);
                let suppressed = self.hides(NonPublic::RegionsApplied);
                SubsidyReach {
                    kind: kind.into(),
                    applied_suppressed: suppressed,
                    regions_applied: (!suppressed).then_some(applied),
                    population_applied: (!suppressed).then_some(applied_population),
                    population_share_applied: (!suppressed)
                        .then(|| share(applied_population, population)),
                    regions_granted: granted,
                    population_granted: granted_population,
                    population_share_granted: share(granted_population, population),
                }
            })
            .collect())
    }

    /// Vouchers per discipline and status (every combination, zeros included).
    async fn vouchers(&self) -> Result<Vec<VoucherFigures>> {
        let rows = self.rows::<VoucherTotals>().await?;
        let mut out = Vec::new();
        for &discipline in entity::DisciplineCode::ALL {
            let of = |status| {
                rows.iter()
                    .find(|r| r.discipline == discipline && r.status == status)
            };
            for (status, row, suppressed) in self.status_block(NonPublic::VoucherStatus, of) {
                out.push(VoucherFigures {
                    discipline: discipline.into(),
                    status: status.into(),
                    suppressed,
                    vouchers: (!suppressed).then(|| row.map(|r| r.vouchers).unwrap_or(0)),
                    amount: (!suppressed)
                        .then(|| Money::from_cents(row.map(|r| r.amount_cents).unwrap_or(0))),
                });
            }
        }
        Ok(out)
    }

    /// Neighbourhood collaborations: how many, how many people they reach, how many have the
    /// minimum composition.
    async fn neighbourhoods(&self) -> Result<NeighbourhoodCoverage> {
        let (_, population) = self.base().await?;
        let n = self
            .one::<NeighbourhoodTotals>()
            .await?
            .cloned()
            .unwrap_or_default();
        Ok(NeighbourhoodCoverage {
            collaborations: n.collaborations,
            active: n.active,
            population: n.population,
            population_share: share(n.population, population),
            meeting_minimum_composition: n.meeting_minimum,
            share_meeting_minimum_composition: share(n.meeting_minimum, n.collaborations),
            population_meeting_minimum_composition: n.population_meeting_minimum,
        })
    }
}
