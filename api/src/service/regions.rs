//! Regions: lookup by code and the filtered, ordered list.

use super::page::{self, Sort};
use super::sql::{contains_ci, in_list, searched};
use super::{Order, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use entity::*;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, QueryTrait};

/// What a region list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub codes: Option<Vec<String>>,
    pub care_office_region_codes: Option<Vec<String>>,
    pub iza_region_codes: Option<Vec<String>>,
    pub preferred_insurers: Option<Vec<String>>,
    pub has_resv: Option<bool>,
    pub resv_phases: Option<Vec<Phase>>,
    pub subsidy_kinds: Option<Vec<SubsidyKind>>,
    pub subsidy_statuses: Option<Vec<ApplicationStatus>>,
    pub name_contains: Option<String>,
    pub sources: Option<Vec<SourceKind>>,
    /// Whether retired regions (merged or split) are listed too.
    pub include_retired: bool,
}

/// Fields a region list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum RegionOrderField {
    #[default]
    Code,
    Name,
    Population,
}

/// The visible region with `code`, if any.
pub async fn by_code(db: &Reader, viewer: &Viewer, code: &str) -> ApiResult<Option<region::Model>> {
    Ok(access::regions(viewer)
        .filter(region::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// A page of visible regions.
pub async fn list(
    db: &Reader,
    viewer: &Viewer,
    filter: &RegionFilter,
    order: Order<RegionOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<region::Model>> {
    let mut select = access::regions(viewer);
    if !filter.include_retired {
        select = select.filter(region::Column::RetiredOn.is_null());
    }
    select = in_list(select, region::Column::Code, &filter.codes);
    select = in_list(
        select,
        region::Column::PreferredInsurer,
        &filter.preferred_insurers,
    );
    select = in_list(select, region::Column::Source, &filter.sources);
    if let Some(codes) = &filter.care_office_region_codes {
        select = select.filter(
            region::Column::CareOfficeRegionId.in_subquery(
                access::care_office_regions(viewer)
                    .select_only()
                    .column(care_office_region::Column::Id)
                    .filter(care_office_region::Column::Code.is_in(codes.iter().cloned()))
                    .into_query(),
            ),
        );
    }
    if let Some(codes) = &filter.iza_region_codes {
        select = select.filter(
            region::Column::IzaRegionId.in_subquery(
                access::iza_regions(viewer)
                    .select_only()
                    .column(iza_region::Column::Id)
                    .filter(iza_region::Column::Code.is_in(codes.iter().cloned()))
                    .into_query(),
            ),
        );
    }
    let with_resv = |phases: &Option<Vec<Phase>>| {
        in_list(access::resvs(viewer), resv::Column::Phase, phases)
            .select_only()
            .column(resv::Column::RegionId)
            .into_query()
    };
    match filter.has_resv {
        Some(true) => select = select.filter(region::Column::Id.in_subquery(with_resv(&None))),
        Some(false) => select = select.filter(region::Column::Id.not_in_subquery(with_resv(&None))),
        None => {}
    }
    if filter.resv_phases.is_some() {
        select = select.filter(region::Column::Id.in_subquery(with_resv(&filter.resv_phases)));
    }
    if filter.subsidy_kinds.is_some() || filter.subsidy_statuses.is_some() {
        let subsidies = in_list(
            access::subsidies(viewer),
            subsidy::Column::Kind,
            &filter.subsidy_kinds,
        );
        let subsidies = in_list(subsidies, subsidy::Column::Status, &filter.subsidy_statuses);
        select = select.filter(
            region::Column::Id.in_subquery(
                subsidies
                    .select_only()
                    .column(subsidy::Column::RegionId)
                    .filter(subsidy::Column::RegionId.is_not_null())
                    .into_query(),
            ),
        );
    }
    if let Some(text) = &filter.name_contains {
        select = select.filter(contains_ci(
            region::Column::Name,
            searched("nameContains", text)?,
        ));
    }
    let sort = Sort::requested(
        order,
        |field| match field {
            RegionOrderField::Code => region::Column::Code,
            RegionOrderField::Name => region::Column::Name,
            RegionOrderField::Population => region::Column::PopulationApprox,
        },
        region::Column::Id,
    );
    page::fetch(db, select, sort, args, want_total).await
}
