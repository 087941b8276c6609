//! Keyset pagination over a filtered select in a stable order.
//!
//! A list is ordered by one sort key, then by the primary key, both in the requested direction,
//! rows without a sort key (NULL) last either way; a cursor carries the sort key and the id of its
//! row ([`cursor`]), and a page is the rows beyond it in that order: `WHERE (key, id) > (:key,
//! :id) OR key IS NULL` for an ascending list. So a client paging while others write neither
//! loses nor repeats a row that stays in the list, and a cursor pages only the list (table, order,
//! filter) it was made for.
//!
//! sea-orm's `Cursor` builds the same tuple predicate, but it orders by bare columns (NULLs first
//! on SQLite, last on PostgreSQL, and never past its `>`), so rows without a sort key would fall
//! out of pages, and it cannot order by an expression such as the rank of an RESV phase; the
//! predicate is built here with sea-query instead.

mod cursor;

use super::{Direction, Order};
use crate::error::{ApiError, ApiResult};
use cursor::{Key, ListId, Position};
use sea_orm::sea_query::{Condition, Expr, NullOrdering, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, ModelTrait,
    Order as SqlOrder, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use std::sync::Arc;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// The Relay pagination arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// One page of rows with what the connection needs to describe it.
#[derive(Debug)]
pub struct Page<M> {
    /// The rows, each with its cursor.
    pub items: Vec<(String, M)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// The number of rows in the whole filtered list, when it was asked for.
    pub total_count: Option<u64>,
}

impl<M> Page<M> {
    /// The same page with every row converted.
    pub fn map<N>(self, f: impl Fn(M) -> N) -> Page<N> {
        Page {
            items: self.items.into_iter().map(|(c, m)| (c, f(m))).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
        }
    }
}

/// The order of a list: a sort key, then the id, both in one direction, rows without a sort key
/// last either way.
#[derive(Debug, Clone, Copy)]
pub struct Sort<E: EntityTrait> {
    key: E::Column,
    /// How SQL ranks the key, when not by its own value (RESV phases in development order).
    rank: Option<fn(SimpleExpr) -> SimpleExpr>,
    id: E::Column,
    direction: Direction,
}

impl<E: EntityTrait> Sort<E> {
    /// By `key`, then by `id`, in `direction`.
    pub fn by(key: E::Column, id: E::Column, direction: Direction) -> Self {
        Sort {
            key,
            rank: None,
            id,
            direction,
        }
    }

    /// The order a client asked for: the column of its field, then `id`.
    pub fn requested<F>(
        order: Order<F>,
        column_of: impl Fn(F) -> E::Column,
        id: E::Column,
    ) -> Self {
        Self::by(column_of(order.field), id, order.direction)
    }

    /// The same order with the key ranked by `rank` (of the column, or of a cursor's value).
    pub fn ranked(self, rank: fn(SimpleExpr) -> SimpleExpr) -> Self {
        Sort {
            rank: Some(rank),
            ..self
        }
    }

    /// `select` in this order.
    pub fn apply(&self, select: Select<E>) -> Select<E> {
        self.order(select, false)
    }

    /// `select` in this order, or in its exact reverse (for the rows before a cursor).
    fn order(&self, select: Select<E>, reversed: bool) -> Select<E> {
        let dir = if (self.direction == Direction::Asc) != reversed {
            SqlOrder::Asc
        } else {
            SqlOrder::Desc
        };
        let nulls = if reversed {
            NullOrdering::First
        } else {
            NullOrdering::Last
        };
        select
            .order_by_with_nulls(self.ranked_key(), dir.clone(), nulls)
            .order_by(self.id, dir)
    }

    fn rank_of(&self, expr: SimpleExpr) -> SimpleExpr {
        match self.rank {
            Some(rank) => rank(expr),
            None => expr,
        }
    }

    fn ranked_key(&self) -> SimpleExpr {
        self.rank_of(Expr::col(self.key.as_column_ref()).into())
    }

    /// The rows beyond `at` in this order (`forward`), or before it.
    fn beyond(&self, at: &At, forward: bool) -> Condition {
        let past = |left: SimpleExpr, right: SimpleExpr| {
            if (self.direction == Direction::Asc) == forward {
                Expr::expr(left).gt(right)
            } else {
                Expr::expr(left).lt(right)
            }
        };
        let id: SimpleExpr = Expr::col(self.id.as_column_ref()).into();
        let at_id: SimpleExpr = at.id.clone().into();
        let no_key = Expr::expr(self.ranked_key()).is_null();
        let some_key = Expr::expr(self.ranked_key()).is_not_null();
        match (&at.key, forward) {
            // Rows without a key follow every row with one, by id among themselves.
            (None, true) => Condition::all().add(no_key).add(past(id, at_id)),
            (None, false) => Condition::any().add(some_key).add(past(id, at_id)),
            (Some(key), _) => {
                let rows = Expr::tuple([self.ranked_key(), id]).into();
                let cursor = Expr::tuple([self.rank_of(key.clone().into()), at_id]).into();
                if forward {
                    Condition::any().add(past(rows, cursor)).add(no_key)
                } else {
                    Condition::all().add(some_key).add(past(rows, cursor))
                }
            }
        }
    }

    /// Which list this order of `filtered` is, for its cursors.
    fn list(&self, backend: sea_orm::DbBackend, filtered: &Select<E>) -> ListId {
        let direction = match self.direction {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        };
        ListId::new(
            E::default().table_name(),
            format!("{} {direction}", self.key.as_str()),
            &filtered.build(backend).to_string(),
        )
    }

    /// The row position in `list` of the cursor `text` given as `field`.
    fn position(&self, field: &str, text: &str, list: &ListId) -> ApiResult<At> {
        let at = cursor::decode(field, text, list)?;
        let fits = |key: &Key, column: E::Column| key.fits(column.def().get_column_type());
        match (
            fits(&at.key, self.key) && fits(&at.id, self.id),
            at.id.value(),
        ) {
            (true, Some(id)) => Ok(At {
                key: at.key.value(),
                id,
            }),
            _ => Err(ApiError::invalid(field, "not a cursor of this API")),
        }
    }

    /// The cursor of `row` in `list`.
    fn cursor_of(&self, list: &ListId, row: &E::Model) -> ApiResult<String> {
        let key = |column: E::Column| {
            Key::of(row.get(column)).ok_or_else(|| {
                ApiError::Internal(Arc::new(DbErr::Custom(format!(
                    "no cursor can carry the type of {}.{}",
                    E::default().table_name(),
                    column.as_str()
                ))))
            })
        };
        Ok(cursor::encode(
            list,
            Position {
                key: key(self.key)?,
                id: key(self.id)?,
            },
        ))
    }
}

/// A cursor's row position as values to compare with: its sort key (`None`: the row has none)
/// and its id.
#[derive(Debug, Clone)]
struct At {
    key: Option<sea_orm::Value>,
    id: sea_orm::Value,
}

/// How many rows a request takes: the first ones of its window (then perhaps the last of those),
/// or the last ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    First { first: u64, last: Option<u64> },
    Last(u64),
}

fn page_size(field: &str, value: Option<i32>) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(Some(n.unsigned_abs().into())),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

impl PageArgs {
    /// Checks the sizes; `first` or `last` is required so no request is unbounded.
    fn take(&self) -> ApiResult<Take> {
        match (
            page_size("first", self.first)?,
            page_size("last", self.last)?,
        ) {
            (Some(first), last) => Ok(Take::First { first, last }),
            (None, Some(last)) => Ok(Take::Last(last)),
            (None, None) => Err(ApiError::invalid(
                "first",
                format!("give `first` or `last` (1 to {MAX_PAGE_SIZE})"),
            )),
        }
    }
}

/// Keeps the first `n` of `rows`; whether there were more.
fn keep_first<M>(rows: &mut Vec<M>, n: u64) -> bool {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    let more = rows.len() > n;
    rows.truncate(n);
    more
}

/// Fetches one page of `select` (filtered, not ordered) in the order `sort`, by the Relay
/// algorithm: the window between the `after` and `before` cursors, its `first` rows (then the
/// `last` of those), or its `last` rows. A next page is said to exist when rows beyond the page
/// were found or `before` was given, a previous one when rows before it were found or `after`
/// was given (the Relay specification's "may").
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    sort: Sort<E>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let take = args.take()?;
    let list = sort.list(db.get_database_backend(), &select);
    let after = args
        .after
        .as_deref()
        .map(|c| sort.position("after", c, &list))
        .transpose()?;
    let before = args
        .before
        .as_deref()
        .map(|c| sort.position("before", c, &list))
        .transpose()?;
    let total_count = if want_total {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let mut window = select;
    if let Some(at) = &after {
        window = window.filter(sort.beyond(at, true));
    }
    if let Some(at) = &before {
        window = window.filter(sort.beyond(at, false));
    }
    // One row more than asked tells whether more follow without counting.
    let (rows, rows_before, rows_beyond) = match take {
        Take::First { first, last } => {
            let mut rows = sort.order(window, false).limit(first + 1).all(db).await?;
            let beyond = keep_first(&mut rows, first);
            let mut before = false;
            if let Some(last) = last {
                rows.reverse();
                before = keep_first(&mut rows, last);
                rows.reverse();
            }
            (rows, before, beyond)
        }
        Take::Last(last) => {
            let mut rows = sort.order(window, true).limit(last + 1).all(db).await?;
            let before = keep_first(&mut rows, last);
            rows.reverse();
            (rows, before, false)
        }
    };
    let items = rows
        .into_iter()
        .map(|row| Ok((sort.cursor_of(&list, &row)?, row)))
        .collect::<ApiResult<_>>()?;
    Ok(Page {
        items,
        has_next_page: rows_beyond || before.is_some(),
        has_previous_page: rows_before || after.is_some(),
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs {
            first,
            last,
            ..Default::default()
        }
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert!(args(None, None).take().is_err());
        assert!(args(Some(0), None).take().is_err());
        assert!(args(Some(101), None).take().is_err());
        assert!(args(None, Some(-1)).take().is_err());
        assert!(args(Some(1), Some(0)).take().is_err());
        assert_eq!(
            args(Some(100), None).take().ok(),
            Some(Take::First {
                first: 100,
                last: None
            })
        );
        assert_eq!(
            args(Some(10), Some(3)).take().ok(),
            Some(Take::First {
                first: 10,
                last: Some(3)
            })
        );
        assert_eq!(args(None, Some(1)).take().ok(), Some(Take::Last(1)));
    }

    #[test]
    fn keeping_the_first_rows_says_whether_more_were_there() {
        let mut rows = vec![1, 2, 3];
        assert!(keep_first(&mut rows, 2));
        assert_eq!(rows, vec![1, 2]);
        assert!(!keep_first(&mut rows, 2));
        assert_eq!(rows, vec![1, 2]);
    }
}
