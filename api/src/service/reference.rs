//! Reference data: care-office regions, IZA regions and disciplines.

use super::page::{self, Sort};
use super::sql::in_list;
use super::{Direction, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use entity::*;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

/// A page of care-office regions, by code.
pub async fn care_office_regions(
    db: &Reader,
    viewer: &Viewer,
    insurers: &Option<Vec<String>>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<care_office_region::Model>> {
    use care_office_region::Column as C;
    let select = in_list(access::care_office_regions(viewer), C::Insurer, insurers);
    let sort = Sort::by(C::Code, C::Id, Direction::Asc);
    page::fetch(db, select, sort, args, want_total).await
}

/// A page of IZA regions, by code, optionally of some care-office regions only.
pub async fn iza_regions(
    db: &Reader,
    viewer: &Viewer,
    care_office_region_codes: &Option<Vec<String>>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<iza_region::Model>> {
    use iza_region::Column as C;
    let mut select = access::iza_regions(viewer);
    if let Some(codes) = care_office_region_codes {
        select = select.filter(
            C::CareOfficeRegionId.in_subquery(
                access::care_office_regions(viewer)
                    .select_only()
                    .column(care_office_region::Column::Id)
                    .filter(care_office_region::Column::Code.is_in(codes.iter().cloned()))
                    .into_query(),
            ),
        );
    }
    let sort = Sort::by(C::Code, C::Id, Direction::Asc);
    page::fetch(db, select, sort, args, want_total).await
}

/// Every discipline, in the customary order (GP care first).
pub async fn all_disciplines(db: &Reader, viewer: &Viewer) -> ApiResult<DisciplineTable> {
    let rows = access::disciplines(viewer)
        .order_by_asc(discipline::Column::SortOrder)
        .all(db)
        .await?;
    Ok(Table::new(rows, |d| d.code))
}

/// Every care-office region, by code.
pub async fn all_care_office_regions(
    db: &Reader,
    viewer: &Viewer,
) -> ApiResult<Table<i32, care_office_region::Model>> {
    let rows = access::care_office_regions(viewer)
        .order_by_asc(care_office_region::Column::Code)
        .all(db)
        .await?;
    Ok(Table::new(rows, |r| r.id))
}

/// Every IZA region, by code.
pub async fn all_iza_regions(
    db: &Reader,
    viewer: &Viewer,
) -> ApiResult<Table<i32, iza_region::Model>> {
    let rows = access::iza_regions(viewer)
        .order_by_asc(iza_region::Column::Code)
        .all(db)
        .await?;
    Ok(Table::new(rows, |r| r.id))
}

/// A whole reference table, in its order, to look up by key.
#[derive(Debug)]
pub struct Table<K, M> {
    rows: Vec<M>,
    index: std::collections::HashMap<K, usize>,
}

/// Every discipline, in the customary order (GP care first), by code.
pub type DisciplineTable = Table<DisciplineCode, discipline::Model>;

impl<K: std::hash::Hash + Eq, M> Table<K, M> {
    /// The table of `rows`, in their order, each known by `key`.
    pub fn new(rows: Vec<M>, key: impl Fn(&M) -> K) -> Self {
        let index = rows.iter().enumerate().map(|(i, m)| (key(m), i)).collect();
        Table { rows, index }
    }

    /// Every row, in the table's order.
    pub fn all(&self) -> &[M] {
        &self.rows
    }

    /// The row with `key`.
    pub fn get(&self, key: &K) -> Option<&M> {
        self.index.get(key).map(|&i| &self.rows[i])
    }

    /// The rows with `keys`, in the table's order, each once.
    pub fn of(&self, keys: &[K]) -> Vec<M>
    where
        M: Clone,
    {
        let mut found: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.index.get(k))
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| self.rows[i].clone()).collect()
    }
}
