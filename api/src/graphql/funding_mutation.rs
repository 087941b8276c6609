//! Mutations of subsidies and vouchers (ZonMw staff and admins).

use super::context::request;
use super::enums::{ApplicationStatus, DisciplineCode, SubsidyKind};
use super::funding::{Subsidy, Voucher};
use super::mutation::{DeleteInput, DeletePayload, clearable, decode_id, delete_record, payload};
use super::scalars::{Date, Money};
use crate::error::{ApiError, ApiResult};
use crate::service::edit_funding::Decision;
use crate::service::edit_subsidies::{self, SubsidyFields};
use crate::service::edit_vouchers;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};

/// Money input as stored cents; amounts beyond 64-bit cents are refused.
fn cents(field: &str, money: Money) -> ApiResult<i64> {
    i64::try_from(money.0).map_err(|_| ApiError::invalid(field, "is far too large"))
}

/// Input of `applyForSubsidy`.
#[derive(Debug, InputObject)]
pub struct ApplyForSubsidyInput {
    /// The applying region; none only for a national research subsidy.
    pub region_code: Option<String>,
    pub kind: SubsidyKind,
    pub applicant: Option<String>,
    pub amount_requested: Option<Money>,
    pub applied_on: Date,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub zonmw_reference: Option<String>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `correctSubsidy`: absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct CorrectSubsidyInput {
    pub id: ID,
    pub version: i32,
    pub applicant: MaybeUndefined<String>,
    pub amount_requested: MaybeUndefined<Money>,
    pub applied_on: Option<Date>,
    pub period_start: MaybeUndefined<Date>,
    pub period_end: MaybeUndefined<Date>,
    pub zonmw_reference: MaybeUndefined<String>,
    /// Moves a pending application between APPLIED and IN_REVIEW.
    pub status: Option<ApplicationStatus>,
    /// The amount of a granted subsidy.
    pub amount_granted: Option<Money>,
    /// The date of a decision.
    pub decided_on: Option<Date>,
}

/// The outcome of a decision.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionOutcome {
    /// Granted (*toegekend*), with an amount.
    Granted,
    /// Rejected (*afgewezen*).
    Rejected,
    /// Withdrawn by the applicant (*ingetrokken*).
    Withdrawn,
}

/// Input of `decideSubsidy` and `decideVoucher`: only a pending application can be decided.
#[derive(Debug, InputObject)]
pub struct DecideInput {
    pub id: ID,
    pub version: i32,
    pub outcome: DecisionOutcome,
    /// Required for a grant, refused otherwise.
    pub amount_granted: Option<Money>,
    pub decided_on: Date,
}

/// Input of `applyForVoucher`.
#[derive(Debug, InputObject)]
pub struct ApplyForVoucherInput {
    pub region_code: String,
    /// One voucher per discipline per region.
    pub discipline: DisciplineCode,
    pub applicant: Option<String>,
    pub applied_on: Date,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `correctVoucher`: absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct CorrectVoucherInput {
    pub id: ID,
    pub version: i32,
    pub applicant: MaybeUndefined<String>,
    pub applied_on: Option<Date>,
    pub status: Option<ApplicationStatus>,
    pub amount: Option<Money>,
    pub decided_on: Option<Date>,
}

payload!(SubsidyPayload, subsidy: Subsidy, "The result of a subsidy mutation.");
payload!(VoucherPayload, voucher: Voucher, "The result of a voucher mutation.");

impl From<entity::subsidy::Model> for Subsidy {
    fn from(m: entity::subsidy::Model) -> Self {
        Subsidy(m)
    }
}
impl From<entity::voucher::Model> for Voucher {
    fn from(m: entity::voucher::Model) -> Self {
        Voucher(m)
    }
}

fn decision(input: &DecideInput) -> ApiResult<Decision> {
    Ok(Decision {
        outcome: match input.outcome {
            DecisionOutcome::Granted => entity::ApplicationStatus::Granted,
            DecisionOutcome::Rejected => entity::ApplicationStatus::Rejected,
            DecisionOutcome::Withdrawn => entity::ApplicationStatus::Withdrawn,
        },
        amount_cents: input
            .amount_granted
            .map(|m| cents("amountGranted", m))
            .transpose()?,
        decided_on: input.decided_on.0,
    })
}

/// Mutations of ZonMw subsidies and vouchers.
#[derive(Default)]
pub struct FundingMutation;

#[Object]
impl FundingMutation {
    /// Records a subsidy application (*aanvraag*); it starts as APPLIED.
    async fn apply_for_subsidy(
        &self,
        ctx: &Context<'_>,
        input: ApplyForSubsidyInput,
    ) -> Result<SubsidyPayload> {
        let rc = request(ctx)?;
        let result = async {
            let fields = SubsidyFields {
                applicant: Some(input.applicant),
                amount_requested_cents: Some(
                    input
                        .amount_requested
                        .map(|m| cents("amountRequested", m))
                        .transpose()?,
                ),
                applied_on: Some(input.applied_on.0),
                period_start: Some(input.period_start.map(|d| d.0)),
                period_end: Some(input.period_end.map(|d| d.0)),
                zonmw_reference: Some(input.zonmw_reference),
                ..Default::default()
            };
            edit_subsidies::apply_for_subsidy(
                &rc.pool,
                &rc.viewer,
                input.region_code.as_deref(),
                input.kind.into(),
                fields,
                input.idempotency_key.as_deref(),
            )
            .await
        };
        SubsidyPayload::of(result.await)
    }

    /// Corrects a subsidy record.
    async fn correct_subsidy(
        &self,
        ctx: &Context<'_>,
        input: CorrectSubsidyInput,
    ) -> Result<SubsidyPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Subsidy", &input.id)?;
            let requested = match clearable(input.amount_requested) {
                None => None,
                Some(None) => Some(None),
                Some(Some(m)) => Some(Some(cents("amountRequested", m)?)),
            };
            let fields = SubsidyFields {
                applicant: clearable(input.applicant),
                amount_requested_cents: requested,
                applied_on: input.applied_on.map(|d| d.0),
                period_start: clearable(input.period_start).map(|d| d.map(|d| d.0)),
                period_end: clearable(input.period_end).map(|d| d.map(|d| d.0)),
                zonmw_reference: clearable(input.zonmw_reference),
                status: input.status.map(Into::into),
                amount_granted_cents: input
                    .amount_granted
                    .map(|m| cents("amountGranted", m))
                    .transpose()?,
                decided_on: input.decided_on.map(|d| d.0),
            };
            edit_subsidies::correct_subsidy(&rc.pool, &rc.viewer, id, input.version, fields).await
        };
        SubsidyPayload::of(result.await)
    }

    /// Decides a pending subsidy application (*besluit*).
    async fn decide_subsidy(
        &self,
        ctx: &Context<'_>,
        input: DecideInput,
    ) -> Result<SubsidyPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Subsidy", &input.id)?;
            edit_subsidies::decide_subsidy(
                &rc.pool,
                &rc.viewer,
                id,
                input.version,
                decision(&input)?,
            )
            .await
        };
        SubsidyPayload::of(result.await)
    }

    /// Deletes a subsidy record entered in error.
    async fn delete_subsidy(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        delete_record::<entity::subsidy::Model>(ctx, input).await
    }

    /// Records a voucher application for one discipline in one region.
    async fn apply_for_voucher(
        &self,
        ctx: &Context<'_>,
        input: ApplyForVoucherInput,
    ) -> Result<VoucherPayload> {
        let rc = request(ctx)?;
        VoucherPayload::of(
            edit_vouchers::apply_for_voucher(
                &rc.pool,
                &rc.viewer,
                &input.region_code,
                input.discipline.into(),
                input.applicant.as_deref(),
                input.applied_on.0,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Decides a pending voucher application.
    async fn decide_voucher(
        &self,
        ctx: &Context<'_>,
        input: DecideInput,
    ) -> Result<VoucherPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Voucher", &input.id)?;
            edit_vouchers::decide_voucher(
                &rc.pool,
                &rc.viewer,
                id,
                input.version,
                decision(&input)?,
            )
            .await
        };
        VoucherPayload::of(result.await)
    }

    /// Corrects a voucher record.
    async fn correct_voucher(
        &self,
        ctx: &Context<'_>,
        input: CorrectVoucherInput,
    ) -> Result<VoucherPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "Voucher", &input.id)?;
            edit_vouchers::correct_voucher(
                &rc.pool,
                &rc.viewer,
                id,
                input.version,
                clearable(input.applicant),
                input.applied_on.map(|d| d.0),
                input.status.map(Into::into),
                input.amount.map(|m| cents("amount", m)).transpose()?,
                input.decided_on.map(|d| d.0),
            )
            .await
        };
        VoucherPayload::of(result.await)
    }

    /// Deletes a voucher record entered in error.
    async fn delete_voucher(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        delete_record::<entity::voucher::Model>(ctx, input).await
    }
}
