//! What every figure's statement shares: rows as they stood at a date, the dates as a table,
//! and reading a result row's columns in order into a [`Grid`].

use super::{Grid, end_of_day_ms};
use crate::error::ApiResult;
use chrono::NaiveDate;
use entity::{
    ApplicationStatus, DisciplineCode, Listed, MandateStatus, MaterialKind, Per, Phase, SubsidyKind,
};
use sea_orm::{ConnectionTrait, QueryResult, Statement, TryGetable};

/// `alias` as it stood at the moment of date row `t`.
pub(super) fn live(alias: &str) -> String {
    format!("{alias}.valid_from <= t.ms AND ({alias}.valid_to IS NULL OR {alias}.valid_to > t.ms)")
}

/// The dates as a table `t(i, ms)`.
pub(super) fn dates_cte(dates: &[NaiveDate]) -> String {
    let rows: Vec<String> = dates
        .iter()
        .enumerate()
        .map(|(i, day)| format!("({i}, {})", end_of_day_ms(*day)))
        .collect();
    format!("WITH t(i, ms) AS (VALUES {})", rows.join(", "))
}

/// `values` as a list of SQL string literals.
pub(super) fn quoted(values: impl IntoIterator<Item = String>) -> String {
    values
        .into_iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of one result row, taken in the order the statement selects them.
pub struct Columns<'r> {
    row: &'r QueryResult,
    next: usize,
}

impl Columns<'_> {
    fn column<T: TryGetable>(&mut self) -> ApiResult<T> {
        let value = self.row.try_get_by_index(self.next)?;
        self.next += 1;
        Ok(value)
    }

    /// A text column.
    pub fn text(&mut self) -> ApiResult<String> {
        self.column()
    }
}

/// What a field of a figure takes from a result row's next columns; `None` skips the row (a
/// text that is none of its list's values, which the CHECK constraints keep from happening).
pub trait Take: Sized {
    fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>>;
}

/// A count or sum: zero when null (a sum over no rows).
impl Take for i64 {
    fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>> {
        Ok(Some(c.column::<Option<i64>>()?.unwrap_or(0)))
    }
}

/// An amount that is null when there is none (the smallest of no rows).
impl Take for Option<i64> {
    fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>> {
        Ok(Some(c.column()?))
    }
}

/// One value per variant of a declared list, in its declaration order (the order the statement
/// selects them in, since it is built from the same list).
impl<K: Listed, T: Take> Take for Per<K, T> {
    fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>> {
        Ok(Per::<K, Option<T>>::try_from_fn(|_| T::take(c))?.all())
    }
}

/// Values of declared lists, as stored.
macro_rules! take_listed {
    ($($list:ty),+) => {
        $(impl Take for $list {
            fn take(c: &mut Columns<'_>) -> ApiResult<Option<Self>> {
                Ok(<$list as Listed>::from_value(&c.text()?))
            }
        })+
    };
}

take_listed!(
    Phase,
    DisciplineCode,
    MandateStatus,
    SubsidyKind,
    ApplicationStatus,
    MaterialKind
);

/// Declares a figure's type, whose fields are taken from a statement's columns in the order
/// they are written.
macro_rules! columns {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$fmeta:meta])* pub $field:ident: $ty:ty),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)+
        }

        impl $crate::service::coverage::sql::Take for $name {
            fn take(
                c: &mut $crate::service::coverage::sql::Columns<'_>,
            ) -> $crate::error::ApiResult<Option<Self>> {
                Ok(Some($name {
                    $($field: match <$ty as $crate::service::coverage::sql::Take>::take(c)? {
                        Some(value) => value,
                        None => return Ok(None),
                    },)+
                }))
            }
        }
    };
}

pub(super) use columns;

/// Runs `sql` (selecting date index, group key, then the columns `F` takes) into a grid.
pub(super) async fn grid<C: ConnectionTrait, F>(db: &C, sql: String) -> ApiResult<Grid<F>>
where
    F: Take,
{
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut grid = Grid::default();
    for row in &rows {
        let mut columns = Columns { row, next: 0 };
        let point: i64 = columns.column()?;
        let group: String = columns.column()?;
        if let Some(figure) = F::take(&mut columns)? {
            grid.0
                .entry((usize::try_from(point).unwrap_or(0), group))
                .or_default()
                .push(figure);
        }
    }
    Ok(grid)
}
