//! Regions: the ~54 regions with (at most) one RESV each.

use super::connection::connection;
use super::context::{request, wants_total};
use super::enums::{
    ApplicationStatus, Confidence, OrderDirection, Phase, SourceKind, SubsidyKind, stored,
};
use super::funding::{Subsidy, Voucher};
use super::learning::LearningMaterial;
use super::lineage::{RegionChange, RegionResolution, changes_of};
use super::neighbourhood::NeighbourhoodCollaboration;
use super::node::record_id;
use super::reference::{CareOfficeRegion, IzaRegion, Provenance};
use super::resv::{RegionalTableParty, Resv};
use super::scalars::Date;
use crate::service::kinds::Kind;
use crate::service::lineage;
use crate::service::regions::{self, RegionFilter as Filter, RegionOrderField as Field};
use crate::service::{Order, PageArgs};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::region;

/// A region (*regio*): a sub-region of a care-office region with one regional primary-care
/// collaboration (RESV). The country has about 54 (ZonMw's count).
///
/// The second field says how `region(code:)` found it, when it followed a merge or a rename.
#[derive(Clone)]
pub struct Region(
    pub region::Model,
    pub Option<std::sync::Arc<crate::service::lineage::Resolution>>,
);

impl From<region::Model> for Region {
    fn from(model: region::Model) -> Self {
        Region(model, None)
    }
}

#[Object]
impl Region {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Region, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "region", self.0.id).await
    }
    /// Region code, e.g. `R01`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name of the region.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Approximate number of inhabitants (*inwoners*).
    async fn population_approx(&self) -> Option<i64> {
        self.0.population_approx
    }
    /// The preferred insurer (*preferente zorgverzekeraar*): the market leader, who contracts the RESV.
    async fn preferred_insurer(&self) -> Option<&str> {
        self.0.preferred_insurer.as_deref()
    }
    /// The mandate municipality (*mandaatgemeente*), which speaks for the municipalities.
    async fn mandate_municipality(&self) -> Option<&str> {
        self.0.mandate_municipality.as_deref()
    }
    /// How far the row can be trusted (for the demonstration subdivision).
    async fn confidence(&self) -> Option<Confidence> {
        self.0.confidence.map(Into::into)
    }
    /// Remarks: sources, assumed municipalities, caveats.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
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
    /// The day the region ceased to exist by a merge or split (*opgeheven*); null while current.
    async fn retired_on(&self) -> Option<Date> {
        self.0.retired_on.map(Date)
    }
    /// Set when `region(code:)` was asked for a former code: the code asked for and the merges
    /// and renames followed to reach this region.
    async fn resolved_from(&self) -> Option<RegionResolution> {
        self.1.clone().map(RegionResolution)
    }
    /// Every merge, split and rename this region took part in, oldest first.
    async fn changes(&self, ctx: &Context<'_>) -> Result<Vec<RegionChange>> {
        Ok(changes_of(ctx, self.0.id)
            .await?
            .into_iter()
            .map(RegionChange)
            .collect())
    }
    /// The regions this one was made from by a merge or split (*voorgangers*).
    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let links = request(ctx)?
            .loaders
            .lineage_to()
            .load_one(self.0.id)
            .await?;
        linked(ctx, links.unwrap_or_default(), |l| l.predecessor_id).await
    }
    /// The regions this one merged or split into (*opvolgers*).
    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let links = request(ctx)?
            .loaders
            .lineage_from()
            .load_one(self.0.id)
            .await?;
        linked(ctx, links.unwrap_or_default(), |l| l.successor_id).await
    }
    /// Version, raised by every change (for optimistic concurrency).
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the row was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the row last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The care-office region (*zorgkantoorregio*) this region belongs to.
    async fn care_office_region(&self, ctx: &Context<'_>) -> Result<Option<CareOfficeRegion>> {
        let table = request(ctx)?.care_office_regions().await?;
        Ok(table
            .get(&self.0.care_office_region_id)
            .cloned()
            .map(CareOfficeRegion))
    }
    /// The IZA region this region was made from.
    async fn iza_region(&self, ctx: &Context<'_>) -> Result<Option<IzaRegion>> {
        let Some(id) = self.0.iza_region_id else {
            return Ok(None);
        };
        let table = request(ctx)?.iza_regions().await?;
        Ok(table.get(&id).cloned().map(IzaRegion))
    }
    /// The region's RESV (*regionaal eerstelijnssamenwerkingsverband*), if it has one.
    async fn resv(&self, ctx: &Context<'_>) -> Result<Option<Resv>> {
        Ok(request(ctx)?
            .loaders
            .resv_by_region()
            .load_one(self.0.id)
            .await?
            .map(Resv))
    }
    /// ZonMw subsidies of the region visible to you, by application date: the latest
    /// twenty at most (all of them: `subsidies(filter: {regionCodes})`).
    async fn subsidies(&self, ctx: &Context<'_>) -> Result<Vec<Subsidy>> {
        let loaded = request(ctx)?
            .loaders
            .subsidies_by_region()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let older = loaded.len().saturating_sub(MAX_SUBSIDIES);
        Ok(loaded.into_iter().skip(older).map(Subsidy).collect())
    }
    /// ZonMw vouchers of the region visible to you, one per discipline at most.
    async fn vouchers(&self, ctx: &Context<'_>) -> Result<Vec<Voucher>> {
        let loaded = request(ctx)?
            .loaders
            .vouchers_by_region()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Voucher)
            .collect())
    }
    /// The neighbourhood collaborations (*hechte wijkverbanden*) of the region, by name.
    async fn neighbourhood_collaborations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<NeighbourhoodCollaboration>> {
        let loaded = request(ctx)?
            .loaders
            .collaborations_by_region()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(NeighbourhoodCollaboration)
            .collect())
    }
    /// The parties at the regional table (*regiotafel*), including the RESV's one seat.
    async fn regional_table(&self, ctx: &Context<'_>) -> Result<Vec<RegionalTableParty>> {
        let loaded = request(ctx)?
            .loaders
            .parties_by_region()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(RegionalTableParty)
            .collect())
    }
    /// LeVEL learning materials related to this region that are visible to you: a hundred at
    /// most (all of them: `learningMaterials(filter: {regionCodes})`).
    async fn learning_materials(&self, ctx: &Context<'_>) -> Result<Vec<LearningMaterial>> {
        let loaders = &request(ctx)?.loaders;
        let links = loaders
            .materials_of_region()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<i32> = links.iter().map(|l| l.material_id).collect();
        let found = loaders.material().load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(LearningMaterial))
            .take(MAX_MATERIALS)
            .collect())
    }
}

/// The most subsidies `Region.subsidies` lists (its latest).
pub const MAX_SUBSIDIES: usize = 20;

/// The most materials `Region.learningMaterials` lists.
pub const MAX_MATERIALS: usize = 100;

/// The regions at the other end of merge and split `links` (renames left out), in their order.
async fn linked(
    ctx: &Context<'_>,
    links: Vec<entity::region_lineage::Model>,
    other: fn(&entity::region_lineage::Model) -> i32,
) -> Result<Vec<Region>> {
    let ids: Vec<i32> = links
        .iter()
        .filter(|l| l.kind != entity::LineageKind::Rename)
        .map(other)
        .collect();
    let found = request(ctx)?
        .loaders
        .region()
        .load_many(ids.iter().copied())
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.get(id).cloned().map(Region::from))
        .collect())
}

/// Filters for `regions`; all given criteria must hold, each list means "any of".
#[derive(Debug, Default, InputObject)]
pub struct RegionFilter {
    /// Region codes, e.g. `["R01", "R02"]`.
    pub codes: Option<Vec<String>>,
    /// Care-office region codes (*zorgkantoorregio*), e.g. `["ZK04"]`.
    pub care_office_region_codes: Option<Vec<String>>,
    /// IZA region codes, e.g. `["IZA01"]`.
    pub iza_region_codes: Option<Vec<String>>,
    /// Preferred insurers (*preferente zorgverzekeraar*), e.g. `["Menzis"]`.
    pub preferred_insurers: Option<Vec<String>>,
    /// Whether the region has an RESV.
    pub has_resv: Option<bool>,
    /// Development phases of the region's RESV.
    pub resv_phases: Option<Vec<Phase>>,
    /// Regions with a visible subsidy of one of these kinds.
    pub subsidy_kinds: Option<Vec<SubsidyKind>>,
    /// Regions with a visible subsidy in one of these statuses.
    pub subsidy_statuses: Option<Vec<ApplicationStatus>>,
    /// Part of the name, case-insensitive, at most 200 characters; `%` and `_` match
    /// themselves.
    pub name_contains: Option<String>,
    /// Kinds of source (*herkomst*).
    pub sources: Option<Vec<SourceKind>>,
    /// Whether regions retired by a merge or split are listed too (by default only current ones).
    #[graphql(default)]
    pub include_retired: bool,
}

/// Fields to order regions by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegionOrderField {
    /// Region code.
    #[default]
    Code,
    /// Name.
    Name,
    /// Approximate population (unknown last).
    Population,
}

/// The order of a region list; ties are broken by id, so pages are stable.
#[derive(Debug, Default, InputObject)]
pub struct RegionOrder {
    #[graphql(default)]
    pub field: RegionOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

connection!(RegionConnection, RegionEdge, Region, "regions");

/// Root fields for regions.
#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// One region by its code, e.g. `region(code: "R01")`. A former code still resolves: a
    /// region that merged answers with its successor and a renamed code with the region, each
    /// with `resolvedFrom` saying so (with `followChanges: false`, only a region that has the
    /// code now answers). A split region answers as itself, retired, with its `successors`.
    async fn region(
        &self,
        ctx: &Context<'_>,
        code: String,
        #[graphql(default = true)] follow_changes: bool,
    ) -> Result<Option<Region>> {
        let rc = request(ctx)?;
        if !follow_changes {
            return Ok(regions::by_code(&rc.db, &rc.viewer, &code)
                .await?
                .map(Region::from));
        }
        Ok(lineage::resolve(&rc.db, &rc.viewer, &code)
            .await?
            .map(|(model, resolution)| Region(model, resolution.map(std::sync::Arc::new))))
    }

    /// Regions (*regio's*), filtered and ordered; by code unless told otherwise.
    async fn regions(
        &self,
        ctx: &Context<'_>,
        filter: Option<RegionFilter>,
        order_by: Option<RegionOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RegionConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            codes: f.codes,
            care_office_region_codes: f.care_office_region_codes,
            iza_region_codes: f.iza_region_codes,
            preferred_insurers: f.preferred_insurers,
            has_resv: f.has_resv,
            resv_phases: stored(&f.resv_phases),
            subsidy_kinds: stored(&f.subsidy_kinds),
            subsidy_statuses: stored(&f.subsidy_statuses),
            name_contains: f.name_contains,
            sources: stored(&f.sources),
            include_retired: f.include_retired,
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                RegionOrderField::Code => Field::Code,
                RegionOrderField::Name => Field::Name,
                RegionOrderField::Population => Field::Population,
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
            regions::list(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx)).await?;
        Ok(RegionConnection(page.map(Region::from)))
    }
}
