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

/// The disciplines with the given codes (a dataloader batch).
pub async fn disciplines_by_code(
    db: &Reader,
    viewer: &Viewer,
    codes: &[DisciplineCode],
) -> ApiResult<Vec<discipline::Model>> {
    Ok(access::disciplines(viewer)
        .filter(discipline::Column::Code.is_in(codes.iter().copied()))
        .all(db)
        .await?)
}
