//! RESVs: the filtered, ordered list.

use super::sql::{apply_order, contains_ci, in_list, region_ids_with_codes};
use super::{Direction, Order, Page, PageArgs, page};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use entity::*;
use sea_orm::sea_query::{CaseStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Order as SqlOrder, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

/// What an RESV list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct ResvFilter {
    pub region_codes: Option<Vec<String>>,
    pub care_office_region_codes: Option<Vec<String>>,
    pub phases: Option<Vec<Phase>>,
    pub legal_forms: Option<Vec<LegalForm>>,
    pub name_contains: Option<String>,
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields an RESV list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum ResvOrderField {
    #[default]
    Name,
    Phase,
    EstablishedOn,
    UpdatedAt,
}

/// A page of visible RESVs.
pub async fn list(
    db: &Reader,
    viewer: &Viewer,
    filter: &ResvFilter,
    order: Order<ResvOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<resv::Model>> {
    let mut select = access::resvs(viewer);
    select = in_list(select, resv::Column::Phase, &filter.phases);
    select = in_list(select, resv::Column::LegalForm, &filter.legal_forms);
    select = in_list(select, resv::Column::Source, &filter.sources);
    if let Some(codes) = &filter.region_codes {
        select =
            select.filter(resv::Column::RegionId.in_subquery(region_ids_with_codes(viewer, codes)));
    }
    if let Some(codes) = &filter.care_office_region_codes {
        let offices = access::care_office_regions(viewer)
            .select_only()
            .column(care_office_region::Column::Id)
            .filter(care_office_region::Column::Code.is_in(codes.iter().cloned()))
            .into_query();
        let regions = access::regions(viewer)
            .select_only()
            .column(region::Column::Id)
            .filter(region::Column::CareOfficeRegionId.in_subquery(offices))
            .into_query();
        select = select.filter(resv::Column::RegionId.in_subquery(regions));
    }
    if let Some(text) = &filter.name_contains {
        select = select.filter(contains_ci(resv::Column::Name, text));
    }
    let select = match order.field {
        // Phases sort in development order, not alphabetically.
        ResvOrderField::Phase => {
            let dir = match order.direction {
                Direction::Asc => SqlOrder::Asc,
                Direction::Desc => SqlOrder::Desc,
            };
            let rank = Phase::ALL
                .iter()
                .zip(0..)
                .fold(CaseStatement::new(), |case, (phase, rank)| {
                    case.case(resv::Column::Phase.eq(*phase), rank)
                });
            select
                .order_by(SimpleExpr::Case(Box::new(rank)), dir.clone())
                .order_by(resv::Column::Id, dir)
        }
        _ => apply_order(
            select,
            order,
            |field| match field {
                ResvOrderField::Name | ResvOrderField::Phase => resv::Column::Name,
                ResvOrderField::EstablishedOn => resv::Column::EstablishedOn,
                ResvOrderField::UpdatedAt => resv::Column::UpdatedAt,
            },
            resv::Column::Id,
        ),
    };
    page::fetch(db, select, args, want_total).await
}
