//! Reference data: care-office regions, IZA regions and disciplines.

use super::connection::connection;
use super::context::{RequestContext, request, wants_total};
use super::enums::DisciplineCode;
use super::node::global_id;
use super::region::Region;
use super::scalars::Money;
use crate::service::{PageArgs, reference};
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{care_office_region, discipline, iza_region};

/// Where a registry row comes from (*herkomst*), so real data can be told from illustrative data.
#[derive(Debug, Clone)]
pub struct Provenance {
    source: entity::SourceKind,
    reference: Option<String>,
    imported_at: Option<DateTime<Utc>>,
    imported_by: Option<String>,
}

impl Provenance {
    /// Provenance of reference data, which no import writes.
    pub fn of(source: entity::SourceKind, reference: &Option<String>) -> Self {
        Provenance::imported(source, reference, None, &None)
    }

    /// Provenance from the stored columns, with the import that last wrote the row.
    pub fn imported(
        source: entity::SourceKind,
        reference: &Option<String>,
        imported_at: Option<DateTime<Utc>>,
        imported_by: &Option<String>,
    ) -> Self {
        Provenance {
            source,
            reference: reference.clone(),
            imported_at,
            imported_by: imported_by.clone(),
        }
    }
}

#[Object]
impl Provenance {
    /// The kind of source.
    async fn source(&self) -> super::enums::SourceKind {
        self.source.into()
    }
    /// The source itself: a document, list, decision number or file name.
    async fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
    /// When an import (`api import`, `importRecords`) last wrote the row; null for rows entered
    /// through the API or the seed.
    async fn imported_at(&self) -> Option<DateTime<Utc>> {
        self.imported_at
    }
    /// Who ran that import (the token's subject); null unless you may read the audit trail.
    async fn imported_by(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let viewer = &request(ctx)?.viewer;
        Ok(self
            .imported_by
            .as_deref()
            .filter(|_| crate::access::can_read_audit(viewer)))
    }
}

/// A care-office region (*zorgkantoorregio*): one of the 31 regions whose care office is run by
/// an insurer. Regions are sub-regions of a care-office region.
#[derive(Clone)]
pub struct CareOfficeRegion(pub care_office_region::Model);

#[Object]
impl CareOfficeRegion {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        global_id("CareOfficeRegion", self.0.id)
    }
    /// Code `ZK01`..`ZK31` (alphabetical by name; not the CBS code).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name of the care-office region.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The insurer that runs the care office (*zorgkantoor*).
    async fn insurer(&self) -> &str {
        &self.0.insurer
    }
    /// Approximate number of inhabitants (around 2019, as the source gives it).
    async fn population_approx(&self) -> Option<i64> {
        self.0.population_approx
    }
    /// Remarks on the region's history and sources.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Where this row comes from.
    async fn provenance(&self) -> Provenance {
        Provenance::of(self.0.source, &self.0.source_reference)
    }
    /// The IZA regions mainly within this care-office region.
    async fn iza_regions(&self, ctx: &Context<'_>) -> Result<Vec<IzaRegion>> {
        let table = request(ctx)?.iza_regions().await?;
        Ok(table
            .all()
            .iter()
            .filter(|iza| iza.care_office_region_id == self.0.id)
            .cloned()
            .map(IzaRegion)
            .collect())
    }
    /// The regions within this care-office region.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let loaded = request(ctx)?
            .loaders
            .regions_by_care_office()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Region::from)
            .collect())
    }
}

/// An IZA region: one of the 42 regions of the Integraal Zorgakkoord, with its mandate
/// municipality (*mandaatgemeente*) and SPUK-IZA amounts.
#[derive(Clone)]
pub struct IzaRegion(pub iza_region::Model);

#[Object]
impl IzaRegion {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        global_id("IzaRegion", self.0.id)
    }
    /// Code `IZA01`..`IZA42`, in the order of the VWS letter.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name as printed in the VWS letter.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The municipality that speaks for the municipalities of the region (*mandaatgemeente*).
    async fn mandate_municipality(&self) -> &str {
        &self.0.mandate_municipality
    }
    /// SPUK-IZA amount for 2025.
    async fn spuk_iza_2025(&self) -> Option<Money> {
        self.0.spuk_2025_cents.map(Money::from_cents)
    }
    /// SPUK-IZA amount for 2026.
    async fn spuk_iza_2026(&self) -> Option<Money> {
        self.0.spuk_2026_cents.map(Money::from_cents)
    }
    /// Approximate inhabitants, derived from the SPUK-IZA share (±20%).
    async fn population_approx(&self) -> Option<i64> {
        self.0.population_approx
    }
    /// How the derived columns were derived.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Where this row comes from.
    async fn provenance(&self) -> Provenance {
        Provenance::of(self.0.source, &self.0.source_reference)
    }
    /// The care-office region that holds most of this IZA region.
    async fn care_office_region(&self, ctx: &Context<'_>) -> Result<Option<CareOfficeRegion>> {
        let table = request(ctx)?.care_office_regions().await?;
        Ok(table
            .get(&self.0.care_office_region_id)
            .cloned()
            .map(CareOfficeRegion))
    }
    /// The regions made from this IZA region.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let loaded = request(ctx)?
            .loaders
            .regions_by_iza()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Region::from)
            .collect())
    }
}

/// A primary-care discipline (*discipline*) with a seat at the RESV table.
#[derive(Clone)]
pub struct Discipline(pub discipline::Model);

#[Object]
impl Discipline {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        global_id("Discipline", self.0.code.as_str())
    }
    /// The discipline's code.
    async fn code(&self) -> DisciplineCode {
        self.0.code.into()
    }
    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }
    /// Dutch name (*Nederlandse naam*), e.g. `Huisartsen`.
    async fn name_nl(&self) -> &str {
        &self.0.name_nl
    }
    /// Whether it is a paramedical discipline (*paramedisch*), which may share one seat through
    /// a multidisciplinary paramedical network.
    async fn paramedical(&self) -> bool {
        self.0.paramedical
    }
    /// Whether it belongs to the minimum composition (GP care, district nursing, pharmacy, social
    /// domain) of a neighbourhood collaboration and the RESV table.
    async fn minimum_composition(&self) -> bool {
        self.0.minimum_composition
    }
}

/// The disciplines with `codes`, in the customary order of disciplines.
pub async fn disciplines_of(
    rc: &RequestContext,
    codes: Vec<entity::DisciplineCode>,
) -> Result<Vec<Discipline>> {
    let table = rc.disciplines().await?;
    Ok(table.of(&codes).into_iter().map(Discipline).collect())
}

connection!(
    CareOfficeRegionConnection,
    CareOfficeRegionEdge,
    CareOfficeRegion,
    "care-office regions"
);
connection!(IzaRegionConnection, IzaRegionEdge, IzaRegion, "IZA regions");

/// Root fields for reference data.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The 31 care-office regions (*zorgkantoorregio's*), by code.
    async fn care_office_regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those run by one of these insurers.")] insurers: Option<Vec<String>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<CareOfficeRegionConnection> {
        let rc = request(ctx)?;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page =
            reference::care_office_regions(&rc.db, &rc.viewer, &insurers, &args, wants_total(ctx))
                .await?;
        Ok(CareOfficeRegionConnection(page.map(CareOfficeRegion)))
    }

    /// The 42 IZA regions, by code.
    async fn iza_regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those within these care-office regions (codes such as `ZK04`).")]
        care_office_region_codes: Option<Vec<String>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<IzaRegionConnection> {
        let rc = request(ctx)?;
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = reference::iza_regions(
            &rc.db,
            &rc.viewer,
            &care_office_region_codes,
            &args,
            wants_total(ctx),
        )
        .await?;
        Ok(IzaRegionConnection(page.map(IzaRegion)))
    }

    /// The thirteen disciplines (*disciplines*), GP care first. A fixed reference list, so not paged.
    async fn disciplines(&self, ctx: &Context<'_>) -> Result<Vec<Discipline>> {
        let table = request(ctx)?.disciplines().await?;
        Ok(table.all().iter().cloned().map(Discipline).collect())
    }
}
