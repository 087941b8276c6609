//! Reference data: care-office regions, IZA regions and disciplines.

use super::sql::{in_list, ordered};
use super::{Direction, Page, PageArgs, page};
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
    page::fetch(
        db,
        ordered(select, C::Code, C::Id, Direction::Asc),
        args,
        want_total,
    )
    .await
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
    page::fetch(
        db,
        ordered(select, C::Code, C::Id, Direction::Asc),
        args,
        want_total,
    )
    .await
}

/// All disciplines in their customary order (GP care first).
pub async fn disciplines(db: &Reader, viewer: &Viewer) -> ApiResult<Vec<discipline::Model>> {
    Ok(access::disciplines(viewer)
        .order_by_asc(discipline::Column::SortOrder)
        .all(db)
        .await?)
}

/// Every care-office region, by code.
pub async fn all_care_office_regions(
    db: &Reader,
    viewer: &Viewer,
) -> ApiResult<Table<care_office_region::Model>> {
    let rows = access::care_office_regions(viewer)
        .order_by_asc(care_office_region::Column::Code)
        .all(db)
        .await?;
    Ok(Table::new(rows, |r| r.id))
}

/// Every IZA region, by code.
pub async fn all_iza_regions(db: &Reader, viewer: &Viewer) -> ApiResult<Table<iza_region::Model>> {
    let rows = access::iza_regions(viewer)
        .order_by_asc(iza_region::Column::Code)
        .all(db)
        .await?;
    Ok(Table::new(rows, |r| r.id))
}

/// A whole reference table, in its order, to look up by id.
#[derive(Debug)]
pub struct Table<M> {
    rows: Vec<M>,
    by_id: std::collections::HashMap<i32, usize>,
}

impl<M> Table<M> {
    /// The table of `rows`, each known by `id`.
    pub fn new(rows: Vec<M>, id: impl Fn(&M) -> i32) -> Self {
        let by_id = rows.iter().enumerate().map(|(i, m)| (id(m), i)).collect();
        Table { rows, by_id }
    }

    /// Every row, in the table's order.
    pub fn all(&self) -> &[M] {
        &self.rows
    }

    /// The row with `id`.
    pub fn get(&self, id: i32) -> Option<&M> {
        self.by_id.get(&id).map(|&i| &self.rows[i])
    }
}

/// Every discipline, in the customary order, to look up by code.
#[derive(Debug)]
pub struct DisciplineTable(Vec<discipline::Model>);

impl DisciplineTable {
    /// The table of `rows`, put in the customary order.
    pub fn new(mut rows: Vec<discipline::Model>) -> Self {
        rows.sort_by_key(|d| d.sort_order);
        DisciplineTable(rows)
    }

    /// Every discipline, GP care first.
    pub fn all(&self) -> &[discipline::Model] {
        &self.0
    }

    /// The discipline with `code` (thirteen rows: a scan beats hashing).
    pub fn get(&self, code: DisciplineCode) -> Option<&discipline::Model> {
        self.0.iter().find(|d| d.code == code)
    }

    /// The disciplines with `codes`, in the customary order, each once.
    pub fn of(&self, codes: &[DisciplineCode]) -> Vec<discipline::Model> {
        self.0
            .iter()
            .filter(|d| codes.contains(&d.code))
            .cloned()
            .collect()
    }
}
