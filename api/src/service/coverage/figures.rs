//! The figures, each a type with named fields: the statement that counts it and how one of its
//! result rows reads, side by side, so the columns a statement selects and the fields they fill
//! are written in one place. Lists of columns (criteria, tasks, statuses) come from `entity`'s
//! declarations and are read back in the same declaration order.

use super::sql::{Take, columns, live, quoted};
use super::{Grid, Grouping};
use entity::{
    ApplicationStatus, DesignCriterion, DisciplineCode, MainTask, MandateStatus, Per, Phase,
    SubsidyKind, TaskStatus,
};
use tokio::sync::OnceCell;

/// A figure: one statement per grouping, whose rows (after the date's index and the group's
/// key) are taken into `Self` by its fields ([`columns!`]).
pub trait Figure: Take + Kept + Send + Sync + 'static {
    /// The statement after the dates' CTE: selects `i`, `g`, then the columns of `Self`'s
    /// fields, in their order.
    fn sql(grouping: Grouping) -> String;
}

/// Where a coverage set keeps a figure's grids (from the table in [`cells!`]).
pub trait Kept: Sized {
    fn cells(cells: &Cells) -> &PerGrouping<Self>;
}

/// One grid per grouping, each fetched on first use.
pub struct PerGrouping<F>([OnceCell<Grid<F>>; Grouping::ALL.len()]);

impl<F> Default for PerGrouping<F> {
    fn default() -> Self {
        PerGrouping(std::array::from_fn(|_| OnceCell::new()))
    }
}

impl<F> PerGrouping<F> {
    pub(super) fn get(&self, grouping: Grouping) -> &OnceCell<Grid<F>> {
        &self.0[grouping.index()]
    }
}

/// The figures, each with its grids' field in [`Cells`]: one line per figure.
macro_rules! cells {
    ($($field:ident: $figure:ident),+ $(,)?) => {
        /// The grids of every figure of a coverage set.
        #[derive(Default)]
        pub struct Cells {
            $($field: PerGrouping<$figure>,)+
        }

        $(impl Kept for $figure {
            fn cells(cells: &Cells) -> &PerGrouping<Self> {
                &cells.$field
            }
        })+
    };
}

cells! {
    regions: RegionTotals,
    phases: PhaseTotals,
    seats: SeatTotals,
    shared_seats: SharedSeatTotals,
    subsidies: SubsidyTotals,
    reach: ReachTotals,
    vouchers: VoucherTotals,
    neighbourhoods: NeighbourhoodTotals,
}

columns! {
    /// The regions of a group (one row).
    pub struct RegionTotals {
        pub regions: i64,
        /// Inhabitants (approximate).
        pub population: i64,
    }
}

/// What every figure's statement is grouped and filtered by: the group's key, what follows
/// `GROUP BY <date index>`, and when a region row `r` counts.
struct Scope {
    key: &'static str,
    group: String,
    r: String,
}

impl Scope {
    fn of(grouping: Grouping) -> Scope {
        Scope {
            key: grouping.key(),
            group: grouping.group_by(),
            // A region retired by a merge or split no longer counts from the moment that was
            // recorded.
            r: format!(
                "{} AND NOT EXISTS (SELECT 1 FROM region_lineage l WHERE l.predecessor_id = r.id \
                   AND l.kind <> 'RENAME' AND l.recorded_ms <= t.ms)",
                live("r")
            ),
        }
    }
}

impl Figure for RegionTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, COUNT(*), CAST(SUM(r.population_approx) AS BIGINT) \
             FROM t JOIN region_history r ON {r} GROUP BY t.i{group}",
        )
    }
}

columns! {
    /// The RESVs of a group in one development phase.
    pub struct PhaseTotals {
        pub phase: Phase,
        pub resvs: i64,
        /// Inhabitants of their regions.
        pub population: i64,
        /// RESVs meeting each design criterion.
        pub criteria_met: Per<DesignCriterion, i64>,
        /// RESVs whose table has the minimum composition.
        pub minimum_composition_met: i64,
        /// RESVs by the status of each main task.
        pub tasks: Per<MainTask, Per<TaskStatus, i64>>,
    }
}

/// Disciplines an RESV's minimum composition needs mandated; social work must hold a seat.
const RESV_MANDATED: [DisciplineCode; 3] = [
    DisciplineCode::GeneralPractice,
    DisciplineCode::DistrictNursing,
    DisciplineCode::Pharmacy,
];

impl Figure for PhaseTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let (v, sd, s) = (live("v"), live("sd"), live("s"));
        let criteria: Vec<String> = DesignCriterion::ALL
            .iter()
            .map(|c| format!("SUM(CASE WHEN v.{} THEN 1 ELSE 0 END)", c.met_column()))
            .collect();
        let tasks: Vec<String> = MainTask::ALL
            .iter()
            .flat_map(|task| {
                TaskStatus::ALL.iter().map(move |s| {
                    format!(
                        "SUM(CASE WHEN v.{} = '{}' THEN 1 ELSE 0 END)",
                        task.column(),
                        s.as_str()
                    )
                })
            })
            .collect();
        let mandated = quoted(RESV_MANDATED.iter().map(|d| d.as_str().to_owned()));
        let social = DisciplineCode::SocialWork.as_str();
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, v.phase, COUNT(*), \
               CAST(SUM(r.population_approx) AS BIGINT), {criteria}, \
               SUM(CASE WHEN mc.n = {needed} THEN 1 ELSE 0 END), {tasks} \
             FROM t JOIN resv_history v ON {v} \
             JOIN region_history r ON r.id = v.region_id AND {r} \
             LEFT JOIN (SELECT t.i AS i, sd.resv_id AS resv_id, COUNT(DISTINCT sd.discipline_code) AS n \
               FROM t JOIN seat_discipline_history sd ON {sd} \
               JOIN seat_history s ON s.id = sd.seat_id AND {s} \
               WHERE (sd.discipline_code IN ({mandated}) AND s.mandate_status = 'MANDATED') \
                  OR sd.discipline_code = '{social}' \
               GROUP BY t.i, sd.resv_id) mc ON mc.i = t.i AND mc.resv_id = v.id \
             GROUP BY t.i{group}, v.phase",
            criteria = criteria.join(", "),
            tasks = tasks.join(", "),
            needed = RESV_MANDATED.len() + 1,
        )
    }
}

columns! {
    /// Seats holding one discipline with one mandate status.
    pub struct SeatTotals {
        pub discipline: DisciplineCode,
        pub mandate: MandateStatus,
        pub seats: i64,
    }
}

impl Figure for SeatTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let (sd, s, v) = (live("sd"), live("s"), live("v"));
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, sd.discipline_code, s.mandate_status, COUNT(*) \
             FROM t JOIN seat_discipline_history sd ON {sd} \
             JOIN seat_history s ON s.id = sd.seat_id AND {s} \
             JOIN resv_history v ON v.id = sd.resv_id AND {v} \
             JOIN region_history r ON r.id = v.region_id AND {r} \
             GROUP BY t.i{group}, sd.discipline_code, s.mandate_status",
        )
    }
}

columns! {
    /// Seats held for several disciplines at once (one row).
    pub struct SharedSeatTotals {
        pub seats: i64,
        /// Disciplines represented through those seats.
        pub disciplines: i64,
    }
}

impl Figure for SharedSeatTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let (sd, v) = (live("sd"), live("v"));
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, COUNT(*), CAST(SUM(m.n) AS BIGINT) \
             FROM (SELECT t.i AS i, sd.seat_id AS seat_id, sd.resv_id AS resv_id, COUNT(*) AS n \
                   FROM t JOIN seat_discipline_history sd ON {sd} \
                   GROUP BY t.i, sd.seat_id, sd.resv_id HAVING COUNT(*) > 1) m \
             JOIN t ON t.i = m.i \
             JOIN resv_history v ON v.id = m.resv_id AND {v} \
             JOIN region_history r ON r.id = v.region_id AND {r} \
             GROUP BY t.i{group}",
        )
    }
}

columns! {
    /// Sum, smallest and largest of a set of amounts, in cents.
    #[derive(Copy, Default)]
    pub struct Amounts {
        /// Zero when there is no amount.
        pub sum: i64,
        pub min: Option<i64>,
        pub max: Option<i64>,
    }
}

columns! {
    /// Applications for one kind of subsidy in one status.
    pub struct SubsidyTotals {
        pub kind: SubsidyKind,
        pub status: ApplicationStatus,
        pub applications: i64,
        pub requested: Amounts,
        pub granted: Amounts,
    }
}

impl Figure for SubsidyTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let s = live("s");
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, s.kind, s.status, COUNT(*), \
               CAST(SUM(s.amount_requested_cents) AS BIGINT), MIN(s.amount_requested_cents), \
               MAX(s.amount_requested_cents), CAST(SUM(s.amount_granted_cents) AS BIGINT), \
               MIN(s.amount_granted_cents), MAX(s.amount_granted_cents) \
             FROM t JOIN subsidy_history s ON {s} \
             {join} region_history r ON r.id = s.region_id AND {r} \
             GROUP BY t.i{group}, s.kind, s.status",
            join = grouping.region_join(),
        )
    }
}

columns! {
    /// Regions (and their inhabitants) that applied for, and were granted, one kind of subsidy.
    pub struct ReachTotals {
        pub kind: SubsidyKind,
        pub regions_applied: i64,
        pub population_applied: i64,
        pub regions_granted: i64,
        pub population_granted: i64,
    }
}

impl Figure for ReachTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let s = live("s");
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, k.kind, COUNT(*), \
               CAST(SUM(r.population_approx) AS BIGINT), CAST(SUM(k.granted) AS BIGINT), \
               CAST(SUM(CASE WHEN k.granted = 1 THEN r.population_approx ELSE 0 END) AS BIGINT) \
             FROM (SELECT t.i AS i, s.kind AS kind, s.region_id AS region_id, \
                     MAX(CASE WHEN s.status = 'GRANTED' THEN 1 ELSE 0 END) AS granted \
                   FROM t JOIN subsidy_history s ON {s} \
                   WHERE s.region_id IS NOT NULL GROUP BY t.i, s.kind, s.region_id) k \
             JOIN t ON t.i = k.i \
             JOIN region_history r ON r.id = k.region_id AND {r} \
             GROUP BY t.i{group}, k.kind",
        )
    }
}

columns! {
    /// Vouchers of one discipline in one status.
    pub struct VoucherTotals {
        pub discipline: DisciplineCode,
        pub status: ApplicationStatus,
        pub vouchers: i64,
        pub amount_cents: i64,
    }
}

impl Figure for VoucherTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let o = live("o");
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, o.discipline_code, o.status, COUNT(*), \
               CAST(SUM(o.amount_cents) AS BIGINT) \
             FROM t JOIN voucher_history o ON {o} \
             JOIN region_history r ON r.id = o.region_id AND {r} \
             GROUP BY t.i{group}, o.discipline_code, o.status",
        )
    }
}

columns! {
    /// Neighbourhood collaborations of a group that have not stopped (one row).
    #[derive(Default)]
    pub struct NeighbourhoodTotals {
        pub collaborations: i64,
        pub active: i64,
        /// Inhabitants of their areas.
        pub population: i64,
        /// Collaborations with the minimum composition.
        pub meeting_minimum: i64,
        /// Inhabitants of their areas.
        pub population_meeting_minimum: i64,
    }
}

impl Figure for NeighbourhoodTotals {
    fn sql(grouping: Grouping) -> String {
        let Scope { key, group, r } = Scope::of(grouping);
        let minimum = quoted(
            DisciplineCode::MINIMUM_COMPOSITION
                .iter()
                .map(|d| d.as_str().to_owned()),
        );
        let (c, d) = (live("c"), live("d"));
        format!(
            "SELECT CAST(t.i AS BIGINT), {key}, COUNT(*), \
               SUM(CASE WHEN c.status = 'ACTIVE' THEN 1 ELSE 0 END), \
               CAST(SUM(c.population) AS BIGINT), \
               SUM(CASE WHEN mc.n = {needed} THEN 1 ELSE 0 END), \
               CAST(SUM(CASE WHEN mc.n = {needed} THEN c.population ELSE 0 END) AS BIGINT) \
             FROM t JOIN neighbourhood_collaboration_history c ON {c} \
             JOIN region_history r ON r.id = c.region_id AND {r} \
             LEFT JOIN (SELECT t.i AS i, d.collaboration_id AS id, COUNT(*) AS n \
               FROM t JOIN nc_discipline_history d ON {d} \
               WHERE d.discipline_code IN ({minimum}) \
               GROUP BY t.i, d.collaboration_id) mc ON mc.i = t.i AND mc.id = c.id \
             WHERE c.status <> 'STOPPED' \
             GROUP BY t.i{group}",
            needed = DisciplineCode::MINIMUM_COMPOSITION.len(),
        )
    }
}
