//! Coverage figures: how far the country is, for one or more dates, nationally and grouped by
//! care-office region, preferred insurer or region.
//!
//! Every figure is a GROUP BY over the history tables (migration `m20261123_000004_history`) as
//! they stood at the end of each requested day, so one statement answers a figure for a whole
//! timeline, and the number of statements depends on the figures asked for, never on the number
//! of regions or dates. A statement returns [`Row`]s: the date's index, the group's key, then the
//! figure's dimensions (text) and values (integers).
//!
//! Counts over the whole registry are public aggregates (the role table): they are read under the
//! aggregate claims. Learning materials are counted with the viewer's own rights.

use crate::db::Reader;
use crate::error::{ApiError, ApiResult};
use chrono::{Days, Months, NaiveDate, Utc};
use entity::DisciplineCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::HashMap;

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

/// A figure: one statement, computed once per grouping and request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// values: regions, population.
    Regions,
    /// dims: phase; values: RESVs, population, 5 criteria met, minimum composition met, then the
    /// 5 main tasks × (not started, in progress, operational).
    Resvs,
    /// dims: discipline, mandate status; values: seats.
    Seats,
    /// values: multidisciplinary seats, disciplines in them.
    SharedSeats,
    /// dims: kind, status; values: applications, requested sum/min/max, granted sum/min/max.
    Subsidies,
    /// dims: kind; values: regions applied, their population, regions granted, their population.
    SubsidyReach,
    /// dims: discipline, status; values: vouchers, amount.
    Vouchers,
    /// values: collaborations (not stopped), active, population, meeting the minimum composition,
    /// their population.
    Neighbourhoods,
}

impl Figure {
    const COUNT: usize = 8;

    fn index(self) -> usize {
        self as usize
    }
}

/// One result row of a figure.
#[derive(Debug, Clone)]
pub struct Row {
    pub dims: Vec<String>,
    pub values: Vec<Option<i64>>,
}

impl Row {
    /// Value `i`, zero when null (a sum over no rows).
    pub fn value(&self, i: usize) -> i64 {
        self.values.get(i).copied().flatten().unwrap_or(0)
    }

    pub fn dim(&self, i: usize) -> &str {
        self.dims.get(i).map(String::as_str).unwrap_or("")
    }
}

/// The rows of one figure, by (date index, group key).
#[derive(Debug, Default)]
pub struct Grid(HashMap<(usize, String), Vec<Row>>);

impl Grid {
    pub fn rows(&self, point: usize, group: &str) -> &[Row] {
        self.0
            .get(&(point, group.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
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

/// `alias` as it stood at the moment of date row `t`.
fn live(alias: &str) -> String {
    format!("{alias}.valid_from <= t.ms AND ({alias}.valid_to IS NULL OR {alias}.valid_to > t.ms)")
}

/// The dates as a table `t(i, ms)`.
fn dates_cte(dates: &[NaiveDate]) -> String {
    let rows: Vec<String> = dates
        .iter()
        .enumerate()
        .map(|(i, day)| format!("({i}, {})", end_of_day_ms(*day)))
        .collect();
    format!("WITH t(i, ms) AS (VALUES {})", rows.join(", "))
}

fn quoted(values: impl IntoIterator<Item = String>) -> String {
    values
        .into_iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The main tasks' columns, in the order of the five tasks.
fn task_columns() -> impl Iterator<Item = &'static str> {
    entity::MainTask::ALL.iter().map(|t| t.column())
}

/// The design criteria's flag columns, in the order of the five criteria.
pub fn criterion_columns() -> impl Iterator<Item = &'static str> {
    entity::DesignCriterion::ALL.iter().map(|c| c.met_column())
}

/// The task statuses, in the order of the task values of [`Figure::Resvs`].
pub const TASK_STATUSES: [entity::TaskStatus; 3] = [
    entity::TaskStatus::NotStarted,
    entity::TaskStatus::InProgress,
    entity::TaskStatus::Operational,
];

/// Disciplines an RESV's minimum composition needs mandated; social work must hold a seat.
const RESV_MANDATED: [DisciplineCode; 3] = [
    DisciplineCode::GeneralPractice,
    DisciplineCode::DistrictNursing,
    DisciplineCode::Pharmacy,
];

/// The SQL of `figure` grouped by `grouping` (after the dates' CTE): selects `i`, `g`, the
/// dimensions, then the values.
fn figure_sql(figure: Figure, grouping: Grouping) -> String {
    let key = grouping.key();
    let group = grouping.group_by();
    // A region retired by a merge or split no longer counts from the moment that was recorded.
    let r = format!(
        "{} AND NOT EXISTS (SELECT 1 FROM region_lineage l WHERE l.predecessor_id = r.id \
           AND l.kind <> 'RENAME' AND l.recorded_ms <= t.ms)",
        live("r")
    );
    match figure {
        Figure::Regions => format!(
            "SELECT CAST(t.i AS BIGINT), {key}, COUNT(*), CAST(SUM(r.population_approx) AS BIGINT) \
             FROM t JOIN region_history r ON {r} GROUP BY t.i{group}"
        ),
        Figure::Resvs => {
            let criteria: Vec<String> = criterion_columns()
                .map(|c| format!("SUM(CASE WHEN v.{c} THEN 1 ELSE 0 END)"))
                .collect();
            let tasks: Vec<String> = task_columns()
                .flat_map(|c| {
                    TASK_STATUSES.iter().map(move |s| {
                        format!("SUM(CASE WHEN v.{c} = '{}' THEN 1 ELSE 0 END)", s.as_str())
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
                v = live("v"),
                sd = live("sd"),
                s = live("s"),
            )
        }
        Figure::Seats => format!(
            "SELECT CAST(t.i AS BIGINT), {key}, sd.discipline_code, s.mandate_status, COUNT(*) \
             FROM t JOIN seat_discipline_history sd ON {sd} \
             JOIN seat_history s ON s.id = sd.seat_id AND {s} \
             JOIN resv_history v ON v.id = sd.resv_id AND {v} \
             JOIN region_history r ON r.id = v.region_id AND {r} \
             GROUP BY t.i{group}, sd.discipline_code, s.mandate_status",
            sd = live("sd"),
            s = live("s"),
            v = live("v"),
        ),
        Figure::SharedSeats => format!(
            "SELECT CAST(t.i AS BIGINT), {key}, COUNT(*), CAST(SUM(m.n) AS BIGINT) \
             FROM (SELECT t.i AS i, sd.seat_id AS seat_id, sd.resv_id AS resv_id, COUNT(*) AS n \
                   FROM t JOIN seat_discipline_history sd ON {sd} \
                   GROUP BY t.i, sd.seat_id, sd.resv_id HAVING COUNT(*) > 1) m \
             JOIN t ON t.i = m.i \
             JOIN resv_history v ON v.id = m.resv_id AND {v} \
             JOIN region_history r ON r.id = v.region_id AND {r} \
             GROUP BY t.i{group}",
            sd = live("sd"),
            v = live("v"),
        ),
        Figure::Subsidies => format!(
            "SELECT CAST(t.i AS BIGINT), {key}, s.kind, s.status, COUNT(*), \
               CAST(SUM(s.amount_requested_cents) AS BIGINT), MIN(s.amount_requested_cents), \
               MAX(s.amount_requested_cents), CAST(SUM(s.amount_granted_cents) AS BIGINT), \
               MIN(s.amount_granted_cents), MAX(s.amount_granted_cents) \
             FROM t JOIN subsidy_history s ON {s} \
             {join} region_history r ON r.id = s.region_id AND {r} \
             GROUP BY t.i{group}, s.kind, s.status",
            s = live("s"),
            join = grouping.region_join(),
        ),
        Figure::SubsidyReach => format!(
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
            s = live("s"),
        ),
        Figure::Vouchers => format!(
            "SELECT CAST(t.i AS BIGINT), {key}, o.discipline_code, o.status, COUNT(*), \
               CAST(SUM(o.amount_cents) AS BIGINT) \
             FROM t JOIN voucher_history o ON {o} \
             JOIN region_history r ON r.id = o.region_id AND {r} \
             GROUP BY t.i{group}, o.discipline_code, o.status",
            o = live("o"),
        ),
        Figure::Neighbourhoods => {
            let minimum = quoted(
                DisciplineCode::MINIMUM_COMPOSITION
                    .iter()
                    .map(|d| d.as_str().to_owned()),
            );
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
                c = live("c"),
                d = live("d"),
            )
        }
    }
}

/// The number of dimension and value columns of `figure`.
fn shape(figure: Figure) -> (usize, usize) {
    match figure {
        Figure::Regions => (0, 2),
        Figure::Resvs => (
            1,
            2 + entity::DesignCriterion::ALL.len()
                + 1
                + entity::MainTask::ALL.len() * TASK_STATUSES.len(),
        ),
        Figure::Seats => (2, 1),
        Figure::SharedSeats => (0, 2),
        Figure::Subsidies => (2, 7),
        Figure::SubsidyReach => (1, 4),
        Figure::Vouchers => (2, 2),
        Figure::Neighbourhoods => (0, 5),
    }
}

/// Runs `sql` (selecting date index, group key, `dims` texts, then `values` integers) into a grid.
async fn grid<C: ConnectionTrait>(
    db: &C,
    sql: String,
    (dims, values): (usize, usize),
) -> ApiResult<Grid> {
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut grid = Grid::default();
    for row in rows {
        let point: i64 = row.try_get_by_index(0)?;
        let group: String = row.try_get_by_index(1)?;
        let mut out = Row {
            dims: Vec::with_capacity(dims),
            values: Vec::with_capacity(values),
        };
        for i in 2..2 + dims {
            out.dims.push(row.try_get_by_index(i)?);
        }
        for i in 2 + dims..2 + dims + values {
            out.values.push(row.try_get_by_index(i)?);
        }
        grid.0
            .entry((usize::try_from(point).unwrap_or(0), group))
            .or_default()
            .push(out);
    }
    Ok(grid)
}

/// Learning materials the viewer may see, by theme and kind (dims: theme, kind; value:
/// materials), and by kind, each material once (dims: '', kind).
fn learning_sql(include_internal: bool) -> String {
    let visible = if include_internal {
        String::new()
    } else {
        " AND m.visibility = 'PUBLIC'".to_owned()
    };
    format!(
        "SELECT CAST(t.i AS BIGINT), '', mt.theme, m.kind, COUNT(*) \
         FROM t JOIN learning_material_history m ON {m}{visible} \
         JOIN material_theme_history mt ON mt.material_id = m.id AND {mt} \
         GROUP BY t.i, mt.theme, m.kind \
         UNION ALL \
         SELECT CAST(t.i AS BIGINT), '', '', m.kind, COUNT(*) \
         FROM t JOIN learning_material_history m ON {m}{visible} \
         GROUP BY t.i, m.kind",
        m = live("m"),
        mt = live("mt"),
    )
}

/// The moment (ms) an event starts, from a stored timestamp.
fn epoch_ms(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(extract(epoch FROM {column}) * 1000)::bigint"),
        _ => format!("CAST(ROUND((julianday({column}) - 2440587.5) * 86400000) AS INTEGER)"),
    }
}

/// The next `limit` events and webinars after each date the viewer may see (dims: none; values:
/// material id).
fn events_sql(backend: DbBackend, include_internal: bool, limit: usize) -> String {
    let visible = if include_internal {
        ""
    } else {
        " AND m.visibility = 'PUBLIC'"
    };
    let starts = epoch_ms(backend, "m.event_starts_at");
    format!(
        "SELECT i, '', id FROM (\
           SELECT CAST(t.i AS BIGINT) AS i, CAST(m.id AS BIGINT) AS id, \
             ROW_NUMBER() OVER (PARTITION BY t.i ORDER BY m.event_starts_at, m.id) AS n \
           FROM t JOIN learning_material_history m ON {m}{visible} \
           WHERE m.kind IN ('EVENT', 'WEBINAR') AND m.event_starts_at IS NOT NULL \
             AND {starts} > t.ms) e \
         WHERE n <= {limit} ORDER BY i, n",
        m = live("m"),
    )
}

/// The most upcoming events listed per date.
pub const MAX_EVENTS: usize = 20;

/// The figures of a set of dates, fetched on first use and shared by everything that reads them.
pub struct Coverage {
    dates: Vec<NaiveDate>,
    aggregate: Reader,
    viewer: Reader,
    include_internal: bool,
    figures: Vec<tokio::sync::OnceCell<Grid>>,
    learning: tokio::sync::OnceCell<Grid>,
    events: tokio::sync::OnceCell<Grid>,
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
            figures: (0..Figure::COUNT * Grouping::ALL.len())
                .map(|_| tokio::sync::OnceCell::new())
                .collect(),
            learning: tokio::sync::OnceCell::new(),
            events: tokio::sync::OnceCell::new(),
        }
    }

    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// The rows of `figure` grouped by `grouping`, for every date.
    pub async fn figure(&self, figure: Figure, grouping: Grouping) -> ApiResult<&Grid> {
        let cell = &self.figures[figure.index() * Grouping::ALL.len() + grouping.index()];
        cell.get_or_try_init(|| async {
            let sql = format!(
                "{} {}",
                dates_cte(&self.dates),
                figure_sql(figure, grouping)
            );
            grid(&self.aggregate, sql, shape(figure)).await
        })
        .await
    }

    /// Learning materials by (theme, kind), and by ('', kind) counting each material once.
    pub async fn learning(&self) -> ApiResult<&Grid> {
        self.learning
            .get_or_try_init(|| async {
                let sql = format!(
                    "{} {}",
                    dates_cte(&self.dates),
                    learning_sql(self.include_internal)
                );
                grid(&self.viewer, sql, (2, 1)).await
            })
            .await
    }

    /// The ids of the upcoming events after each date, soonest first.
    pub async fn events(&self) -> ApiResult<&Grid> {
        self.events
            .get_or_try_init(|| async {
                let backend = self.viewer.get_database_backend();
                let sql = format!(
                    "{} {}",
                    dates_cte(&self.dates),
                    events_sql(backend, self.include_internal, MAX_EVENTS)
                );
                grid(&self.viewer, sql, (0, 1)).await
            })
            .await
    }
}

/// Disclosure control: which non-public cells an unprivileged viewer must not see.
#[derive(Debug, Clone, Copy)]
pub struct Disclosure {
    /// Whether the viewer's figures are controlled (they cannot read every status).
    pub controlled: bool,
    /// Counts of non-public rows from 1 up to this (exclusive) are suppressed.
    pub threshold: i64,
}

impl Disclosure {
    /// Whether a block of cells counting non-public rows must be suppressed: a cell of
    /// 1..threshold rows could point at single applications, and suppressing only that cell would
    /// leave its place in the block telling, so the whole block goes.
    pub fn suppress(&self, cells: &[i64]) -> bool {
        self.controlled && cells.iter().any(|&n| n > 0 && n < self.threshold)
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
    fn small_non_public_cells_suppress_their_block() {
        let control = Disclosure {
            controlled: true,
            threshold: 3,
        };
        assert!(control.suppress(&[0, 1, 0]));
        assert!(control.suppress(&[5, 2]));
        assert!(!control.suppress(&[0, 0, 0]));
        assert!(!control.suppress(&[3, 4]));
        let open = Disclosure {
            controlled: false,
            threshold: 3,
        };
        assert!(!open.suppress(&[1]));
    }
}
