//! LeVEL learning materials (*Leer- en Verbeternetwerk Eerste Lijn*).

use super::connection::connection;
use super::context::{request, wants_total};
use super::enums::{MaterialKind, OrderDirection, SourceKind, Theme, Visibility, stored};
use super::node::record_id;
use super::reference::Provenance;
use super::region::Region;
use super::scalars::Date;
use crate::service::kinds::Kind;
use crate::service::materials::{self, MaterialFilter as Filter, MaterialOrderField as Field};
use crate::service::{Order, PageArgs};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::learning_material;

/// A material of the LeVEL learning network (*Leer- en Verbeternetwerk Eerste Lijn*): a guide,
/// good practice, tool, event, webinar or expert.
#[derive(Clone)]
pub struct LearningMaterial(pub learning_material::Model);

#[Object]
impl LearningMaterial {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::LearningMaterial, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "learning_material", self.0.id).await
    }
    /// The kind of material.
    async fn kind(&self) -> MaterialKind {
        self.0.kind.into()
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Summary.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Where to find it.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// Date of publication.
    async fn published_on(&self) -> Date {
        Date(self.0.published_on)
    }
    /// Start of the event or webinar.
    async fn event_starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.event_starts_at
    }
    /// Who may see it: everyone, or members of the network only.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// Themes it is tagged with.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<Theme>> {
        let links = request(ctx)?
            .loaders
            .material_themes()
            .load_one(self.0.id)
            .await?;
        Ok(links
            .unwrap_or_default()
            .into_iter()
            .map(|l| l.theme.into())
            .collect())
    }
    /// Regions it relates to.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let loaders = &request(ctx)?.loaders;
        let links = loaders
            .material_regions()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<i32> = links.iter().map(|l| l.region_id).collect();
        let found = loaders.region().load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Region::from))
            .collect())
    }
    /// Where this row comes from.
    async fn provenance(&self) -> Provenance {
        Provenance::imported(
            self.0.source,
            &self.0.source_reference,
            self.0.imported_at,
            &self.0.imported_by,
        )
    }
    /// Version, raised by every change (for optimistic concurrency).
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Filters for `learningMaterials`; all given criteria must hold.
#[derive(Debug, Default, InputObject)]
pub struct LearningMaterialFilter {
    /// Materials tagged with any of these themes.
    pub themes: Option<Vec<Theme>>,
    /// Kinds (any of).
    pub kinds: Option<Vec<MaterialKind>>,
    /// Materials related to any of these regions (codes).
    pub region_codes: Option<Vec<String>>,
    /// Published on or after this date.
    pub published_from: Option<Date>,
    /// Published on or before this date.
    pub published_to: Option<Date>,
    /// Words that must all occur in the title or summary, case-insensitive, at most 200
    /// characters in all; `%` and `_` match themselves.
    pub search: Option<String>,
    /// Visibility (any of); you only ever see what you may see.
    pub visibilities: Option<Vec<Visibility>>,
    /// Kinds of source (*herkomst*), any of.
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields to order materials by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LearningMaterialOrderField {
    /// Date of publication.
    #[default]
    PublishedOn,
    /// Title.
    Title,
    /// Start of the event (non-events last).
    EventStartsAt,
}

/// The order of a material list; ties are broken by id.
#[derive(Debug, InputObject)]
pub struct LearningMaterialOrder {
    #[graphql(default)]
    pub field: LearningMaterialOrderField,
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl Default for LearningMaterialOrder {
    fn default() -> Self {
        LearningMaterialOrder {
            field: LearningMaterialOrderField::PublishedOn,
            direction: OrderDirection::Desc,
        }
    }
}

connection!(
    LearningMaterialConnection,
    LearningMaterialEdge,
    LearningMaterial,
    "LeVEL learning materials"
);

/// Root fields for LeVEL materials.
#[derive(Default)]
pub struct LearningQuery;

#[Object]
impl LearningQuery {
    /// LeVEL learning materials visible to you; newest first unless told otherwise. Without a
    /// token only public materials are visible.
    async fn learning_materials(
        &self,
        ctx: &Context<'_>,
        filter: Option<LearningMaterialFilter>,
        order_by: Option<LearningMaterialOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<LearningMaterialConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            themes: stored(&f.themes),
            kinds: stored(&f.kinds),
            region_codes: f.region_codes,
            published_from: f.published_from.map(|d| d.0),
            published_to: f.published_to.map(|d| d.0),
            search: f.search,
            visibilities: stored(&f.visibilities),
            sources: stored(&f.sources),
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                LearningMaterialOrderField::PublishedOn => Field::PublishedOn,
                LearningMaterialOrderField::Title => Field::Title,
                LearningMaterialOrderField::EventStartsAt => Field::EventStartsAt,
            },
            direction: o.direction.into(),
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page =
            materials::list(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx)).await?;
        Ok(LearningMaterialConnection(page.map(LearningMaterial)))
    }
}
