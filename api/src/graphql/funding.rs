//! ZonMw subsidies and vouchers.

use super::connection::connection;
use super::context::{request, wants_total};
use super::enums::{
    ApplicationStatus, DisciplineCode, OrderDirection, SourceKind, SubsidyKind, stored,
};
use super::node::record_id;
use super::reference::{Discipline, Provenance};
use super::region::Region;
use super::scalars::{Date, Money};
use crate::service::funding::{
    self, SubsidyFilter as SFilter, SubsidyOrderField as SField, VoucherFilter as VFilter,
    VoucherOrderField as VField,
};
use crate::service::kinds::Kind;
use crate::service::{Order, PageArgs};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::{subsidy, voucher};

/// A ZonMw subsidy (*subsidie*) application and its decision: preparation
/// (*voorbereidingssubsidie*), implementation (*uitvoeringssubsidie*) or research.
#[derive(Clone)]
pub struct Subsidy(pub subsidy::Model);

#[Object]
impl Subsidy {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Subsidy, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "subsidy", self.0.id).await
    }
    /// The kind of subsidy.
    async fn kind(&self) -> SubsidyKind {
        self.0.kind.into()
    }
    /// Status of the application (*aanvraag*).
    async fn status(&self) -> ApplicationStatus {
        self.0.status.into()
    }
    /// Who applied (*aanvrager*), on behalf of which parties.
    async fn applicant(&self) -> Option<&str> {
        self.0.applicant.as_deref()
    }
    /// Amount requested (*aangevraagd bedrag*).
    async fn amount_requested(&self) -> Option<Money> {
        self.0.amount_requested_cents.map(Money::from_cents)
    }
    /// Amount granted (*toegekend bedrag*).
    async fn amount_granted(&self) -> Option<Money> {
        self.0.amount_granted_cents.map(Money::from_cents)
    }
    /// Date of application.
    async fn applied_on(&self) -> Date {
        Date(self.0.applied_on)
    }
    /// Date of the decision (*besluit*).
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Date)
    }
    /// Start of the subsidised period.
    async fn period_start(&self) -> Option<Date> {
        self.0.period_start.map(Date)
    }
    /// End of the subsidised period.
    async fn period_end(&self) -> Option<Date> {
        self.0.period_end.map(Date)
    }
    /// ZonMw's reference (*dossiernummer*).
    async fn zonmw_reference(&self) -> Option<&str> {
        self.0.zonmw_reference.as_deref()
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
    /// When the row last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The region applying; null for a national research subsidy.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        let Some(id) = self.0.region_id else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(id)
            .await?
            .map(Region::from))
    }
}

/// A ZonMw voucher for one discipline in one region, so the discipline can organise itself
/// regionally and mandate a delegate (*voucher monodisciplinaire organisatie*).
#[derive(Clone)]
pub struct Voucher(pub voucher::Model);

#[Object]
impl Voucher {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Voucher, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "voucher", self.0.id).await
    }
    /// Status of the application.
    async fn status(&self) -> ApplicationStatus {
        self.0.status.into()
    }
    /// Who applied.
    async fn applicant(&self) -> Option<&str> {
        self.0.applicant.as_deref()
    }
    /// Amount granted.
    async fn amount(&self) -> Option<Money> {
        self.0.amount_cents.map(Money::from_cents)
    }
    /// Date of application.
    async fn applied_on(&self) -> Date {
        Date(self.0.applied_on)
    }
    /// Date of the decision.
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Date)
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
    /// The discipline the voucher is for.
    async fn discipline(&self, ctx: &Context<'_>) -> Result<Option<Discipline>> {
        let table = request(ctx)?.disciplines().await?;
        Ok(table.get(&self.0.discipline_code).cloned().map(Discipline))
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

/// Filters for `subsidies`; all given criteria must hold, each list means "any of".
#[derive(Debug, Default, InputObject)]
pub struct SubsidyFilter {
    /// Codes of the applying regions.
    pub region_codes: Option<Vec<String>>,
    /// Kinds of subsidy.
    pub kinds: Option<Vec<SubsidyKind>>,
    /// Statuses.
    pub statuses: Option<Vec<ApplicationStatus>>,
    /// Applied on or after this date.
    pub applied_from: Option<Date>,
    /// Applied on or before this date.
    pub applied_to: Option<Date>,
    /// Decided on or after this date.
    pub decided_from: Option<Date>,
    /// Decided on or before this date.
    pub decided_to: Option<Date>,
    /// Kinds of source (*herkomst*).
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields to order subsidies by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubsidyOrderField {
    /// Date of application.
    #[default]
    AppliedOn,
    /// Date of decision (undecided last).
    DecidedOn,
    /// Amount requested.
    AmountRequested,
    /// Amount granted (none last).
    AmountGranted,
}

/// The order of a subsidy list; ties are broken by id, so pages are stable.
#[derive(Debug, Default, InputObject)]
pub struct SubsidyOrder {
    #[graphql(default)]
    pub field: SubsidyOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Filters for `vouchers`; all given criteria must hold, each list means "any of".
#[derive(Debug, Default, InputObject)]
pub struct VoucherFilter {
    /// Codes of the regions.
    pub region_codes: Option<Vec<String>>,
    /// Disciplines.
    pub disciplines: Option<Vec<DisciplineCode>>,
    /// Statuses.
    pub statuses: Option<Vec<ApplicationStatus>>,
    /// Kinds of source (*herkomst*).
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields to order vouchers by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VoucherOrderField {
    /// Date of application.
    #[default]
    AppliedOn,
    /// Date of decision (undecided last).
    DecidedOn,
    /// Discipline code.
    Discipline,
    /// Amount (none last).
    Amount,
}

/// The order of a voucher list; ties are broken by id, so pages are stable.
#[derive(Debug, Default, InputObject)]
pub struct VoucherOrder {
    #[graphql(default)]
    pub field: VoucherOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

connection!(SubsidyConnection, SubsidyEdge, Subsidy, "ZonMw subsidies");
connection!(VoucherConnection, VoucherEdge, Voucher, "ZonMw vouchers");

/// Root fields for subsidies and vouchers.
#[derive(Default)]
pub struct FundingQuery;

#[Object]
impl FundingQuery {
    /// ZonMw subsidies (*subsidies*) visible to you; by application date unless told otherwise.
    /// Without a token only granted subsidies are visible.
    async fn subsidies(
        &self,
        ctx: &Context<'_>,
        filter: Option<SubsidyFilter>,
        order_by: Option<SubsidyOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<SubsidyConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = SFilter {
            region_codes: f.region_codes,
            kinds: stored(&f.kinds),
            statuses: stored(&f.statuses),
            applied_from: f.applied_from.map(|d| d.0),
            applied_to: f.applied_to.map(|d| d.0),
            decided_from: f.decided_from.map(|d| d.0),
            decided_to: f.decided_to.map(|d| d.0),
            sources: stored(&f.sources),
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                SubsidyOrderField::AppliedOn => SField::AppliedOn,
                SubsidyOrderField::DecidedOn => SField::DecidedOn,
                SubsidyOrderField::AmountRequested => SField::AmountRequested,
                SubsidyOrderField::AmountGranted => SField::AmountGranted,
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
            funding::subsidies(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx)).await?;
        Ok(SubsidyConnection(page.map(Subsidy)))
    }

    /// ZonMw vouchers (*vouchers*) visible to you; by application date unless told otherwise.
    /// Without a token only granted vouchers are visible.
    async fn vouchers(
        &self,
        ctx: &Context<'_>,
        filter: Option<VoucherFilter>,
        order_by: Option<VoucherOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<VoucherConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = VFilter {
            region_codes: f.region_codes,
            disciplines: stored(&f.disciplines),
            statuses: stored(&f.statuses),
            sources: stored(&f.sources),
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                VoucherOrderField::AppliedOn => VField::AppliedOn,
                VoucherOrderField::DecidedOn => VField::DecidedOn,
                VoucherOrderField::Discipline => VField::Discipline,
                VoucherOrderField::Amount => VField::Amount,
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
            funding::vouchers(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx)).await?;
        Ok(VoucherConnection(page.map(Voucher)))
    }
}
