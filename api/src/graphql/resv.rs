//! RESVs, their seats, agreements and the regional table.

use super::connection::connection;
use super::context::{request, wants_total};
use super::enums::{
    AgreementLevel, AgreementStatus, DesignCriterionKind, LegalForm, MandateStatus, OrderDirection,
    Phase, SourceKind, TablePartyKind, TaskStatus, stored,
};
use super::node::record_id;
use super::reference::{Discipline, Provenance, disciplines_of};
use super::region::Region;
use super::scalars::Date;
use crate::access::{self, Viewer};
use crate::service::kinds::Kind;
use crate::service::resvs::{self, ResvFilter as Filter, ResvOrderField as Field};
use crate::service::{Order, PageArgs};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{agreement, regional_table_party, resv, seat};

/// A regional primary-care collaboration (*regionaal eerstelijnssamenwerkingsverband*, RESV): one
/// per region, in which each discipline is represented by a mandated delegate.
#[derive(Clone)]
pub struct Resv(pub resv::Model);

/// Status of the five main tasks (*hoofdtaken*) of an RESV.
#[derive(Debug, Clone, SimpleObject)]
pub struct MainTasks {
    /// 1. Mandate and representation of the disciplines (*mandaat en vertegenwoordiging*), incl. ROAZ.
    pub mandate: TaskStatus,
    /// 2. Organising capacity and access regionally (*capaciteit en toegankelijkheid*).
    pub capacity_access: TaskStatus,
    /// 3. Care agreements for specific patient groups (*zorgafspraken*).
    pub care_agreements: TaskStatus,
    /// 4. Supporting neighbourhood collaborations and covering every neighbourhood.
    pub neighbourhood_support: TaskStatus,
    /// 5. Facilitating providers: HR, ICT and data exchange, housing, purchasing, administration.
    pub facilitation: TaskStatus,
}

/// Whether an RESV meets one design criterion (*ontwerpcriterium*).
#[derive(Debug, Clone, SimpleObject)]
pub struct DesignCriterion {
    /// Which criterion.
    pub criterion: DesignCriterionKind,
    /// Whether it is met.
    pub met: bool,
    /// What is missing, or how it is met.
    pub note: Option<String>,
}

#[Object]
impl Resv {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Resv, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "resv", self.0.id).await
    }
    /// Name of the RESV.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Legal form (*rechtsvorm*).
    async fn legal_form(&self) -> LegalForm {
        self.0.legal_form.into()
    }
    /// The organisation acting as treasurer (*kassier*) when the RESV is not a legal entity,
    /// often the regional GP organisation (RHO) or a VVT organisation.
    async fn treasurer(&self) -> Option<&str> {
        self.0.treasurer.as_deref()
    }
    /// Development phase (*ontwikkelfase*).
    async fn phase(&self) -> Phase {
        self.0.phase.into()
    }
    /// When the RESV was established (*opgericht*).
    async fn established_on(&self) -> Option<Date> {
        self.0.established_on.map(Date)
    }
    /// From when the preferred insurer contracts the RESV (*gecontracteerd vanaf*).
    async fn contracted_from(&self) -> Option<Date> {
        self.0.contracted_from.map(Date)
    }
    /// Status of the five main tasks (*hoofdtaken*).
    async fn main_tasks(&self) -> MainTasks {
        let m = &self.0;
        MainTasks {
            mandate: m.task_mandate.into(),
            capacity_access: m.task_capacity_access.into(),
            care_agreements: m.task_care_agreements.into(),
            neighbourhood_support: m.task_neighbourhood_support.into(),
            facilitation: m.task_facilitation.into(),
        }
    }
    /// The five design criteria (*ontwerpcriteria*), each met or not, with a note.
    async fn design_criteria(&self) -> Vec<DesignCriterion> {
        entity::DesignCriterion::ALL
            .iter()
            .map(|&criterion| {
                let (met, note) = self.0.criterion(criterion);
                DesignCriterion {
                    criterion: criterion.into(),
                    met,
                    note: note.map(str::to_owned),
                }
            })
            .collect()
    }
    /// How citizens take part (*burgerparticipatie*).
    async fn citizen_participation(&self) -> Option<&str> {
        self.0.citizen_participation.as_deref()
    }
    /// Website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// Contact person of the RESV (personal data): null unless you keep this region, are ZonMw
    /// staff or an admin.
    async fn contact_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let shown = allowed(ctx, self.0.region_id, access::can_see_contacts).await?;
        Ok(self.0.contact_name.as_deref().filter(|_| shown))
    }
    /// Contact e-mail address of the RESV (personal data), under the same rule as `contactName`.
    async fn contact_email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let shown = allowed(ctx, self.0.region_id, access::can_see_contacts).await?;
        Ok(self.0.contact_email.as_deref().filter(|_| shown))
    }
    /// Internal notes (*interne notities*): null unless you keep this region, are ZonMw staff, a
    /// national analyst or an admin.
    async fn internal_notes(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let shown = allowed(ctx, self.0.region_id, access::can_see_internal_notes).await?;
        Ok(self.0.internal_notes.as_deref().filter(|_| shown))
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
    /// When the row was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the row last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The region of this RESV.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(self.0.region_id)
            .await?
            .map(Region::from))
    }
    /// The seats at the RESV table (*zetels*), one per discipline or per multidisciplinary
    /// paramedical network.
    async fn seats(&self, ctx: &Context<'_>) -> Result<Vec<Seat>> {
        let loaded = request(ctx)?
            .loaders
            .seats_by_resv()
            .load_one(self.0.id)
            .await?;
        Ok(loaded.unwrap_or_default().into_iter().map(Seat).collect())
    }
    /// The collaboration agreements (*samenwerkingsafspraken*) of this RESV.
    async fn agreements(&self, ctx: &Context<'_>) -> Result<Vec<Agreement>> {
        let loaded = request(ctx)?
            .loaders
            .agreements_by_resv()
            .load_one(self.0.id)
            .await?;
        Ok(loaded
            .unwrap_or_default()
            .into_iter()
            .map(Agreement)
            .collect())
    }
}

/// A seat at the RESV table (*zetel*), held by one delegate for one discipline, or for several
/// when a multidisciplinary paramedical network holds it.
#[derive(Clone)]
pub struct Seat(pub seat::Model);

#[Object]
impl Seat {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Seat, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "seat", self.0.id).await
    }
    /// The organisation the delegate represents (*vertegenwoordigde organisatie*).
    async fn organisation(&self) -> &str {
        &self.0.organisation
    }
    /// Whether the delegate holds a mandate (*mandaat*).
    async fn mandate_status(&self) -> MandateStatus {
        self.0.mandate_status.into()
    }
    /// Since when the seat is held in this status.
    async fn since(&self) -> Option<Date> {
        self.0.since.map(Date)
    }
    /// Name of the delegate (personal data): null unless you keep this region, are ZonMw staff or
    /// an admin.
    async fn delegate_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let shown = self.contacts_shown(ctx).await?;
        Ok(self.0.delegate_name.as_deref().filter(|_| shown))
    }
    /// E-mail address of the delegate (personal data), under the same rule as `delegateName`.
    async fn delegate_email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let shown = self.contacts_shown(ctx).await?;
        Ok(self.0.delegate_email.as_deref().filter(|_| shown))
    }
    /// The disciplines this seat represents; more than one for a multidisciplinary paramedical
    /// network (*multidisciplinair paramedisch netwerk*).
    async fn disciplines(&self, ctx: &Context<'_>) -> Result<Vec<Discipline>> {
        let rc = request(ctx)?;
        let links = rc
            .loaders
            .seat_disciplines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        disciplines_of(rc, links.into_iter().map(|l| l.discipline_code).collect()).await
    }
    /// Whether one seat represents several disciplines (a multidisciplinary paramedical network).
    async fn multidisciplinary(&self, ctx: &Context<'_>) -> Result<bool> {
        let links = request(ctx)?
            .loaders
            .seat_disciplines()
            .load_one(self.0.id)
            .await?;
        Ok(links.is_some_and(|l| l.len() > 1))
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
    /// The RESV at whose table this seat is.
    async fn resv(&self, ctx: &Context<'_>) -> Result<Option<Resv>> {
        Ok(request(ctx)?
            .loaders
            .resv()
            .load_one(self.0.resv_id)
            .await?
            .map(Resv))
    }
}

impl Seat {
    async fn contacts_shown(&self, ctx: &Context<'_>) -> Result<bool> {
        let Some(resv) = request(ctx)?
            .loaders
            .resv()
            .load_one(self.0.resv_id)
            .await?
        else {
            return Ok(false);
        };
        allowed(ctx, resv.region_id, access::can_see_contacts).await
    }
}

/// Whether `rule` lets the viewer see a restricted field of a row in the region with `region_id`.
pub async fn allowed(
    ctx: &Context<'_>,
    region_id: i32,
    rule: fn(&Viewer, &str) -> bool,
) -> Result<bool> {
    let rc = request(ctx)?;
    if rc.viewer == Viewer::Anonymous {
        return Ok(false);
    }
    let region = rc.loaders.region().load_one(region_id).await?;
    Ok(region.is_some_and(|r| rule(&rc.viewer, &r.code)))
}

/// A collaboration agreement (*samenwerkingsafspraak*) of an RESV, e.g. on frail elderly care.
#[derive(Clone)]
pub struct Agreement(pub agreement::Model);

#[Object]
impl Agreement {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::Agreement, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "agreement", self.0.id).await
    }
    /// What the agreement is about.
    async fn topic(&self) -> &str {
        &self.0.topic
    }
    /// Which sectors it spans.
    async fn level(&self) -> AgreementLevel {
        self.0.level.into()
    }
    /// Its status.
    async fn status(&self) -> AgreementStatus {
        self.0.status.into()
    }
    /// When it was agreed.
    async fn agreed_on(&self) -> Option<Date> {
        self.0.agreed_on.map(Date)
    }
    /// The disciplines taking part.
    async fn disciplines(&self, ctx: &Context<'_>) -> Result<Vec<Discipline>> {
        let rc = request(ctx)?;
        let links = rc
            .loaders
            .agreement_disciplines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        disciplines_of(rc, links.into_iter().map(|l| l.discipline_code).collect()).await
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
    /// The RESV that made the agreement.
    async fn resv(&self, ctx: &Context<'_>) -> Result<Option<Resv>> {
        Ok(request(ctx)?
            .loaders
            .resv()
            .load_one(self.0.resv_id)
            .await?
            .map(Resv))
    }
}

/// A party at the regional table (*regiotafel*): hospital, VVT, GGZ, municipality/social work,
/// insurer, and the RESV with its one seat.
#[derive(Clone)]
pub struct RegionalTableParty(pub regional_table_party::Model);

#[Object]
impl RegionalTableParty {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        record_id(Kind::RegionalTableParty, self.0.id)
    }
    /// Changes to this row, oldest first, from the audit trail; null unless you are an admin or
    /// a national analyst.
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<super::audit::AuditEntry>>> {
        super::audit::history_of(ctx, "regional_table_party", self.0.id).await
    }
    /// The kind of party.
    async fn kind(&self) -> TablePartyKind {
        self.0.kind.into()
    }
    /// The organisation at the table.
    async fn organisation(&self) -> &str {
        &self.0.organisation
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
    /// The region whose table this is.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(self.0.region_id)
            .await?
            .map(Region::from))
    }
}

/// Filters for `resvs`; all given criteria must hold, each list means "any of".
#[derive(Debug, Default, InputObject)]
pub struct ResvFilter {
    /// Codes of the RESVs' regions.
    pub region_codes: Option<Vec<String>>,
    /// Care-office region codes (*zorgkantoorregio*).
    pub care_office_region_codes: Option<Vec<String>>,
    /// Development phases.
    pub phases: Option<Vec<Phase>>,
    /// Legal forms.
    pub legal_forms: Option<Vec<LegalForm>>,
    /// Part of the name, case-insensitive, at most 200 characters; `%` and `_` match
    /// themselves.
    pub name_contains: Option<String>,
    /// Kinds of source (*herkomst*).
    pub sources: Option<Vec<SourceKind>>,
}

/// Fields to order RESVs by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResvOrderField {
    /// Name.
    #[default]
    Name,
    /// Development phase, in development order (network first).
    Phase,
    /// Date of establishment (unknown last).
    EstablishedOn,
    /// Last change.
    UpdatedAt,
}

/// The order of an RESV list; ties are broken by id, so pages are stable.
#[derive(Debug, Default, InputObject)]
pub struct ResvOrder {
    #[graphql(default)]
    pub field: ResvOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

connection!(ResvConnection, ResvEdge, Resv, "RESVs");

/// Root fields for RESVs.
#[derive(Default)]
pub struct ResvQuery;

#[Object]
impl ResvQuery {
    /// RESVs (*regionale eerstelijnssamenwerkingsverbanden*), filtered and ordered; by name unless
    /// told otherwise.
    async fn resvs(
        &self,
        ctx: &Context<'_>,
        filter: Option<ResvFilter>,
        order_by: Option<ResvOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ResvConnection> {
        let rc = request(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            region_codes: f.region_codes,
            care_office_region_codes: f.care_office_region_codes,
            phases: stored(&f.phases),
            legal_forms: stored(&f.legal_forms),
            name_contains: f.name_contains,
            sources: stored(&f.sources),
        };
        let o = order_by.unwrap_or_default();
        let order = Order {
            field: match o.field {
                ResvOrderField::Name => Field::Name,
                ResvOrderField::Phase => Field::Phase,
                ResvOrderField::EstablishedOn => Field::EstablishedOn,
                ResvOrderField::UpdatedAt => Field::UpdatedAt,
            },
            direction: o.direction.into(),
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = resvs::list(&rc.db, &rc.viewer, &filter, order, &args, wants_total(ctx)).await?;
        Ok(ResvConnection(page.map(Resv)))
    }
}
