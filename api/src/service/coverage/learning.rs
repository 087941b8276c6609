//! The LeVEL learning network's figures, counted with the viewer's own rights: materials by
//! theme and kind, and the upcoming events.

use super::sql::{Columns, Take, columns, live};
use crate::error::ApiResult;
use entity::{MaterialKind, Theme};
use sea_orm::DbBackend;

/// The most upcoming events listed per date.
pub const MAX_EVENTS: usize = 20;

columns! {
    /// Learning materials of one kind, under one theme or (theme `None`) each counted once.
    pub struct MaterialTotals {
        pub theme: Option<Theme>,
        pub kind: MaterialKind,
        pub materials: i64,
    }
}

/// A theme, or none for the rows counting each material once (theme '').
impl Take for Option<Theme> {
    fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>> {
        Ok(match c.text()?.as_str() {
            "" => Some(None),
            text => Theme::from_value(text).map(Some),
        })
    }
}

impl MaterialTotals {
    /// Materials the viewer may see by theme and kind, and by kind ('' theme), each material
    /// once.
    pub(super) fn sql(include_internal: bool) -> String {
        let visible = if include_internal {
            String::new()
        } else {
            " AND m.visibility = 'PUBLIC'".to_owned()
        };
        let (m, mt) = (live("m"), live("mt"));
        format!(
            "SELECT CAST(t.i AS BIGINT), '', mt.theme, m.kind, COUNT(*) \
             FROM t JOIN learning_material_history m ON {m}{visible} \
             JOIN material_theme_history mt ON mt.material_id = m.id AND {mt} \
             GROUP BY t.i, mt.theme, m.kind \
             UNION ALL \
             SELECT CAST(t.i AS BIGINT), '', '', m.kind, COUNT(*) \
             FROM t JOIN learning_material_history m ON {m}{visible} \
             GROUP BY t.i, m.kind",
        )
    }
}

columns! {
    /// An event or webinar starting after a date.
    pub struct UpcomingEvent {
        pub material_id: i64,
    }
}

/// The moment (ms) an event starts, from a stored timestamp.
fn epoch_ms(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(extract(epoch FROM {column}) * 1000)::bigint"),
        _ => format!("CAST(ROUND((julianday({column}) - 2440587.5) * 86400000) AS INTEGER)"),
    }
}

impl UpcomingEvent {
    /// The next `limit` events and webinars after each date the viewer may see, soonest first.
    pub(super) fn sql(backend: DbBackend, include_internal: bool, limit: usize) -> String {
        let visible = if include_internal {
            ""
        } else {
            " AND m.visibility = 'PUBLIC'"
        };
        let starts = epoch_ms(backend, "m.event_starts_at");
        let m = live("m");
        format!(
            "SELECT i, '', id FROM (\
               SELECT CAST(t.i AS BIGINT) AS i, CAST(m.id AS BIGINT) AS id, \
                 ROW_NUMBER() OVER (PARTITION BY t.i ORDER BY m.event_starts_at, m.id) AS n \
               FROM t JOIN learning_material_history m ON {m}{visible} \
               WHERE m.kind IN ('EVENT', 'WEBINAR') AND m.event_starts_at IS NOT NULL \
                 AND {starts} > t.ms) e \
             WHERE n <= {limit} ORDER BY i, n",
        )
    }
}
