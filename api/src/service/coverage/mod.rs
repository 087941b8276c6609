//! Coverage figures: how far the country is, for one or more dates, nationally and grouped by
//! care-office region, preferred insurer or region.
//!
//! Every figure is a GROUP BY over the history tables (migration `m20261123_000004_history`) as
//! they stood at the end of each requested day, so one statement answers a figure for a whole
//! timeline, and the number of statements depends on the figures asked for, never on the number
//! of regions or dates. A figure is a type with named fields ([`figures`]), taken from its
//! statement's columns in the order of its fields; a statement's rows fill a [`Grid`] of them by
//! the date's index and the group's key.
//!
//! Counts over the whole registry are public aggregates (the role table): they are read under the
//! aggregate claims. Learning materials are counted with the viewer's own rights.

mod figures;
pub mod learning;
mod sql;

pub use figures::{
    Amounts, Figure, NeighbourhoodTotals, PhaseTotals, ReachTotals, RegionTotals, SeatTotals,
    SharedSeatTotals, SubsidyTotals, VoucherTotals,
};
pub use learning::{MAX_EVENTS, MaterialTotals, UpcomingEvent};

use crate::db::Reader;
use crate::error::{ApiError, ApiResult};
use chrono::{Days, Months, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use sql::{dates_cte, grid};
use std::collections::HashMap;
use tokio::sync::OnceCell;

/// The most dates one timeline may ask for.
pub const MAX_POINTS: usize = 120;
/// The earliest date the registry answers for.
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
}

/// How groups are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grouping {
    National,
    CareOfficeRegion,
    Insurer,
    Region,
}

impl Grouping {
    pub const ALL: [Grouping; 4] = [
        Grouping::National,
        Grouping::CareOfficeRegion,
        Grouping::Insurer,
        Grouping::Region,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The group key of region row `r` (text); the national group's key is empty.
    fn key(self) -> &'static str {
        match self {
            Grouping::National => "''",
            Grouping::CareOfficeRegion => "CAST(r.care_office_region_id AS TEXT)",
            Grouping::Insurer => "COALESCE(r.preferred_insurer, '')",
            Grouping::Region => "CAST(r.id AS TEXT)",
        }
    }

    /// What follows `GROUP BY <date index>`.
    fn group_by(self) -> String {
        match self {
            Grouping::National => String::new(),
            other => format!(", {}", other.key()),
        }
    }

    /// How rows not tied to a region (the research subsidy) join the regions: kept nationally.
    fn region_join(self) -> &'static str {
        match self {
            Grouping::National => "LEFT JOIN",
            _ => "JOIN",
        }
    }
}

/// The figures `F` of every date and group, by (date index, group key).
#[derive(Debug)]
pub struct Grid<F>(HashMap<(usize, String), Vec<F>>);

impl<F> Default for Grid<F> {
    fn default() -> Self {
        Grid(HashMap::new())
    }
}

impl<F> Grid<F> {
    /// The figures of `group` at `point` (several for a figure by phase, kind or status).
    pub fn rows(&self, point: usize, group: &str) -> &[F] {
        self.0
            .get(&(point, group.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The figure of `group` at `point`, for a figure of one row per group.
    pub fn one(&self, point: usize, group: &str) -> Option<&F> {
        self.rows(point, group).first()
    }

    /// The group keys present at `point`, in key order.
    pub fn groups(&self, point: usize) -> Vec<String> {
        let mut keys: Vec<String> = self
            .0
            .keys()
            .filter(|(p, _)| *p == point)
            .map(|(_, g)| g.clone())
            .collect();
        keys.sort();
        keys
    }
}

/// The moment at the end of `day` (UTC), in milliseconds since the epoch: the figures of a day
/// are those the registry held when the day was over.
pub fn end_of_day_ms(day: NaiveDate) -> i64 {
    (day + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis()
        - 1
}

/// Checks an `asOf` date: not before the registry's history, not in the future.
pub fn check_date(field: &str, day: NaiveDate) -> ApiResult<NaiveDate> {
    let today = Utc::now().date_naive();
    if day > today {
        return Err(ApiError::invalid(
            field,
            format!("{day} lies in the future; the registry knows figures up to today ({today})"),
        ));
    }
    if day < earliest() {
        return Err(ApiError::invalid(
            field,
            format!("{day} lies before the registry's history ({})", earliest()),
        ));
    }
    Ok(day)
}

/// The step of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// The dates of a timeline: `from`, then every `interval` after it, up to and including `to`.
pub fn timeline(from: NaiveDate, to: NaiveDate, interval: Interval) -> ApiResult<Vec<NaiveDate>> {
    let from = check_date("from", from)?;
    let to = check_date("to", to)?;
    if to < from {
        return Err(ApiError::invalid("to", "lies before from"));
    }
    let mut dates = Vec::new();
    for step in 0.. {
        let step = step as u32;
        let day = match interval {
            Interval::Day => from.checked_add_days(Days::new(step.into())),
            Interval::Week => from.checked_add_days(Days::new(7 * u64::from(step))),
            Interval::Month => from.checked_add_months(Months::new(step)),
            Interval::Quarter => from.checked_add_months(Months::new(3 * step)),
            Interval::Year => from.checked_add_months(Months::new(12 * step)),
        };
        match day {
            Some(day) if day <= to => dates.push(day),
            _ => break,
        }
        if dates.len() > MAX_POINTS {
            return Err(ApiError::invalid(
                "interval",
                format!(
                    "the timeline would have more than {MAX_POINTS} points; choose a longer interval or a shorter period"
                ),
            ));
        }
    }
    Ok(dates)
}

/// The figures of a set of dates, fetched on first use and shared by everything that reads them.
pub struct Coverage {
    dates: Vec<NaiveDate>,
    aggregate: Reader,
    viewer: Reader,
    include_internal: bool,
    figures: figures::Cells,
    learning: OnceCell<Grid<MaterialTotals>>,
    events: OnceCell<Grid<UpcomingEvent>>,
}

impl Coverage {
    /// Figures for `dates`, counting through `aggregate` (aggregate claims) and the learning
    /// network through `viewer` (the viewer's own rights; `include_internal` if those include
    /// internal materials).
    pub fn new(
        dates: Vec<NaiveDate>,
        aggregate: Reader,
        viewer: Reader,
        include_internal: bool,
    ) -> Self {
        Coverage {
            dates,
            aggregate,
            viewer,
            include_internal,
            figures: figures::Cells::default(),
            learning: OnceCell::new(),
            events: OnceCell::new(),
        }
    }

    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Figure `F` grouped by `grouping`, for every date.
    pub async fn figure<F: Figure>(&self, grouping: Grouping) -> ApiResult<&Grid<F>> {
        F::cells(&self.figures)
            .get(grouping)
            .get_or_try_init(|| async {
                let sql = format!("{} {}", dates_cte(&self.dates), F::sql(grouping));
                grid(&self.aggregate, sql).await
            })
            .await
    }

    /// Learning materials by theme and kind, and by kind counting each material once (in the
    /// one group '').
    pub async fn learning(&self) -> ApiResult<&Grid<MaterialTotals>> {
        self.learning
            .get_or_try_init(|| async {
                let sql = format!(
                    "{} {}",
                    dates_cte(&self.dates),
                    MaterialTotals::sql(self.include_internal)
                );
                grid(&self.viewer, sql).await
            })
            .await
    }

    /// The upcoming events after each date, soonest first (in the one group '').
    pub async fn events(&self) -> ApiResult<&Grid<UpcomingEvent>> {
        self.events
            .get_or_try_init(|| async {
                let backend = self.viewer.get_database_backend();
                let sql = format!(
                    "{} {}",
                    dates_cte(&self.dates),
                    UpcomingEvent::sql(backend, self.include_internal, MAX_EVENTS)
                );
                grid(&self.viewer, sql).await
            })
            .await
    }
}

/// A figure that counts rows not every viewer may read (applications that are not granted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonPublic {
    /// Subsidy applications per kind in a status other than granted.
    SubsidyStatus,
    /// Vouchers per discipline in a status other than granted.
    VoucherStatus,
    /// Regions (and their inhabitants) that applied for a kind of subsidy, granted or not.
    RegionsApplied,
}

/// The non-public figures that are published all the same, per grouping: how many regions applied
/// for each kind of subsidy nationally is what ZonMw itself reports ("52 of 54 regions, 98% of the
/// inhabitants", mid-2025), and it names no region.
pub const PUBLIC_AGGREGATES: &[(NonPublic, Grouping)] =
    &[(NonPublic::RegionsApplied, Grouping::National)];

/// Disclosure control: which figures a viewer who may not read every status does not get.
///
/// Whether a cell is suppressed depends on what it counts and on the grouping only, never on its
/// value: a rule on the value (say, "suppress counts of 1 or 2") flags exactly the groups that hold
/// a few non-public rows, so the flag itself tells what suppression was meant to hide. Such a viewer
/// gets every non-public figure as null and `suppressed`, in every group and at every date, except
/// the [`PUBLIC_AGGREGATES`].
#[derive(Debug, Clone, Copy)]
pub struct Disclosure {
    /// Whether the viewer's figures are controlled (they cannot read every status).
    pub controlled: bool,
}

impl Disclosure {
    /// Whether `figure` is withheld from this viewer in `grouping`.
    pub fn hides(&self, figure: NonPublic, grouping: Grouping) -> bool {
        self.controlled && !PUBLIC_AGGREGATES.contains(&(figure, grouping))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn a_day_ends_just_before_the_next_midnight() {
        assert_eq!(end_of_day_ms(day(2025, 7, 1)), 1_751_414_399_999);
    }

    #[test]
    fn timelines_step_by_calendar_months_and_stop_at_the_end() {
        let dates =
            timeline(day(2024, 1, 31), day(2024, 5, 1), Interval::Month).expect("a timeline");
        assert_eq!(
            dates,
            vec![
                day(2024, 1, 31),
                day(2024, 2, 29),
                day(2024, 3, 31),
                day(2024, 4, 30)
            ]
        );
        assert_eq!(
            timeline(day(2024, 1, 1), day(2024, 1, 1), Interval::Year).expect("a timeline"),
            vec![day(2024, 1, 1)]
        );
        assert!(timeline(day(2024, 2, 1), day(2024, 1, 1), Interval::Day).is_err());
        assert!(timeline(day(2020, 1, 1), day(2025, 1, 1), Interval::Day).is_err());
        assert!(timeline(day(2019, 1, 1), day(2020, 1, 1), Interval::Month).is_err());
    }

    #[test]
    fn future_dates_are_refused() {
        let tomorrow = Utc::now().date_naive() + Days::new(1);
        assert!(check_date("asOf", tomorrow).is_err());
        assert!(check_date("asOf", Utc::now().date_naive()).is_ok());
    }

    #[test]
    fn non_public_figures_are_withheld_everywhere_but_the_published_aggregate() {
        let controlled = Disclosure { controlled: true };
        let open = Disclosure { controlled: false };
        for grouping in Grouping::ALL {
            for figure in [
                NonPublic::SubsidyStatus,
                NonPublic::VoucherStatus,
                NonPublic::RegionsApplied,
            ] {
                let published =
                    figure == NonPublic::RegionsApplied && grouping == Grouping::National;
                assert_eq!(
                    controlled.hides(figure, grouping),
                    !published,
                    "{figure:?} {grouping:?}"
                );
                assert!(!open.hides(figure, grouping));
            }
        }
    }
}
