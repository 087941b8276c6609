//! A believable history for the demonstration data: RESVs that grew phase by phase, seats whose
//! mandate came after the seat, subsidies and vouchers applied for and decided on their own dates,
//! from mid-2023 to the recording moment (1 July 2025), so that the coverage figures on any past
//! date are those of a registry that recorded the programme as it went.
//!
//! The history tables (migration `m20261123_000004_history`) are kept by triggers; the seed
//! replaces the versions those triggers wrote with these backdated ones.

use super::demo::{DemoData, recorded_at};
use chrono::{Days, NaiveDate};
use entity::*;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, Value};
use std::collections::HashMap;

/// The day the registry's history starts: the regions are known from then on.
pub fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 6, 1).unwrap_or_default()
}

/// The last day a demonstration change happens: the day before the recording moment.
fn last_day() -> NaiveDate {
    recorded_at().date_naive() - Days::new(1)
}

/// Midnight (UTC) at the start of `day`, in milliseconds since the epoch, within the demo period.
fn at(day: NaiveDate) -> i64 {
    let day = day.clamp(start(), last_day());
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis()
}

fn later(day: NaiveDate, days: u64) -> NaiveDate {
    day + Days::new(days)
}

/// A version's counted columns, by name.
type Columns = Vec<(&'static str, Value)>;

/// The versions of the rows of one history table.
struct Table {
    name: &'static str,
    rows: Vec<(i64, Option<i64>, Columns)>,
}

impl Table {
    fn new(name: &'static str) -> Self {
        Table {
            name,
            rows: Vec::new(),
        }
    }

    /// Adds the successive versions of one row, each valid until the next begins.
    fn versions(&mut self, versions: Vec<(NaiveDate, Columns)>) {
        let mut from: Vec<i64> = versions.iter().map(|(day, _)| at(*day)).collect();
        for i in 1..from.len() {
            from[i] = from[i].max(from[i - 1]);
        }
        let count = versions.len();
        for (i, (_, values)) in versions.into_iter().enumerate() {
            let to = (i + 1 < count).then(|| from[i + 1]);
            self.rows.push((from[i], to, values));
        }
    }

    fn one(&mut self, day: NaiveDate, values: Columns) {
        self.versions(vec![(day, values)]);
    }

    async fn store<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        let table = format!("{}_history", self.name);
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
        let Some((_, _, first)) = self.rows.first() else {
            return Ok(());
        };
        let mut columns: Vec<Alias> = first.iter().map(|(c, _)| Alias::new(*c)).collect();
        columns.push(Alias::new("valid_from"));
        columns.push(Alias::new("valid_to"));
        // Well under the bind-parameter limits of SQLite and PostgreSQL.
        let per_statement = (900 / columns.len()).max(1);
        for chunk in self.rows.chunks(per_statement) {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(table.as_str()))
                .columns(columns.clone());
            for (from, to, values) in chunk {
                let mut row: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
                row.push((*from).into());
                row.push((*to).into());
                insert
                    .values(row.into_iter().map(Into::into))
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
            db.execute(db.get_database_backend().build(&insert)).await?;
        }
        Ok(())
    }
}

fn v<T: ActiveEnum>(value: &T) -> Value {
    value.to_value().into()
}

/// The backdated history of the regions and of the demonstration rows.
pub struct History(Vec<Table>);

impl History {
    /// Replaces the versions the triggers wrote with these.
    pub async fn store<C: ConnectionTrait>(self, db: &C) -> Result<(), DbErr> {
        for table in self.0 {
            table.store(db).await?;
        }
        Ok(())
    }
}

/// The history of `regions` and `data`.
pub fn of(regions: &[region::Model], data: &DemoData) -> History {
    let mut region_history = Table::new("region");
    for r in regions {
        region_history.one(
            start(),
            vec![
                ("id", r.id.into()),
                ("code", r.code.clone().into()),
                ("population_approx", r.population_approx.into()),
                ("preferred_insurer", r.preferred_insurer.clone().into()),
                ("care_office_region_id", r.care_office_region_id.into()),
            ],
        );
    }

    let (resv_history, resv_start) = resvs(data);
    let (seat_history, seat_disciplines) = seats(data, &resv_start);
    let (collaboration_history, collaboration_disciplines) = collaborations(data);
    let (material_history, material_themes) = materials(data);
    History(vec![
        region_history,
        resv_history,
        seat_history,
        seat_disciplines,
        subsidies(data),
        vouchers(data),
        collaboration_history,
        collaboration_disciplines,
        material_history,
        material_themes,
    ])
}

/// RESVs start as a network and reach their present phase step by step; the design criteria are
/// assessed, and the tasks become operational, only in the present phase.
fn resvs(data: &DemoData) -> (Table, HashMap<i32, NaiveDate>) {
    let mut table = Table::new("resv");
    let mut starts = HashMap::new();
    let phases = [
        Phase::Network,
        Phase::Agreements,
        Phase::Organisation,
        Phase::Deepening,
    ];
    for r in &data.resvs {
        let established = r
            .established_on
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 1, 15).unwrap_or_default());
        starts.insert(r.id, established);
        let reached = phases.iter().position(|p| *p == r.phase).unwrap_or(0);
        let span = (last_day() - established).num_days().max(0) as u64;
        let step = span / (reached as u64 + 1);
        let row = |phase: Phase, current: bool| -> Columns {
            let task = |status: TaskStatus| match (current, status) {
                (false, TaskStatus::Operational) => v(&TaskStatus::InProgress),
                _ => v(&status),
            };
            vec![
                ("id", r.id.into()),
                ("region_id", r.region_id.into()),
                ("phase", v(&phase)),
                ("task_mandate", task(r.task_mandate)),
                ("task_capacity_access", task(r.task_capacity_access)),
                ("task_care_agreements", task(r.task_care_agreements)),
                (
                    "task_neighbourhood_support",
                    task(r.task_neighbourhood_support),
                ),
                ("task_facilitation", task(r.task_facilitation)),
                (
                    "criterion_core_disciplines_met",
                    (current && r.criterion_core_disciplines_met).into(),
                ),
                (
                    "criterion_mandated_representation_met",
                    (current && r.criterion_mandated_representation_met).into(),
                ),
                (
                    "criterion_multidisciplinary_governance_met",
                    (current && r.criterion_multidisciplinary_governance_met).into(),
                ),
                (
                    "criterion_regional_agenda_met",
                    (current && r.criterion_regional_agenda_met).into(),
                ),
                (
                    "criterion_citizen_participation_met",
                    (current && r.criterion_citizen_participation_met).into(),
                ),
            ]
        };
        let versions = (0..=reached)
            .map(|k| {
                (
                    later(established, step * k as u64),
                    row(phases[k], k == reached),
                )
            })
            .collect();
        table.versions(versions);
    }
    (table, starts)
}

/// A seat is taken at its `since` date (or when its RESV began); a mandate follows six weeks later.
fn seats(data: &DemoData, resv_start: &HashMap<i32, NaiveDate>) -> (Table, Table) {
    let mut seats = Table::new("seat");
    let mut taken = HashMap::new();
    for s in &data.seats {
        let day = s
            .since
            .or_else(|| resv_start.get(&s.resv_id).copied())
            .unwrap_or_else(start);
        taken.insert(s.id, day);
        let row = |status: MandateStatus| -> Columns {
            vec![
                ("id", s.id.into()),
                ("resv_id", s.resv_id.into()),
                ("mandate_status", v(&status)),
            ]
        };
        let versions = match s.mandate_status {
            MandateStatus::Mandated => vec![
                (day, row(MandateStatus::Pending)),
                (later(day, 42), row(MandateStatus::Mandated)),
            ],
            status => vec![(day, row(status))],
        };
        seats.versions(versions);
    }
    let mut disciplines = Table::new("seat_discipline");
    for d in &data.seat_disciplines {
        disciplines.one(
            taken.get(&d.seat_id).copied().unwrap_or_else(start),
            vec![
                ("seat_id", d.seat_id.into()),
                ("discipline_code", v(&d.discipline_code)),
                ("resv_id", d.resv_id.into()),
            ],
        );
    }
    (seats, disciplines)
}

/// Applied on the application date, in review two weeks later, decided on the decision date (a
/// withdrawal a month after applying).
fn subsidies(data: &DemoData) -> Table {
    let mut table = Table::new("subsidy");
    for s in &data.subsidies {
        let row = |status: ApplicationStatus, granted: Option<i64>| {
            vec![
                ("id", s.id.into()),
                ("region_id", s.region_id.into()),
                ("kind", v(&s.kind)),
                ("status", v(&status)),
                ("amount_requested_cents", s.amount_requested_cents.into()),
                ("amount_granted_cents", granted.into()),
            ]
        };
        let mut versions = vec![(s.applied_on, row(ApplicationStatus::Applied, None))];
        if s.status != ApplicationStatus::Applied {
            versions.push((
                later(s.applied_on, 14),
                row(ApplicationStatus::InReview, None),
            ));
        }
        if !matches!(
            s.status,
            ApplicationStatus::Applied | ApplicationStatus::InReview
        ) {
            let decided = s.decided_on.unwrap_or_else(|| later(s.applied_on, 30));
            versions.push((decided, row(s.status, s.amount_granted_cents)));
        }
        table.versions(versions);
    }
    table
}

/// Applied on the application date, decided on the decision date.
fn vouchers(data: &DemoData) -> Table {
    let mut table = Table::new("voucher");
    for s in &data.vouchers {
        let row = |status: ApplicationStatus| {
            vec![
                ("id", s.id.into()),
                ("region_id", s.region_id.into()),
                ("discipline_code", v(&s.discipline_code)),
                ("status", v(&status)),
                ("amount_cents", s.amount_cents.into()),
            ]
        };
        let mut versions = vec![(s.applied_on, row(ApplicationStatus::Applied))];
        if s.status != ApplicationStatus::Applied {
            let decided = s.decided_on.unwrap_or_else(|| later(s.applied_on, 30));
            versions.push((decided, row(s.status)));
        }
        table.versions(versions);
    }
    table
}

/// A collaboration forms at its establishment date and is active three months later.
fn collaborations(data: &DemoData) -> (Table, Table) {
    let mut table = Table::new("neighbourhood_collaboration");
    let mut started = HashMap::new();
    for c in &data.collaborations {
        let day = c
            .established_on
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default());
        started.insert(c.id, day);
        let row = |status: CollaborationStatus| {
            vec![
                ("id", c.id.into()),
                ("region_id", c.region_id.into()),
                ("population", c.population.into()),
                ("status", v(&status)),
            ]
        };
        let versions = match c.status {
            CollaborationStatus::Forming => vec![(day, row(CollaborationStatus::Forming))],
            status => vec![
                (day, row(CollaborationStatus::Forming)),
                (later(day, 90), row(status)),
            ],
        };
        table.versions(versions);
    }
    let mut disciplines = Table::new("nc_discipline");
    for d in &data.collaboration_disciplines {
        disciplines.one(
            started
                .get(&d.collaboration_id)
                .copied()
                .unwrap_or_else(start),
            vec![
                ("collaboration_id", d.collaboration_id.into()),
                ("discipline_code", v(&d.discipline_code)),
            ],
        );
    }
    (table, disciplines)
}

/// Materials exist from their publication date.
fn materials(data: &DemoData) -> (Table, Table) {
    let mut table = Table::new("learning_material");
    let mut published = HashMap::new();
    for m in &data.materials {
        published.insert(m.id, m.published_on);
        table.one(
            m.published_on,
            vec![
                ("id", m.id.into()),
                ("kind", v(&m.kind)),
                ("visibility", v(&m.visibility)),
                ("published_on", m.published_on.into()),
                ("event_starts_at", m.event_starts_at.into()),
            ],
        );
    }
    let mut themes = Table::new("material_theme");
    for t in &data.material_themes {
        themes.one(
            published.get(&t.material_id).copied().unwrap_or_else(start),
            vec![
                ("material_id", t.material_id.into()),
                ("theme", v(&t.theme)),
            ],
        );
    }
    (table, themes)
}
