//! Mutations of the regional table, neighbourhood collaborations, agreements and regions.

use super::context::request;
use super::enums::{
    AgreementLevel, AgreementStatus, CollaborationStatus, DisciplineCode, SourceKind,
    TablePartyKind,
};
use super::mutation::{DeleteInput, DeletePayload, clearable, decode_id, delete_record, payload};
use super::neighbourhood::NeighbourhoodCollaboration;
use super::region::Region;
use super::resv::{Agreement, RegionalTableParty};
use super::scalars::Date;
use crate::service::edit;
use crate::service::edit_agreements::{self, AgreementFields};
use crate::service::edit_collaborations::{self, CollaborationFields};
use crate::service::edit_regions::{self, RegionFields};
use crate::service::edit_table;
use crate::service::rules::{self, Collaboration};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

/// Input of `createRegionalTableParty`.
#[derive(Debug, InputObject)]
pub struct CreateRegionalTablePartyInput {
    pub region_code: String,
    /// The RESV has exactly one seat (`RESV`) at the regional table.
    pub kind: TablePartyKind,
    pub organisation: String,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateRegionalTableParty`.
#[derive(Debug, InputObject)]
pub struct UpdateRegionalTablePartyInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<TablePartyKind>,
    pub organisation: Option<String>,
}

/// Input of `createNeighbourhoodCollaboration`.
#[derive(Debug, InputObject)]
pub struct CreateNeighbourhoodCollaborationInput {
    pub region_code: String,
    pub name: String,
    /// The neighbourhood or village (*wijk*).
    pub area: String,
    pub population: Option<i64>,
    #[graphql(default_with = "CollaborationStatus::Forming")]
    pub status: CollaborationStatus,
    pub established_on: Option<Date>,
    #[graphql(default)]
    pub disciplines: Vec<DisciplineCode>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateNeighbourhoodCollaboration`: absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct UpdateNeighbourhoodCollaborationInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub area: Option<String>,
    pub population: MaybeUndefined<i64>,
    pub status: Option<CollaborationStatus>,
    pub established_on: MaybeUndefined<Date>,
    pub disciplines: Option<Vec<DisciplineCode>>,
}

/// Input of `createAgreement`.
#[derive(Debug, InputObject)]
pub struct CreateAgreementInput {
    pub resv_id: ID,
    pub topic: String,
    pub level: AgreementLevel,
    #[graphql(default_with = "AgreementStatus::Draft")]
    pub status: AgreementStatus,
    pub agreed_on: Option<Date>,
    #[graphql(default)]
    pub disciplines: Vec<DisciplineCode>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateAgreement`: absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct UpdateAgreementInput {
    pub id: ID,
    pub version: i32,
    pub topic: Option<String>,
    pub level: Option<AgreementLevel>,
    pub status: Option<AgreementStatus>,
    pub agreed_on: MaybeUndefined<Date>,
    pub disciplines: Option<Vec<DisciplineCode>>,
}

/// Input of `createRegion` (admins).
#[derive(Debug, InputObject)]
pub struct CreateRegionInput {
    pub code: String,
    pub name: String,
    pub care_office_region_code: String,
    pub iza_region_code: Option<String>,
    pub population_approx: Option<i64>,
    pub preferred_insurer: Option<String>,
    pub mandate_municipality: Option<String>,
    pub notes: Option<String>,
    #[graphql(default_with = "SourceKind::OfficialList")]
    pub source: SourceKind,
    pub source_reference: Option<String>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateRegion` (admins): absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct UpdateRegionInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub care_office_region_code: Option<String>,
    pub iza_region_code: MaybeUndefined<String>,
    pub population_approx: MaybeUndefined<i64>,
    pub preferred_insurer: MaybeUndefined<String>,
    pub mandate_municipality: MaybeUndefined<String>,
    pub notes: MaybeUndefined<String>,
    pub source: Option<SourceKind>,
    pub source_reference: MaybeUndefined<String>,
}

payload!(CreateRegionalTablePartyPayload, party: RegionalTableParty, "The result of `createRegionalTableParty`.");
payload!(UpdateRegionalTablePartyPayload, party: RegionalTableParty, "The result of `updateRegionalTableParty`.");
payload!(CreateNeighbourhoodCollaborationPayload, neighbourhood_collaboration: NeighbourhoodCollaboration, "The result of `createNeighbourhoodCollaboration`.");
payload!(UpdateNeighbourhoodCollaborationPayload, neighbourhood_collaboration: NeighbourhoodCollaboration, "The result of `updateNeighbourhoodCollaboration`.");
payload!(CreateAgreementPayload, agreement: Agreement, "The result of `createAgreement`.");
payload!(UpdateAgreementPayload, agreement: Agreement, "The result of `updateAgreement`.");
payload!(CreateRegionPayload, region: Region, "The result of `createRegion`.");
payload!(UpdateRegionPayload, region: Region, "The result of `updateRegion`.");

impl From<entity::regional_table_party::Model> for RegionalTableParty {
    fn from(m: entity::regional_table_party::Model) -> Self {
        RegionalTableParty(m)
    }
}
impl From<entity::neighbourhood_collaboration::Model> for NeighbourhoodCollaboration {
    fn from(m: entity::neighbourhood_collaboration::Model) -> Self {
        NeighbourhoodCollaboration(m)
    }
}
impl From<entity::agreement::Model> for Agreement {
    fn from(m: entity::agreement::Model) -> Self {
        Agreement(m)
    }
}

fn date(d: MaybeUndefined<Date>) -> Option<Option<chrono::NaiveDate>> {
    clearable(d).map(|d| d.map(|d| d.0))
}

fn codes(d: Vec<DisciplineCode>) -> Vec<entity::DisciplineCode> {
    d.into_iter().map(Into::into).collect()
}

/// Mutations a region keeps (its coordinators and admins), and regions themselves (admins).
#[derive(Default)]
pub struct RegionMutation;

#[Object]
impl RegionMutation {
    /// Adds a party to a region's regional table (*regiotafel*).
    async fn create_regional_table_party(
        &self,
        ctx: &Context<'_>,
        input: CreateRegionalTablePartyInput,
    ) -> Result<CreateRegionalTablePartyPayload> {
        let rc = request(ctx)?;
        CreateRegionalTablePartyPayload::of(
            edit_table::create_party(
                &rc.pool,
                &rc.viewer,
                &input.region_code,
                input.kind.into(),
                &input.organisation,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Changes a party at a regional table.
    async fn update_regional_table_party(
        &self,
        ctx: &Context<'_>,
        input: UpdateRegionalTablePartyInput,
    ) -> Result<UpdateRegionalTablePartyPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "RegionalTableParty", &input.id)?;
            edit_table::update_party(
                &rc.pool,
                &rc.viewer,
                id,
                input.version,
                input.kind.map(Into::into),
                input.organisation.as_deref(),
            )
            .await
        };
        UpdateRegionalTablePartyPayload::of(result.await)
    }

    /// Removes a party from a regional table.
    async fn delete_regional_table_party(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        delete_record::<entity::regional_table_party::Model>(ctx, input).await
    }

    /// Registers a neighbourhood collaboration (*hecht wijkverband*).
    async fn create_neighbourhood_collaboration(
        &self,
        ctx: &Context<'_>,
        input: CreateNeighbourhoodCollaborationInput,
    ) -> Result<CreateNeighbourhoodCollaborationPayload> {
        let rc = request(ctx)?;
        let fields = CollaborationFields {
            name: Some(input.name),
            area: Some(input.area),
            population: Some(input.population),
            status: Some(input.status.into()),
            established_on: Some(input.established_on.map(|d| d.0)),
            disciplines: Some(codes(input.disciplines)),
        };
        CreateNeighbourhoodCollaborationPayload::of(
            edit_collaborations::create_collaboration(
                &rc.pool,
                &rc.viewer,
                &input.region_code,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Changes a neighbourhood collaboration.
    async fn update_neighbourhood_collaboration(
        &self,
        ctx: &Context<'_>,
        input: UpdateNeighbourhoodCollaborationInput,
    ) -> Result<UpdateNeighbourhoodCollaborationPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "NeighbourhoodCollaboration", &input.id)?;
            let fields = CollaborationFields {
                name: input.name,
                area: input.area,
                population: clearable(input.population),
                status: input.status.map(Into::into),
                established_on: date(input.established_on),
                disciplines: input.disciplines.map(codes),
            };
            edit::update::<Collaboration, _>(&rc.pool, &rc.viewer, id, input.version, fields)
                .await
                .map(|c| c.row)
        };
        UpdateNeighbourhoodCollaborationPayload::of(result.await)
    }

    /// Deletes a neighbourhood collaboration.
    async fn delete_neighbourhood_collaboration(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        delete_record::<Collaboration>(ctx, input).await
    }

    /// Records a collaboration agreement (*samenwerkingsafspraak*) of an RESV.
    async fn create_agreement(
        &self,
        ctx: &Context<'_>,
        input: CreateAgreementInput,
    ) -> Result<CreateAgreementPayload> {
        let rc = request(ctx)?;
        let result = async {
            let resv_id = decode_id("resvId", "Resv", &input.resv_id)?;
            let fields = AgreementFields {
                topic: Some(input.topic),
                level: Some(input.level.into()),
                status: Some(input.status.into()),
                agreed_on: Some(input.agreed_on.map(|d| d.0)),
                disciplines: Some(codes(input.disciplines)),
            };
            edit_agreements::create_agreement(
                &rc.pool,
                &rc.viewer,
                resv_id,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await
        };
        CreateAgreementPayload::of(result.await)
    }

    /// Changes a collaboration agreement.
    async fn update_agreement(
        &self,
        ctx: &Context<'_>,
        input: UpdateAgreementInput,
    ) -> Result<UpdateAgreementPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Agreement", &input.id)?;
            let fields = AgreementFields {
                topic: input.topic,
                level: input.level.map(Into::into),
                status: input.status.map(Into::into),
                agreed_on: date(input.agreed_on),
                disciplines: input.disciplines.map(codes),
            };
            edit::update::<rules::Agreement, _>(&rc.pool, &rc.viewer, id, input.version, fields)
                .await
                .map(|a| a.row)
        };
        UpdateAgreementPayload::of(result.await)
    }

    /// Deletes a collaboration agreement.
    async fn delete_agreement(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        delete_record::<rules::Agreement>(ctx, input).await
    }

    /// Adds a region (admins).
    async fn create_region(
        &self,
        ctx: &Context<'_>,
        input: CreateRegionInput,
    ) -> Result<CreateRegionPayload> {
        let rc = request(ctx)?;
        let fields = RegionFields {
            name: Some(input.name),
            population_approx: Some(input.population_approx),
            preferred_insurer: Some(input.preferred_insurer),
            mandate_municipality: Some(input.mandate_municipality),
            care_office_region_code: Some(input.care_office_region_code),
            iza_region_code: Some(input.iza_region_code),
            notes: Some(input.notes),
            source: Some(input.source.into()),
            source_reference: input.source_reference.map(Some),
        };
        CreateRegionPayload::of(
            edit_regions::create_region(
                &rc.pool,
                &rc.viewer,
                &input.code,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Changes a region (admins).
    async fn update_region(
        &self,
        ctx: &Context<'_>,
        input: UpdateRegionInput,
    ) -> Result<UpdateRegionPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Region", &input.id)?;
            let fields = RegionFields {
                name: input.name,
                population_approx: clearable(input.population_approx),
                preferred_insurer: clearable(input.preferred_insurer),
                mandate_municipality: clearable(input.mandate_municipality),
                care_office_region_code: input.care_office_region_code,
                iza_region_code: clearable(input.iza_region_code),
                notes: clearable(input.notes),
                source: input.source.map(Into::into),
                source_reference: clearable(input.source_reference),
            };
            edit_regions::update_region(&rc.pool, &rc.viewer, id, input.version, fields).await
        };
        UpdateRegionPayload::of(result.await)
    }
}
