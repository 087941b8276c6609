//! Neighbourhood collaborations (*hechte wijkverbanden*): the filtered, ordered list and the
//! minimum-composition rule.

use super::page::{self, Sort};
use super::sql::{contains_ci, in_list, region_ids_with_codes, searched};
use super::{Order, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use entity::*;
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, QueryTrait};

/// What a neighbourhood-collaboration list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct CollaborationFilter {
    pub region_codes: Option<Vec<String>>,
    pub statuses: Option<Vec<CollaborationStatus>>,
    pub meets_minimum_composition: Option<bool>,
    /// Collaborations in which every one of these disciplines takes part.
    pub with_disciplines: Option<Vec<DisciplineCode>>,
    pub name_contains: Option<String>,
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields a neighbourhood-collaboration list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum CollaborationOrderField {
    #[default]
    Name,
    Population,
    EstablishedOn,
}

/// The disciplines of the minimum composition (GP, district nursing, pharmacy and the social
/// domain) missing from `disciplines`; empty when the composition is met.
pub fn missing_from_minimum(disciplines: &[DisciplineCode]) -> Vec<DisciplineCode> {
    DisciplineCode::MINIMUM_COMPOSITION
        .into_iter()
        .filter(|d| !disciplines.contains(d))
        .collect()
}

/// Ids of the visible collaborations in which all of `disciplines` take part.
fn having_all(viewer: &Viewer, disciplines: &[DisciplineCode]) -> SelectStatement {
    let wanted = i64::try_from(disciplines.len()).unwrap_or(i64::MAX);
    access::nc_disciplines(viewer)
        .select_only()
        .column(nc_discipline::Column::CollaborationId)
        .filter(nc_discipline::Column::DisciplineCode.is_in(disciplines.iter().copied()))
        .group_by(nc_discipline::Column::CollaborationId)
        .having(
            Expr::col(nc_discipline::Column::DisciplineCode)
                .count_distinct()
                .eq(wanted),
        )
        .into_query()
}

/// A page of visible neighbourhood collaborations.
pub async fn list(
    db: &Reader,
    viewer: &Viewer,
    filter: &CollaborationFilter,
    order: Order<CollaborationOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<neighbourhood_collaboration::Model>> {
    use neighbourhood_collaboration::Column as C;
    let mut select = access::neighbourhood_collaborations(viewer);
    select = in_list(select, C::Status, &filter.statuses);
    select = in_list(select, C::Source, &filter.sources);
    if let Some(codes) = &filter.region_codes {
        select = select.filter(C::RegionId.in_subquery(region_ids_with_codes(viewer, codes)));
    }
    if let Some(disciplines) = &filter.with_disciplines {
        select = select.filter(C::Id.in_subquery(having_all(viewer, disciplines)));
    }
    match filter.meets_minimum_composition {
        Some(true) => {
            select = select
                .filter(C::Id.in_subquery(having_all(viewer, &DisciplineCode::MINIMUM_COMPOSITION)))
        }
        Some(false) => {
            select = select.filter(
                C::Id.not_in_subquery(having_all(viewer, &DisciplineCode::MINIMUM_COMPOSITION)),
            )
        }
        None => {}
    }
    if let Some(text) = &filter.name_contains {
        select = select.filter(contains_ci(C::Name, searched("nameContains", text)?));
    }
    let sort = Sort::requested(
        order,
        |field| match field {
            CollaborationOrderField::Name => C::Name,
            CollaborationOrderField::Population => C::Population,
            CollaborationOrderField::EstablishedOn => C::EstablishedOn,
        },
        C::Id,
    );
    page::fetch(db, select, sort, args, want_total).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_composition_needs_all_four_core_disciplines() {
        use DisciplineCode::*;
        assert!(
            missing_from_minimum(&[
                GeneralPractice,
                DistrictNursing,
                Pharmacy,
                SocialWork,
                Dietetics
            ])
            .is_empty()
        );
        assert_eq!(
            missing_from_minimum(&[GeneralPractice, DistrictNursing, Pharmacy]),
            vec![SocialWork]
        );
        assert_eq!(missing_from_minimum(&[]).len(), 4);
    }
}
