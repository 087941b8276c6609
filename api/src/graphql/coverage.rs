//! Coverage dashboards (*landelijk beeld*): how far the country is on a date, nationally and per
//! care-office region, preferred insurer and region, and how that changed over time.
//!
//! A `Coverage` is one date of a [`service::Coverage`] set; the figures of a set are fetched once,
//! on first use, for all its dates, so a timeline costs no more statements than a single date.

use super::context::request;
use super::enums::{
    ApplicationStatus, DesignCriterionKind, DisciplineCode, MainTask, MaterialKind, Phase,
    SubsidyKind, Theme,
};
use super::learning::LearningMaterial;
use super::reference::CareOfficeRegion;
use super::region::Region;
use super::scalars::{Date, Money};
use crate::access;
use crate::service::coverage::{
    self as service, Disclosure, Figure, Grid, Grouping, Row, TASK_STATUSES,
};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use std::sync::Arc;

/// Settings of the coverage figures.
#[derive(Debug, Clone, Copy)]
pub struct CoverageSettings {
    /// Counts of non-public rows below this are suppressed for viewers who may not read them.
    pub disclosure_threshold: i64,
}

impl Default for CoverageSettings {
    fn default() -> Self {
        CoverageSettings {
            disclosure_threshold: 3,
        }
    }
}

/// The step between the dates of a timeline.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl From<Interval> for service::Interval {
    fn from(value: Interval) -> Self {
        match value {
            Interval::Day => service::Interval::Day,
            Interval::Week => service::Interval::Week,
            Interval::Month => service::Interval::Month,
            Interval::Quarter => service::Interval::Quarter,
            Interval::Year => service::Interval::Year,
        }
    }
}

/// Parses a stored enum value from a figure's dimension.
fn parse<E: Copy>(all: &[E], as_str: impl Fn(E) -> &'static str, text: &str) -> Option<E> {
    all.iter().copied().find(|e| as_str(*e) == text)
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// Coverage queries.
#[derive(Default)]
pub struct CoverageQuery;

#[Object]
impl CoverageQuery {
    /// How far the country is on `asOf` (default: today), as the registry recorded it by the end
    /// of that day (UTC). Non-public counts are subject to disclosure control for viewers who
    /// may not read them (see `disclosure`).
    async fn coverage(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Coverage> {
        let day = match as_of {
            Some(day) => service::check_date("asOf", day.0)?,
            None => chrono::Utc::now().date_naive(),
        };
        Ok(Coverage::set(ctx, vec![day])?.remove(0))
    }

    /// The coverage on `from` and every `interval` after it up to `to` (at most 120 dates), for
    /// charts. All dates are computed together: asking for more dates costs no extra statements.
    async fn coverage_timeline(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default_with = "Interval::Month")] interval: Interval,
    ) -> Result<Vec<Coverage>> {
        let dates = service::timeline(from.0, to.0, interval.into())?;
        Coverage::set(ctx, dates)
    }
}

/// The figures of one date.
#[derive(Clone)]
pub struct Coverage {
    set: Arc<service::Coverage>,
    point: usize,
    disclosure: Disclosure,
}

impl Coverage {
    /// One `Coverage` per date, sharing their figures.
    fn set(ctx: &Context<'_>, dates: Vec<chrono::NaiveDate>) -> Result<Vec<Coverage>> {
        let request = request(ctx)?;
        let settings = ctx
            .data_opt::<CoverageSettings>()
            .copied()
            .unwrap_or_default();
        let aggregate = crate::db::reader(&request.read_pool, access::aggregate_claims());
        let include_internal = access::can_see_member_materials(&request.viewer);
        let count = dates.len();
        let set = Arc::new(service::Coverage::new(
            dates,
            aggregate,
            request.db.clone(),
            include_internal,
        ));
        let disclosure = Disclosure {
            controlled: !access::can_read_every_status(&request.viewer),
            threshold: settings.disclosure_threshold,
        };
        Ok((0..count)
            .map(|point| Coverage {
                set: set.clone(),
                point,
                disclosure,
            })
            .collect())
    }

    fn figures(&self, grouping: Grouping, key: String) -> CoverageFigures {
        CoverageFigures {
            coverage: self.clone(),
            grouping,
            key,
        }
    }

    async fn groups(&self, grouping: Grouping) -> Result<Vec<CoverageGroup>> {
        let regions = self.set.figure(Figure::Regions, grouping).await?;
        Ok(regions
            .groups(self.point)
            .into_iter()
            .map(|key| CoverageGroup {
                figures: self.figures(grouping, key),
            })
            .collect())
    }
}

/// Whether and how figures were suppressed for this viewer.
#[derive(SimpleObject)]
pub struct DisclosureControl {
    /// Whether the figures are controlled: true for viewers who may not read every status
    /// (anonymous viewers, regional coordinators, LeVEL editors).
    pub controlled: bool,
    /// Cells counting from 1 up to (not including) this number of non-public rows are
    /// suppressed, with the other non-public cells of their block.
    pub minimum_count: i64,
    /// What suppression means, in words.
    pub explanation: String,
}

#[Object]
impl Coverage {
    /// The date of these figures.
    async fn as_of(&self) -> Date {
        Date(self.set.dates()[self.point])
    }

    /// The disclosure control applied: a suppressed cell is null and flagged `suppressed`.
    async fn disclosure(&self) -> DisclosureControl {
        DisclosureControl {
            controlled: self.disclosure.controlled,
            minimum_count: self.disclosure.threshold,
            explanation: if self.disclosure.controlled {
                format!(
                    "Counts of applications that are not granted (and so not public) are \
                     suppressed where a block of them holds between 1 and {} rows, which could \
                     point at single applications; suppressed cells are null with \
                     suppressed = true.",
                    self.disclosure.threshold - 1
                )
            } else {
                "Your role reads every status: nothing is suppressed.".to_owned()
            },
        }
    }

    /// The whole country.
    async fn national(&self) -> CoverageFigures {
        self.figures(Grouping::National, String::new())
    }

    /// Per care-office region (*zorgkantoorregio*), in the order of their ids.
    async fn by_care_office_region(&self) -> Result<Vec<CoverageGroup>> {
        let mut groups = self.groups(Grouping::CareOfficeRegion).await?;
        groups.sort_by_key(|g| g.figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(groups)
    }

    /// Per preferred insurer (*preferente zorgverzekeraar*); regions without one form the group
    /// with the empty key.
    async fn by_insurer(&self) -> Result<Vec<CoverageGroup>> {
        self.groups(Grouping::Insurer).await
    }

    /// Per region, in the order of their ids.
    async fn by_region(&self) -> Result<Vec<CoverageGroup>> {
        let mut groups = self.groups(Grouping::Region).await?;
        groups.sort_by_key(|g| g.figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(groups)
    }

    /// The LeVEL learning network, counted with your own rights (materials for members only for
    /// signed-in viewers).
    async fn learning(&self) -> LearningCoverage {
        LearningCoverage(self.clone())
    }
}

/// A group of regions and its figures.
pub struct CoverageGroup {
    figures: CoverageFigures,
}

#[Object]
impl CoverageGroup {
    /// The group's key: the care-office region's or region's database id, or the insurer's name.
    async fn key(&self) -> &str {
        &self.figures.key
    }

    /// The care-office region, when grouped by it.
    async fn care_office_region(&self, ctx: &Context<'_>) -> Result<Option<CareOfficeRegion>> {
        if self.figures.grouping != Grouping::CareOfficeRegion {
            return Ok(None);
        }
        let Ok(id) = self.figures.key.parse::<i32>() else {
            return Ok(None);
        };
        let table = request(ctx)?.care_office_regions().await?;
        Ok(table.get(&id).cloned().map(CareOfficeRegion))
    }

    /// The region, when grouped by region (as it is now; it may since have been renamed).
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        if self.figures.grouping != Grouping::Region {
            return Ok(None);
        }
        let Ok(id) = self.figures.key.parse::<i32>() else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(id)
            .await?
            .map(Region::from))
    }

    /// The preferred insurer, when grouped by insurer (null for regions without one).
    async fn insurer(&self) -> Option<&str> {
        (self.figures.grouping == Grouping::Insurer && !self.figures.key.is_empty())
            .then_some(self.figures.key.as_str())
    }

    /// The group's figures.
    async fn figures(&self) -> &CoverageFigures {
        &self.figures
    }
}

/// The figures of the whole country or of one group of regions.
pub struct CoverageFigures {
    coverage: Coverage,
    grouping: Grouping,
    key: String,
}

impl CoverageFigures {
    async fn rows(&self, figure: Figure) -> Result<&[Row]> {
        let grid: &Grid = self.coverage.set.figure(figure, self.grouping).await?;
        Ok(grid.rows(self.coverage.point, &self.key))
    }

    async fn single(&self, figure: Figure) -> Result<Option<&Row>> {
        Ok(self.rows(figure).await?.first())
    }

    /// (regions, population) of the group.
    async fn base(&self) -> Result<(i64, i64)> {
        Ok(self
            .single(Figure::Regions)
            .await?
            .map(|r| (r.value(0), r.value(1)))
            .unwrap_or((0, 0)))
    }

    fn suppress(&self, cells: &[i64]) -> bool {
        self.coverage.disclosure.suppress(cells)
    }

    /// The block of `rows` (dims: `block`, status) with every status, each with its row (if
    /// any) and whether it is suppressed: the non-public statuses go together.
    fn status_block<'r>(
        &self,
        rows: &'r [Row],
        block: &str,
    ) -> Vec<(entity::ApplicationStatus, Option<&'r Row>, bool)> {
        let row_of = |status: entity::ApplicationStatus| {
            rows.iter()
                .find(|r| r.dim(0) == block && r.dim(1) == status.as_str())
        };
        let public =
            |status: &entity::ApplicationStatus| *status == entity::ApplicationStatus::Granted;
        let hidden: Vec<i64> = entity::ApplicationStatus::ALL
            .iter()
            .filter(|s| !public(s))
            .map(|s| row_of(*s).map(|r| r.value(0)).unwrap_or(0))
            .collect();
        let suppress = self.suppress(&hidden);
        entity::ApplicationStatus::ALL
            .iter()
            .map(|s| (*s, row_of(*s), suppress && !public(s)))
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

fn amounts(row: Option<&Row>, first: usize) -> AmountFigures {
    let value = |i| row.and_then(|r| r.values.get(i).copied().flatten());
    AmountFigures {
        sum: Money::from_cents(value(first).unwrap_or(0)),
        min: value(first + 1).map(Money::from_cents),
        max: value(first + 2).map(Money::from_cents),
    }
}

/// Applications for one kind of subsidy in one status. Non-public statuses may be suppressed.
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

/// Vouchers of one discipline in one status. Non-public statuses may be suppressed.
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
        let rows = self.rows(Figure::Resvs).await?;
        let criteria_of = |rows: &[&Row]| -> Vec<CriterionCount> {
            entity::DesignCriterion::ALL
                .iter()
                .enumerate()
                .map(|(i, criterion)| CriterionCount {
                    criterion: (*criterion).into(),
                    met: rows.iter().map(|r| r.value(2 + i)).sum(),
                })
                .collect()
        };
        let minimum_at = 2 + entity::DesignCriterion::ALL.len();
        let by_phase = entity::Phase::ALL
            .iter()
            .map(|phase| {
                let of_phase: Vec<&Row> =
                    rows.iter().filter(|r| r.dim(0) == phase.as_str()).collect();
                PhaseFigures {
                    phase: (*phase).into(),
                    resvs: of_phase.iter().map(|r| r.value(0)).sum(),
                    population: of_phase.iter().map(|r| r.value(1)).sum(),
                    design_criteria: criteria_of(&of_phase),
                    minimum_composition_met: of_phase.iter().map(|r| r.value(minimum_at)).sum(),
                }
            })
            .collect::<Vec<_>>();
        let all: Vec<&Row> = rows.iter().collect();
        let tasks_at = minimum_at + 1;
        let main_tasks = entity::MainTask::ALL
            .iter()
            .enumerate()
            .map(|(t, task)| {
                let count = |s: usize| -> i64 {
                    all.iter()
                        .map(|r| r.value(tasks_at + t * TASK_STATUSES.len() + s))
                        .sum()
                };
                TaskFigures {
                    task: (*task).into(),
                    not_started: count(0),
                    in_progress: count(1),
                    operational: count(2),
                }
            })
            .collect();
        let covered: i64 = by_phase.iter().map(|p| p.population).sum();
        Ok(ResvCoverage {
            regions_with_resv: by_phase.iter().map(|p| p.resvs).sum(),
            population_covered: covered,
            population_share: share(covered, population),
            design_criteria: criteria_of(&all),
            minimum_composition_met: all.iter().map(|r| r.value(minimum_at)).sum(),
            by_phase,
            main_tasks,
        })
    }

    /// Seats at the RESV tables per discipline, and the multidisciplinary seats.
    async fn seats(&self) -> Result<SeatCoverage> {
        let resvs: i64 = self
            .rows(Figure::Resvs)
            .await?
            .iter()
            .map(|r| r.value(0))
            .sum();
        let rows = self.rows(Figure::Seats).await?;
        let by_discipline = entity::DisciplineCode::ALL
            .iter()
            .map(|discipline| {
                let count = |status: entity::MandateStatus| -> i64 {
                    rows.iter()
                        .filter(|r| r.dim(0) == discipline.as_str() && r.dim(1) == status.as_str())
                        .map(|r| r.value(0))
                        .sum()
                };
                let mandated = count(entity::MandateStatus::Mandated);
                let pending = count(entity::MandateStatus::Pending);
                let without_mandate = count(entity::MandateStatus::None);
                DisciplineSeats {
                    discipline: (*discipline).into(),
                    mandated,
                    pending,
                    without_mandate,
                    empty: (resvs - mandated - pending - without_mandate).max(0),
                }
            })
            .collect();
        let shared = self.single(Figure::SharedSeats).await?;
        Ok(SeatCoverage {
            by_discipline,
            multidisciplinary_seats: shared.map(|r| r.value(0)).unwrap_or(0),
            disciplines_in_multidisciplinary_seats: shared.map(|r| r.value(1)).unwrap_or(0),
        })
    }

    /// Subsidy applications per kind and status (every combination, zeros included).
    async fn subsidies(&self) -> Result<Vec<SubsidyFigures>> {
        let rows = self.rows(Figure::Subsidies).await?;
        let mut out = Vec::new();
        for kind in entity::SubsidyKind::ALL {
            for (status, row, suppressed) in self.status_block(rows, kind.as_str()) {
                out.push(SubsidyFigures {
                    kind: (*kind).into(),
                    status: status.into(),
                    suppressed,
                    applications: (!suppressed).then(|| row.map(|r| r.value(0)).unwrap_or(0)),
                    requested: (!suppressed).then(|| amounts(row, 1)),
                    granted: (!suppressed).then(|| amounts(row, 4)),
                });
            }
        }
        Ok(out)
    }

    /// Per kind of subsidy: regions (and inhabitants) that applied and that were granted one.
    async fn subsidy_reach(&self) -> Result<Vec<SubsidyReach>> {
        let (_, population) = self.base().await?;
        let rows = self.rows(Figure::SubsidyReach).await?;
        Ok(entity::SubsidyKind::ALL
            .iter()
            .map(|kind| {
                let row = rows.iter().find(|r| r.dim(0) == kind.as_str());
                let value = |i| row.map(|r| r.value(i)).unwrap_or(0);
                let (applied, applied_population) = (value(0), value(1));
                let (granted, granted_population) = (value(2), value(3));
                let suppressed = self.suppress(&[applied - granted]);
                SubsidyReach {
                    kind: (*kind).into(),
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
        let rows = self.rows(Figure::Vouchers).await?;
        let mut out = Vec::new();
        for discipline in entity::DisciplineCode::ALL {
            for (status, row, suppressed) in self.status_block(rows, discipline.as_str()) {
                out.push(VoucherFigures {
                    discipline: (*discipline).into(),
                    status: status.into(),
                    suppressed,
                    vouchers: (!suppressed).then(|| row.map(|r| r.value(0)).unwrap_or(0)),
                    amount: (!suppressed)
                        .then(|| Money::from_cents(row.map(|r| r.value(1)).unwrap_or(0))),
                });
            }
        }
        Ok(out)
    }

    /// Neighbourhood collaborations: how many, how many people they reach, how many have the
    /// minimum composition.
    async fn neighbourhoods(&self) -> Result<NeighbourhoodCoverage> {
        let (_, population) = self.base().await?;
        let row = self.single(Figure::Neighbourhoods).await?;
        let value = |i| row.map(|r| r.value(i)).unwrap_or(0);
        Ok(NeighbourhoodCoverage {
            collaborations: value(0),
            active: value(1),
            population: value(2),
            population_share: share(value(2), population),
            meeting_minimum_composition: value(3),
            share_meeting_minimum_composition: share(value(3), value(0)),
            population_meeting_minimum_composition: value(4),
        })
    }
}

/// Learning materials of one theme and kind.
#[derive(SimpleObject)]
pub struct MaterialCount {
    pub theme: Theme,
    pub kind: MaterialKind,
    pub materials: i64,
}

/// Learning materials of one kind.
#[derive(SimpleObject)]
pub struct MaterialKindCount {
    pub kind: MaterialKind,
    pub materials: i64,
}

/// The LeVEL learning network on a date.
pub struct LearningCoverage(Coverage);

#[Object]
impl LearningCoverage {
    /// Materials per theme and kind (a material with several themes counts under each).
    async fn by_theme_and_kind(&self) -> Result<Vec<MaterialCount>> {
        let grid = self.0.set.learning().await?;
        Ok(grid
            .rows(self.0.point, "")
            .iter()
            .filter(|r| !r.dim(0).is_empty())
            .filter_map(|r| {
                Some(MaterialCount {
                    theme: parse(entity::Theme::ALL, entity::Theme::as_str, r.dim(0))?.into(),
                    kind: parse(
                        entity::MaterialKind::ALL,
                        entity::MaterialKind::as_str,
                        r.dim(1),
                    )?
                    .into(),
                    materials: r.value(0),
                })
            })
            .collect())
    }

    /// Materials per kind, each counted once.
    async fn by_kind(&self) -> Result<Vec<MaterialKindCount>> {
        let grid = self.0.set.learning().await?;
        let rows = grid.rows(self.0.point, "");
        let mut out = Vec::new();
        for kind in entity::MaterialKind::ALL {
            let total: i64 = rows
                .iter()
                .filter(|r| r.dim(0).is_empty() && r.dim(1) == kind.as_str())
                .map(|r| r.value(0))
                .sum();
            out.push(MaterialKindCount {
                kind: (*kind).into(),
                materials: total,
            });
        }
        Ok(out)
    }

    /// Events and webinars starting after this date, soonest first (at most 20).
    async fn upcoming_events(&self, ctx: &Context<'_>) -> Result<Vec<LearningMaterial>> {
        let grid = self.0.set.events().await?;
        let ids: Vec<i32> = grid
            .rows(self.0.point, "")
            .iter()
            .filter_map(|r| i32::try_from(r.value(0)).ok())
            .collect();
        let loaded = request(ctx)?
            .loaders
            .material()
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| loaded.get(id).cloned().map(LearningMaterial))
            .collect())
    }
}
