//! LeVEL learning materials: the filtered, ordered list with text search.

use super::page::{self, Sort};
use super::sql::{contains_ci, in_list, region_ids_with_codes};
use super::{Order, Page, PageArgs};
use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiResult;
use chrono::NaiveDate;
use entity::*;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, QueryTrait};

/// What a material list can be filtered on; all given criteria must hold.
#[derive(Debug, Clone, Default)]
pub struct MaterialFilter {
    /// Materials tagged with any of these themes.
    pub themes: Option<Vec<Theme>>,
    pub kinds: Option<Vec<MaterialKind>>,
    /// Materials related to any of these regions.
    pub region_codes: Option<Vec<String>>,
    pub published_from: Option<NaiveDate>,
    pub published_to: Option<NaiveDate>,
    /// Words that must all occur in the title or the summary (case-insensitive).
    pub search: Option<String>,
    pub visibilities: Option<Vec<Visibility>>,
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields a material list can be ordered by.
#[derive(Debug, Clone, Copy, Default)]
pub enum MaterialOrderField {
    #[default]
    PublishedOn,
    Title,
    EventStartsAt,
}

/// A page of visible materials.
pub async fn list(
    db: &Reader,
    viewer: &Viewer,
    filter: &MaterialFilter,
    order: Order<MaterialOrderField>,
    args: &PageArgs,
    want_total: bool,
) -> ApiResult<Page<learning_material::Model>> {
    use learning_material::Column as C;
    let mut select = access::learning_materials(viewer);
    select = in_list(select, C::Kind, &filter.kinds);
    select = in_list(select, C::Visibility, &filter.visibilities);
    select = in_list(select, C::Source, &filter.sources);
    if let Some(themes) = &filter.themes {
        select = select.filter(
            C::Id.in_subquery(
                access::material_themes(viewer)
                    .select_only()
                    .column(material_theme::Column::MaterialId)
                    .filter(material_theme::Column::Theme.is_in(themes.iter().copied()))
                    .into_query(),
            ),
        );
    }
    if let Some(codes) = &filter.region_codes {
        select = select.filter(
            C::Id.in_subquery(
                access::material_regions(viewer)
                    .select_only()
                    .column(material_region::Column::MaterialId)
                    .filter(
                        material_region::Column::RegionId
                            .in_subquery(region_ids_with_codes(viewer, codes)),
                    )
                    .into_query(),
            ),
        );
    }
    if let Some(d) = filter.published_from {
        select = select.filter(C::PublishedOn.gte(d));
    }
    if let Some(d) = filter.published_to {
        select = select.filter(C::PublishedOn.lte(d));
    }
    if let Some(text) = &filter.search {
        for word in super::sql::searched("search", text)?.split_whitespace() {
            select = select.filter(
                Condition::any()
                    .add(contains_ci(C::Title, word))
                    .add(contains_ci(C::Summary, word)),
            );
        }
    }
    let sort = Sort::requested(
        order,
        |field| match field {
            MaterialOrderField::PublishedOn => C::PublishedOn,
            MaterialOrderField::Title => C::Title,
            MaterialOrderField::EventStartsAt => C::EventStartsAt,
        },
        C::Id,
    );
    page::fetch(db, select, sort, args, want_total).await
}
