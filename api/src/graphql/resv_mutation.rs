//! Mutations of RESVs and seats.

use super::context::request;
use super::enums::{
    DesignCriterionKind, DisciplineCode, LegalForm, MandateStatus, Phase, TaskStatus,
};
use super::mutation::{DeleteInput, DeletePayload, clearable, decode_id, delete_record, payload};
use super::resv::{Resv, Seat};
use super::scalars::Date;
use crate::error::ApiResult;
use crate::service::edit;
use crate::service::edit_resv::{self, CriterionChange, ResvFields};
use crate::service::edit_seats::{self, SeatFields};
use crate::service::rules;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{MainTask, Per};

/// The status of main tasks to set; absent ones stay as they are.
#[derive(Debug, Default, InputObject)]
pub struct MainTasksInput {
    pub mandate: Option<TaskStatus>,
    pub capacity_access: Option<TaskStatus>,
    pub care_agreements: Option<TaskStatus>,
    pub neighbourhood_support: Option<TaskStatus>,
    pub facilitation: Option<TaskStatus>,
}

/// A design criterion (*ontwerpcriterium*) to set.
#[derive(Debug, InputObject)]
pub struct DesignCriterionInput {
    pub criterion: DesignCriterionKind,
    pub met: bool,
    /// What is missing, or how it is met.
    pub note: Option<String>,
}

/// Input of `createResv`.
#[derive(Debug, InputObject)]
pub struct CreateResvInput {
    /// The region (e.g. `R01`); a region has at most one RESV.
    pub region_code: String,
    pub name: String,
    #[graphql(default_with = "LegalForm::Network")]
    pub legal_form: LegalForm,
    /// The treasurer (*kassier*) when the RESV is not a legal entity.
    pub treasurer: Option<String>,
    #[graphql(default_with = "Phase::Network")]
    pub phase: Phase,
    pub established_on: Option<Date>,
    pub contracted_from: Option<Date>,
    pub main_tasks: Option<MainTasksInput>,
    pub design_criteria: Option<Vec<DesignCriterionInput>>,
    pub citizen_participation: Option<String>,
    pub website: Option<String>,
    /// Personal contact data: visible only to the region, ZonMw staff and admins.
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// Internal notes: not public.
    pub internal_notes: Option<String>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateResv`: absent fields stay as they are, null clears a field.
#[derive(Debug, InputObject)]
pub struct UpdateResvInput {
    pub id: ID,
    /// The `version` you read; a stale version is a CONFLICT and changes nothing.
    pub version: i32,
    pub name: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub treasurer: MaybeUndefined<String>,
    pub phase: Option<Phase>,
    pub established_on: MaybeUndefined<Date>,
    pub contracted_from: MaybeUndefined<Date>,
    pub main_tasks: Option<MainTasksInput>,
    pub design_criteria: Option<Vec<DesignCriterionInput>>,
    pub citizen_participation: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub contact_name: MaybeUndefined<String>,
    pub contact_email: MaybeUndefined<String>,
    pub internal_notes: MaybeUndefined<String>,
}

fn tasks(t: Option<MainTasksInput>) -> Per<MainTask, Option<entity::TaskStatus>> {
    let t = t.unwrap_or_default();
    Per::from_fn(|task| {
        match task {
            MainTask::Mandate => t.mandate,
            MainTask::CapacityAccess => t.capacity_access,
            MainTask::CareAgreements => t.care_agreements,
            MainTask::NeighbourhoodSupport => t.neighbourhood_support,
            MainTask::Facilitation => t.facilitation,
        }
        .map(Into::into)
    })
}

fn criteria(c: Option<Vec<DesignCriterionInput>>) -> Vec<CriterionChange> {
    c.unwrap_or_default()
        .into_iter()
        .map(|c| CriterionChange {
            criterion: c.criterion.into(),
            met: c.met,
            note: c.note,
        })
        .collect()
}

fn date(d: MaybeUndefined<Date>) -> Option<Option<chrono::NaiveDate>> {
    clearable(d).map(|d| d.map(|d| d.0))
}

/// Input of `createSeat`.
#[derive(Debug, InputObject)]
pub struct CreateSeatInput {
    /// The RESV at whose table the seat is.
    pub resv_id: ID,
    /// The organisation the delegate represents.
    pub organisation: String,
    /// One discipline, or several paramedical ones for a multidisciplinary paramedical network.
    pub disciplines: Vec<DisciplineCode>,
    #[graphql(default_with = "MandateStatus::Pending")]
    pub mandate_status: MandateStatus,
    pub since: Option<Date>,
    /// Personal contact data of the delegate: visible only to the region, ZonMw staff and admins.
    pub delegate_name: Option<String>,
    pub delegate_email: Option<String>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateSeat`: absent fields stay as they are, null clears a field.
#[derive(Debug, InputObject)]
pub struct UpdateSeatInput {
    pub id: ID,
    /// The `version` you read.
    pub version: i32,
    pub organisation: Option<String>,
    pub disciplines: Option<Vec<DisciplineCode>>,
    pub mandate_status: Option<MandateStatus>,
    pub since: MaybeUndefined<Date>,
    pub delegate_name: MaybeUndefined<String>,
    pub delegate_email: MaybeUndefined<String>,
}

/// A seat and the version read, for `mergeSeats`.
#[derive(Debug, InputObject)]
pub struct SeatVersionInput {
    pub id: ID,
    pub version: i32,
}

/// Input of `mergeSeats`.
#[derive(Debug, InputObject)]
pub struct MergeSeatsInput {
    /// Two or more seats of paramedical disciplines at one RESV table.
    pub seats: Vec<SeatVersionInput>,
    /// The multidisciplinary paramedical network that holds the merged seat.
    pub organisation: String,
    #[graphql(default_with = "MandateStatus::Pending")]
    pub mandate_status: MandateStatus,
    pub since: Option<Date>,
    pub delegate_name: Option<String>,
    pub delegate_email: Option<String>,
}

payload!(CreateResvPayload, resv: Resv, "The result of `createResv`.");
payload!(UpdateResvPayload, resv: Resv, "The result of `updateResv`.");
payload!(CreateSeatPayload, seat: Seat, "The result of `createSeat`.");
payload!(UpdateSeatPayload, seat: Seat, "The result of `updateSeat`.");
payload!(MergeSeatsPayload, seat: Seat, "The result of `mergeSeats`: the network's seat.");
payload!(SplitSeatPayload, seats: Vec<Seat>, "The result of `splitSeat`: one seat per discipline.");

impl From<entity::resv::Model> for Resv {
    fn from(m: entity::resv::Model) -> Self {
        Resv(m)
    }
}

impl From<entity::seat::Model> for Seat {
    fn from(m: entity::seat::Model) -> Self {
        Seat(m)
    }
}

/// Mutations of RESVs and seats (regional coordinators of the region, admins).
#[derive(Default)]
pub struct ResvMutation;

#[Object]
impl ResvMutation {
    /// Registers the RESV of a region.
    async fn create_resv(
        &self,
        ctx: &Context<'_>,
        input: CreateResvInput,
    ) -> Result<CreateResvPayload> {
        let rc = request(ctx)?;
        let fields = ResvFields {
            name: Some(input.name),
            legal_form: Some(input.legal_form.into()),
            treasurer: Some(input.treasurer),
            phase: Some(input.phase.into()),
            established_on: Some(input.established_on.map(|d| d.0)),
            contracted_from: Some(input.contracted_from.map(|d| d.0)),
            tasks: tasks(input.main_tasks),
            criteria: criteria(input.design_criteria),
            citizen_participation: Some(input.citizen_participation),
            website: Some(input.website),
            contact_name: Some(input.contact_name),
            contact_email: Some(input.contact_email),
            internal_notes: Some(input.internal_notes),
        };
        CreateResvPayload::of(
            edit_resv::create_resv(
                &rc.pool,
                &rc.viewer,
                &input.region_code,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Changes an RESV.
    async fn update_resv(
        &self,
        ctx: &Context<'_>,
        input: UpdateResvInput,
    ) -> Result<UpdateResvPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Resv", &input.id)?;
            let fields = ResvFields {
                name: input.name,
                legal_form: input.legal_form.map(Into::into),
                treasurer: clearable(input.treasurer),
                phase: input.phase.map(Into::into),
                established_on: date(input.established_on),
                contracted_from: date(input.contracted_from),
                tasks: tasks(input.main_tasks),
                criteria: criteria(input.design_criteria),
                citizen_participation: clearable(input.citizen_participation),
                website: clearable(input.website),
                contact_name: clearable(input.contact_name),
                contact_email: clearable(input.contact_email),
                internal_notes: clearable(input.internal_notes),
            };
            edit::update::<entity::resv::Model, _>(&rc.pool, &rc.viewer, id, input.version, fields)
                .await
        };
        UpdateResvPayload::of(result.await)
    }

    /// Deletes an RESV with its seats and agreements.
    async fn delete_resv(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        delete_record::<entity::resv::Model>(ctx, input).await
    }

    /// Adds a seat to an RESV table. A discipline sits in at most one seat per RESV.
    async fn create_seat(
        &self,
        ctx: &Context<'_>,
        input: CreateSeatInput,
    ) -> Result<CreateSeatPayload> {
        let rc = request(ctx)?;
        let result = async {
            let resv_id = decode_id("resvId", "Resv", &input.resv_id)?;
            let fields = SeatFields {
                organisation: Some(input.organisation),
                disciplines: Some(input.disciplines.into_iter().map(Into::into).collect()),
                mandate_status: Some(input.mandate_status.into()),
                since: Some(input.since.map(|d| d.0)),
                delegate_name: Some(input.delegate_name),
                delegate_email: Some(input.delegate_email),
            };
            edit_seats::create_seat(
                &rc.pool,
                &rc.viewer,
                resv_id,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await
        };
        CreateSeatPayload::of(result.await)
    }

    /// Changes a seat, its disciplines included.
    async fn update_seat(
        &self,
        ctx: &Context<'_>,
        input: UpdateSeatInput,
    ) -> Result<UpdateSeatPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Seat", &input.id)?;
            let fields = SeatFields {
                organisation: input.organisation,
                disciplines: input
                    .disciplines
                    .map(|d| d.into_iter().map(Into::into).collect()),
                mandate_status: input.mandate_status.map(Into::into),
                since: date(input.since),
                delegate_name: clearable(input.delegate_name),
                delegate_email: clearable(input.delegate_email),
            };
            edit::update::<rules::Seat, _>(&rc.pool, &rc.viewer, id, input.version, fields)
                .await
                .map(|s| s.row)
        };
        UpdateSeatPayload::of(result.await)
    }

    /// Deletes a seat.
    async fn delete_seat(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        delete_record::<rules::Seat>(ctx, input).await
    }

    /// Merges separate paramedical seats into one seat of a multidisciplinary paramedical network
    /// (*multidisciplinair paramedisch netwerk*): six disciplines in one seat are five seats fewer.
    async fn merge_seats(
        &self,
        ctx: &Context<'_>,
        input: MergeSeatsInput,
    ) -> Result<MergeSeatsPayload> {
        let rc = request(ctx)?;
        let result = async {
            let seats = input
                .seats
                .iter()
                .map(|s| Ok((decode_id("seats", "Seat", &s.id)?, s.version)))
                .collect::<ApiResult<Vec<_>>>()?;
            let fields = SeatFields {
                organisation: Some(input.organisation),
                disciplines: None,
                mandate_status: Some(input.mandate_status.into()),
                since: Some(input.since.map(|d| d.0)),
                delegate_name: Some(input.delegate_name),
                delegate_email: Some(input.delegate_email),
            };
            edit_seats::merge_seats(&rc.pool, &rc.viewer, &seats, fields).await
        };
        MergeSeatsPayload::of(result.await)
    }

    /// Splits a network seat into one seat per discipline, each pending its own mandate.
    async fn split_seat(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<SplitSeatPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Seat", &input.id)?;
            let seats = edit_seats::split_seat(&rc.pool, &rc.viewer, id, input.version).await?;
            Ok(seats.into_iter().map(Seat).collect::<Vec<_>>())
        };
        SplitSeatPayload::of(result.await)
    }
}
