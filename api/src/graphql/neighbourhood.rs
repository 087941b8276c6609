//! Neighbourhood collaborations (*hechte wijkverbanden*).

use super::connection::connection;
use super::context::{request, wants_total};
use super::enums::{CollaborationStatus, DisciplineCode, OrderDirection, SourceKind, stored};
use super::node::record_id;
use super::reference::{Discipline, Provenance, disciplines_of};
use super::region::Region;
use super::scalars::Date;
use crate::service::kinds::Kind;
use crate::service::neighbourhoods::{
    self, CollaborationFilter as Filter, CollaborationOrderField as Field,
};
use crate::service::{Order, PageArgs};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entity::neighbourhood_collaboration;

/// A close-knit neighbourhood collaboration (*hecht wijkverband*): in a neighbourhood or village of
/// typically 10,000–20,000 inhabitants, at least the GP, district nursing, the pharmacist and a
/// social-domain professional work together.
#[derive(Clone)]
pub struct NeighbourhoodCollaboration(pub neighbourhood_collaboration::Model);

#[Object]
impl NeighbourhoodCollaboration {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::NeighbourhoodCollaboration, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "neighbourhood_collaboration", self.0.id).await
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The neighbourhood or village covered (*wijk*).
    async fn area(&self) -> &str {
        &self.0.area
    }
    /// Inhabitants of the area.
    async fn population(&self) -> Option<i64> {
        self.0.population
    }
    /// Status.
    async fn status(&self) -> CollaborationStatus {
        self.0.status.into()
    }
    /// When it was established.
    async fn established_on(&self) -> Option<Date> {
        self.0.established_on.map(Date)
    }
    /// The disciplines taking part.
    async fn disciplines(&self, ctx: &Context<'_>) -> Result<Vec<Discipline>> {
        let rc = request(ctx)?;
        let links = rc
            .loaders
            .collaboration_disciplines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        disciplines_of(rc, links.into_iter().map(|l| l.discipline_code).collect()).await
    }
    /// Whether the minimum composition is met: GP (*huisarts*), district nursing
    /// (*wijkverpleging*), pharmacy (*apotheek*) and the social domain (*sociaal domein*).
    async fn meets_minimum_composition(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.missing(ctx).await?.is_empty())
    }
    /// Disciplines of the minimum composition that do not take part yet.
    async fn missing_disciplines(&self, ctx: &Context<'_>) -> Result<Vec<DisciplineCode>> {
        Ok(self
            .missing(ctx)
            .await?
            .into_iter()
            .map(Into::into)
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
    /// The region.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(self.0.region_id)
            .await?
            .map(Region::from))
    }
}

impl NeighbourhoodCollaboration {
    async fn missing(&self, ctx: &Context<'_>) -> Result<Vec<entity::DisciplineCode>> {
        let links = request(ctx)?
            .loaders
            .collaboration_disciplines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let present: Vec<entity::DisciplineCode> =
            links.iter().map(|l| l.discipline_code).collect();
        Ok(neighbourhoods::missing_from_minimum(&present))
    }
}

/// Filters for `neighbourhoodCollaborations`; all given criteria must hold.
#[derive(Debug, Default, InputObject)]
pub struct NeighbourhoodCollaborationFilter {
    /// Codes of the regions.
    pub region_codes: Option<Vec<String>>,
    /// Statuses (any of).
    pub statuses: Option<Vec<CollaborationStatus>>,
    /// Whether the minimum composition is met.
    pub meets_minimum_composition: Option<bool>,
    /// Disciplines that must all take part.
    pub with_disciplines: Option<Vec<DisciplineCode>>,
    /// Part of the name, case-insensitive, at most 200 characters; `%` and `_` match
    /// themselves.
    pub name_contains: Option<String>,
    /// Kinds of source (*herkomst*), any of.
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields to order neighbourhood collaborations by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NeighbourhoodCollaborationOrderField {
    /// Name.
    #[default]
    Name,
    /// Population (unknown last).
    Population,
    /// Date of establishment (unknown last).
    EstablishedOn,
}

/// The order of a neighbourhood-collaboration list; ties are broken by id.
#[derive(Debug, Default, InputObject)]
pub struct NeighbourhoodCollaborationOrder {
    #[graphql(default)]
    pub field: NeighbourhoodCollaborationOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

connection!(
    NeighbourhoodCollaborationConnection,
    NeighbourhoodCollaborationEdge,
    NeighbourhoodCollaboration,
    "neighbourhood collaborations"
);

/// Root fields for neighbourhood collaborations.
#[derive(Default)]
pub struct NeighbourhoodQuery;

#[Object]
impl NeighbourhoodQuery {
    /// Neighbourhood collaborations (*hechte wijkverbanden*), filtered and ordered; by name unless
    /// told otherwise.
    async fn neighbourhood_collaborations(
        &self,
        ctx: &Context<'_>,
        filter: Option<NeighbourhoodCollaborationFilter>,
        order_by: Option<NeighbourhoodCollaborationOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<NeighbourhoodCollaborationConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            region_codes: f.region_codes,
            statuses: stored(&f.statuses),
            meets_minimum_composition: f.meets_minimum_composition,
            with_disciplines: stored(&f.with_disciplines),
            name_contains: f.name_contains,
            sources: stored(&f.sources),
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                NeighbourhoodCollaborationOrderField::Name => Field::Name,
                NeighbourhoodCollaborationOrderField::Population => Field::Population,
                NeighbourhoodCollaborationOrderField::EstablishedOn => Field::EstablishedOn,
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
            neighbourhoods::list(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx))
                .await?;
        Ok(NeighbourhoodCollaborationConnection(
            page.map(NeighbourhoodCollaboration),
        ))
    }
}
