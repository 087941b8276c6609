//! ZonMw subsidies and vouchers: the filtered, ordered lists.

use super::page::{self, Sort};
use super::sql::{in_list, region_ids_with_codes};
use super::{Order, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, QueryFilter};

/// What a subsidy list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct SubsidyFilter {
    pub region_codes: Option<Vec<String>>,
    pub kinds: Option<Vec<SubsidyKind>>,
    pub statuses: Option<Vec<ApplicationStatus>>,
    pub applied_from: Option<NaiveDate>,
    pub applied_to: Option<NaiveDate>,
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields a subsidy list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum SubsidyOrderField {
    #[default]
    AppliedOn,
    DecidedOn,
    AmountRequested,
    AmountGranted,
}

/// A page of visible subsidies.
pub async fn subsidies(
    db: &Reader,
    viewer: &Viewer,
    filter: &SubsidyFilter,
    order: Order<SubsidyOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<subsidy::Model>> {
    use subsidy::Column as C;
    let mut select = access::subsidies(viewer);
    select = in_list(select, C::Kind, &filter.kinds);
    select = in_list(select, C::Status, &filter.statuses);
    select = in_list(select, C::Source, &filter.sources);
    if let Some(codes) = &filter.region_codes {
        select = select.filter(C::RegionId.in_subquery(region_ids_with_codes(viewer, codes)));
    }
    if let Some(d) = filter.applied_from {
        select = select.filter(C::AppliedOn.gte(d));
    }
    if let Some(d) = filter.applied_to {
        select = select.filter(C::AppliedOn.lte(d));
    }
    if let Some(d) = filter.decided_from {
        select = select.filter(C::DecidedOn.gte(d));
    }
    if let Some(d) = filter.decided_to {
        select = select.filter(C::DecidedOn.lte(d));
    }
    let sort = Sort::requested(
        order,
        |field| match field {
            SubsidyOrderField::AppliedOn => C::AppliedOn,
            SubsidyOrderField::DecidedOn => C::DecidedOn,
            SubsidyOrderField::AmountRequested => C::AmountRequestedCents,
            SubsidyOrderField::AmountGranted => C::AmountGrantedCents,
        },
        C::Id,
    );
    page::fetch(db, select, sort, args, want_total).await
}

/// What a voucher list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct VoucherFilter {
    pub region_codes: Option<Vec<String>>,
    pub disciplines: Option<Vec<DisciplineCode>>,
    pub statuses: Option<Vec<ApplicationStatus>>,
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields a voucher list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum VoucherOrderField {
    #[default]
    AppliedOn,
    DecidedOn,
    Discipline,
    Amount,
}

/// A page of visible vouchers.
pub async fn vouchers(
    db: &Reader,
    viewer: &Viewer,
    filter: &VoucherFilter,
    order: Order<VoucherOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<voucher::Model>> {
    use voucher::Column as C;
    let mut select = access::vouchers(viewer);
    select = in_list(select, C::DisciplineCode, &filter.disciplines);
    select = in_list(select, C::Status, &filter.statuses);
    select = in_list(select, C::Source, &filter.sources);
    if let Some(codes) = &filter.region_codes {
        select = select.filter(C::RegionId.in_subquery(region_ids_with_codes(viewer, codes)));
    }
    let sort = Sort::requested(
        order,
        |field| match field {
            VoucherOrderField::AppliedOn => C::AppliedOn,
            VoucherOrderField::DecidedOn => C::DecidedOn,
            VoucherOrderField::Discipline => C::DisciplineCode,
            VoucherOrderField::Amount => C::AmountCents,
        },
        C::Id,
    );
    page::fetch(db, select, sort, args, want_total).await
}
