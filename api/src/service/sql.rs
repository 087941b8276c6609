//! Small query-building helpers shared by the services.

use super::Direction;
use super::page::Sort;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::region;
use sea_orm::sea_query::{Expr, Func, LikeExpr, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select};

/// The most characters of a search text (`nameContains`, `search`).
pub const MAX_SEARCH_CHARS: usize = 200;

/// A filter's search `text`, if it is at most [`MAX_SEARCH_CHARS`] long; `field` names it.
pub fn searched<'a>(field: &str, text: &'a str) -> ApiResult<&'a str> {
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(ApiError::invalid(
            format!("filter.{field}"),
            format!("must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(text)
}

/// `LOWER(column) LIKE '%text%'`, with the wildcards of `text` taken literally.
pub fn contains_ci<C: ColumnTrait>(column: C, text: &str) -> SimpleExpr {
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Expr::expr(Func::lower(Expr::col(column.as_column_ref())))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// Ids of the visible regions with one of `codes`, as a subquery.
pub fn region_ids_with_codes(viewer: &Viewer, codes: &[String]) -> SelectStatement {
    access::regions(viewer)
        .select_only()
        .column(region::Column::Id)
        .filter(region::Column::Code.is_in(codes.iter().cloned()))
        .into_query()
}

/// Orders `select` by `column` (nulls last either way) and then by `id`: the order of a
/// [`Sort`], for reads that take every row.
pub fn ordered<E: EntityTrait>(
    select: Select<E>,
    column: E::Column,
    id: E::Column,
    direction: Direction,
) -> Select<E> {
    Sort::by(column, id, direction).apply(select)
}

/// Adds `column IN values` when a list filter is given. An empty list matches nothing, as a client
/// asking for "any of none" expects.
pub fn in_list<E, C, V>(select: Select<E>, column: C, values: &Option<Vec<V>>) -> Select<E>
where
    E: EntityTrait,
    C: ColumnTrait,
    V: Into<sea_orm::Value> + Clone,
{
    match values {
        Some(values) => select.filter(column.is_in(values.iter().cloned())),
        None => select,
    }
}
