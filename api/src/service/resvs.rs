//! RESVs: the filtered, ordered list.

use super::page::{self, Sort};
use super::sql::{contains_ci, in_list, region_ids_with_codes, searched};
use super::{Order, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use entity::*;
use sea_orm::sea_query::{CaseStatement, Expr, SimpleExpr};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, QuerySelect, QueryTrait};

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
        select = select.filter(contains_ci(
            resv::Column::Name,
            searched("nameContains", text)?,
        ));
    }
    let sort = match order.field {
        ResvOrderField::Phase => {
            Sort::by(resv::Column::Phase, resv::Column::Id, order.direction).ranked(phase_rank)
        }
        _ => Sort::requested(
            order,
            |field| match field {
                ResvOrderField::Name | ResvOrderField::Phase => resv::Column::Name,
                ResvOrderField::EstablishedOn => resv::Column::EstablishedOn,
                ResvOrderField::UpdatedAt => resv::Column::UpdatedAt,
            },
            resv::Column::Id,
        ),
    };
    page::fetch(db, select, sort, args, want_total).await
}

/// The rank of a phase in development order: phases sort by it, not alphabetically.
fn phase_rank(phase: SimpleExpr) -> SimpleExpr {
    let rank = Phase::ALL
        .iter()
        .zip(0..)
        .fold(CaseStatement::new(), |case, (p, rank)| {
            case.case(Expr::expr(phase.clone()).eq(p.to_value()), rank)
        });
    SimpleExpr::Case(Box::new(rank))
}
