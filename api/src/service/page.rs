//! Cursor pagination over a filtered, ordered select.
//!
//! Cursors are opaque to clients; inside they carry the row's position in the stable order
//! (the requested order with the primary key as tie-breaker).

use crate::error::{ApiError, ApiResult};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QuerySelect, Select};

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

const CURSOR_PREFIX: &str = "cursor:v1:";
const MAX_POSITION: u64 = 1 << 40;

/// Encodes a row position as an opaque cursor.
pub fn encode_cursor(position: u64) -> String {
    B64.encode(format!("{CURSOR_PREFIX}{position}"))
}

/// Decodes a cursor made by [`encode_cursor`]; anything else is a client error.
pub fn decode_cursor(field: &str, cursor: &str) -> ApiResult<u64> {
    B64.decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX)?.parse().ok())
        // Positions beyond any list are not cursors this API hands out (and would overflow SQL).
        .filter(|position| *position <= MAX_POSITION)
        .ok_or_else(|| ApiError::invalid(field, "not a cursor of this API"))
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

/// The validated window of a request: rows `[lo, hi)` of the ordered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    lo: u64,
    hi: u64,
}

/// Validated pagination arguments: positions instead of cursors.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// The first position after the `after` cursor.
    start: u64,
    /// The position of the `before` cursor.
    before: Option<u64>,
    first: Option<u64>,
    last: Option<u64>,
}

impl PageArgs {
    /// Checks the arguments; `first` or `last` is required so no request is unbounded.
    fn validate(&self) -> ApiResult<Bounds> {
        let first = page_size("first", self.first)?;
        let last = page_size("last", self.last)?;
        if first.is_none() && last.is_none() {
            return Err(ApiError::invalid(
                "first",
                format!("give `first` or `last` (1 to {MAX_PAGE_SIZE})"),
            ));
        }
        let start = match &self.after {
            Some(c) => decode_cursor("after", c)? + 1,
            None => 0,
        };
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor("before", c))
            .transpose()?;
        Ok(Bounds {
            start,
            before,
            first,
            last,
        })
    }

    /// Whether the window can only be placed once the total is known (`last` from the end).
    fn needs_total(&self) -> bool {
        self.last.is_some() && self.before.is_none() && self.first.is_none()
    }
}

fn window(bounds: Bounds, total: Option<u64>) -> Window {
    let Bounds {
        start,
        before,
        first,
        last,
    } = bounds;
    let mut end = before;
    if let Some(f) = first {
        let e = start + f;
        end = Some(end.map_or(e, |b| b.min(e)));
    }
    let hi = end.or(total).unwrap_or(start).max(start);
    let lo = match last {
        Some(l) => start.max(hi.saturating_sub(l)),
        None => start,
    };
    Window { lo, hi }
}

/// Fetches one page of `select` (which must already be ordered stably).
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let bounds = args.validate()?;
    let total_count = if want_total || args.needs_total() {
        Some(select.clone().count(db).await?)
    } else {
        None
    };
    let Window { lo, hi } = window(bounds, total_count);
    let size = hi - lo;
    // One row beyond the window tells whether a next page exists without counting.
    let mut rows = select.offset(lo).limit(size + 1).all(db).await?;
    let has_next_page = rows.len() as u64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    Ok(Page {
        items: rows
            .into_iter()
            .zip(lo..)
            .map(|(row, position)| (encode_cursor(position), row))
            .collect(),
        has_next_page,
        has_previous_page: lo > 0,
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_foreign_text() {
        assert_eq!(decode_cursor("after", &encode_cursor(41)).ok(), Some(41));
        assert!(decode_cursor("after", "bm9wZQ").is_err());
        assert!(decode_cursor("after", "%%%").is_err());
        assert!(decode_cursor("after", &encode_cursor(u64::MAX)).is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        let args = |first, last| PageArgs {
            first,
            last,
            ..Default::default()
        };
        assert!(args(None, None).validate().is_err());
        assert!(args(Some(0), None).validate().is_err());
        assert!(args(Some(101), None).validate().is_err());
        assert!(args(None, Some(-1)).validate().is_err());
        assert!(args(Some(100), None).validate().is_ok());
        assert!(args(None, Some(1)).validate().is_ok());
    }

    #[test]
    fn windows_follow_the_relay_algorithm() {
        // first 10 after position 4
        assert_eq!(
            window(
                Bounds {
                    start: 5,
                    before: None,
                    first: Some(10),
                    last: None
                },
                None
            ),
            Window { lo: 5, hi: 15 }
        );
        // last 3 of 54
        assert_eq!(
            window(
                Bounds {
                    start: 0,
                    before: None,
                    first: None,
                    last: Some(3)
                },
                Some(54)
            ),
            Window { lo: 51, hi: 54 }
        );
        // last 3 before position 10
        assert_eq!(
            window(
                Bounds {
                    start: 0,
                    before: Some(10),
                    first: None,
                    last: Some(3)
                },
                None
            ),
            Window { lo: 7, hi: 10 }
        );
        // first 10 cut short by before
        assert_eq!(
            window(
                Bounds {
                    start: 0,
                    before: Some(4),
                    first: Some(10),
                    last: None
                },
                None
            ),
            Window { lo: 0, hi: 4 }
        );
        // before at or ahead of after: empty
        assert_eq!(
            window(
                Bounds {
                    start: 8,
                    before: Some(3),
                    first: Some(10),
                    last: None
                },
                None
            ),
            Window { lo: 8, hi: 8 }
        );
    }
}
