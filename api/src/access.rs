//! Who may see and change which rows: the only module that starts a query on an entity, and the
//! only one that knows the rights of each role.
//!
//! Every read in the API starts from one of the scoped selects below, so lists, counts, relations,
//! filters and `node(id)` agree on what a viewer can see; mutations load their row through the same
//! scope (invisible: NOT_FOUND) and then ask the `ensure_*` functions (visible but not yours:
//! FORBIDDEN).
//!
//! | role | rows it reads beyond the public ones | restricted fields | writes |
//! |---|---|---|---|
//! | anonymous | none: granted subsidies and vouchers, PUBLIC materials | none | nothing |
//! | regional_coordinator | subsidies and vouchers of its own regions in every status; MEMBERS materials | contacts and internal notes of its own regions | RESV, seats, regional table, neighbourhood collaborations, agreements of its own regions |
//! | zonmw_staff | every subsidy and voucher; MEMBERS materials | contacts and internal notes | subsidies and vouchers |
//! | national_analyst | every row | internal notes, no personal contact data | nothing |
//! | level_editor | MEMBERS materials | none | LeVEL materials |
//! | admin | every row | everything | everything, incl. regions |
#![expect(
    clippy::disallowed_methods,
    reason = "this module is where scoped queries begin"
)]

use crate::error::{ApiError, ApiResult};
use entity::*;
use sea_orm::sea_query::{Condition, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select};

/// A role a token can carry (claim `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    RegionalCoordinator,
    ZonmwStaff,
    NationalAnalyst,
    LevelEditor,
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::RegionalCoordinator,
        Role::ZonmwStaff,
        Role::NationalAnalyst,
        Role::LevelEditor,
        Role::Admin,
    ];

    /// The role named in a token, if it is one.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The name used in tokens and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::RegionalCoordinator => "regional_coordinator",
            Role::ZonmwStaff => "zonmw_staff",
            Role::NationalAnalyst => "national_analyst",
            Role::LevelEditor => "level_editor",
            Role::Admin => "admin",
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Viewer {
    /// No token: the public part of the registry.
    #[default]
    Anonymous,
    /// A verified token.
    User {
        /// The token's subject.
        sub: String,
        role: Role,
        /// Region codes a regional coordinator keeps (empty for other roles).
        regions: Vec<String>,
    },
}

impl Viewer {
    /// A signed-in viewer; only regional coordinators keep regions.
    pub fn user(sub: String, role: Role, regions: Vec<String>) -> Viewer {
        let regions = if role == Role::RegionalCoordinator {
            regions
        } else {
            Vec::new()
        };
        Viewer::User { sub, role, regions }
    }

    /// The viewer's role; `None` when anonymous.
    pub fn role(&self) -> Option<Role> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { role, .. } => Some(*role),
        }
    }

    /// The token's subject; `None` when anonymous.
    pub fn sub(&self) -> Option<&str> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { sub, .. } => Some(sub),
        }
    }

    /// Whether the viewer keeps the region with `code`.
    pub fn keeps_region(&self, code: &str) -> bool {
        matches!(self, Viewer::User { role: Role::RegionalCoordinator, regions, .. } if regions.iter().any(|r| r == code))
    }

    /// The codes of the regions a coordinator keeps (none for everyone else).
    pub fn own_regions(&self) -> &[String] {
        match self {
            Viewer::User {
                role: Role::RegionalCoordinator,
                regions,
                ..
            } => regions,
            _ => &[],
        }
    }

    fn is(&self, roles: &[Role]) -> bool {
        self.role().is_some_and(|r| roles.contains(&r))
    }
}

/// Ids of the regions a coordinator keeps, as a subquery (empty for everyone else).
fn own_region_ids(viewer: &Viewer) -> SelectStatement {
    region::Entity::find()
        .select_only()
        .column(region::Column::Id)
        .filter(region::Column::Code.is_in(viewer.own_regions().iter().cloned()))
        .into_query()
}

/// The one status of a subsidy application or voucher that everyone may read: a grant is public,
/// an application that was not (yet) granted is not.
pub const PUBLIC_STATUS: ApplicationStatus = ApplicationStatus::Granted;

/// Granted rows, plus every row of the coordinator's own regions.
fn granted_or_own<C: ColumnTrait>(viewer: &Viewer, status: C, region: C) -> Condition {
    let granted = Condition::all().add(status.eq(PUBLIC_STATUS));
    if viewer.own_regions().is_empty() {
        granted
    } else {
        Condition::any()
            .add(granted)
            .add(region.in_subquery(own_region_ids(viewer)))
    }
}

/// Whether the viewer may see personal contact data of a row in region `code`.
pub fn can_see_contacts(viewer: &Viewer, region_code: &str) -> bool {
    viewer.is(&[Role::Admin, Role::ZonmwStaff]) || viewer.keeps_region(region_code)
}

/// What a viewer is, as a token states it and as the PostgreSQL row-level security policies read
/// it: a role and the regions it keeps. A token carries them beside its registered claims
/// (`sub`, `iss`, `aud`, times; see `auth::TokenPayload`); a transaction carries them as
/// `app.role` and `app.regions` (see `db::begin_with_claims`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// The role's name (empty when anonymous; `aggregate` for public aggregates).
    pub role: String,
    /// The codes of the regions kept (a regional coordinator's); none for the other roles.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "absent_if_null"
    )]
    pub regions: Vec<String>,
}

impl Claims {
    /// The claims of `role` keeping no region: the system acting in that role.
    pub fn of(role: Role) -> Claims {
        Claims {
            role: role.as_str().to_owned(),
            regions: Vec::new(),
        }
    }

    /// Whether these are the claims of no one (an anonymous viewer's).
    pub fn is_anonymous(&self) -> bool {
        self.role.is_empty() && self.regions.is_empty()
    }
}

/// A list that may be given as `null`, read as empty.
fn absent_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// The viewer's claims.
pub fn claims(viewer: &Viewer) -> Claims {
    Claims {
        role: viewer.role().map_or("", Role::as_str).to_owned(),
        regions: viewer.own_regions().to_vec(),
    }
}

/// The claims under which public aggregates (national figures) are computed: they count rows of
/// every status, which the aggregates' viewers may not read one by one.
pub fn aggregate_claims() -> Claims {
    Claims {
        role: "aggregate".to_owned(),
        regions: Vec::new(),
    }
}

/// Stewards (admins, ZonMw staff, national analysts) may read the data-quality report.
pub fn ensure_steward(viewer: &Viewer) -> ApiResult<()> {
    signed_in(viewer)?;
    if can_read_every_status(viewer) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the viewer reads subsidies and vouchers of every status in every region; coverage
/// figures of other viewers are under disclosure control.
pub fn can_read_every_status(viewer: &Viewer) -> bool {
    viewer.is(&[Role::Admin, Role::ZonmwStaff, Role::NationalAnalyst])
}

/// Whether the viewer reads the LeVEL materials for members (every signed-in role).
pub fn can_see_member_materials(viewer: &Viewer) -> bool {
    viewer.role().is_some()
}

/// Whether the viewer may see personal contact data of every region.
pub fn can_see_all_contacts(viewer: &Viewer) -> bool {
    viewer.is(&[Role::Admin, Role::ZonmwStaff])
}

/// Whether the viewer may see internal notes of a row in region `code`.
pub fn can_see_internal_notes(viewer: &Viewer, region_code: &str) -> bool {
    viewer.is(&[Role::Admin, Role::ZonmwStaff, Role::NationalAnalyst])
        || viewer.keeps_region(region_code)
}

/// Fields only some viewers may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restricted {
    /// Personal contact data (contact and delegate names and addresses).
    Contacts,
    /// Internal notes of an RESV.
    InternalNotes,
    /// Who imported a row (part of the audit trail).
    Audit,
}

/// Whether the viewer may read `what` in every row of every region (a coordinator reads
/// contacts and notes of its own regions only).
pub fn sees_everywhere(viewer: &Viewer, what: Restricted) -> bool {
    match what {
        Restricted::Contacts => can_see_all_contacts(viewer),
        Restricted::InternalNotes => {
            viewer.is(&[Role::Admin, Role::ZonmwStaff, Role::NationalAnalyst])
        }
        Restricted::Audit => can_read_audit(viewer),
    }
}

/// Whether the viewer may read the audit trail (`history`, `auditLog`).
pub fn can_read_audit(viewer: &Viewer) -> bool {
    viewer.is(&[Role::Admin, Role::NationalAnalyst])
}

/// Fields of audit snapshots that hold personal contact data, hidden from viewers who may not see
/// contacts.
pub const CONTACT_FIELDS: [&str; 4] = [
    "contact_name",
    "contact_email",
    "delegate_name",
    "delegate_email",
];

fn signed_in(viewer: &Viewer) -> ApiResult<Role> {
    viewer.role().ok_or(ApiError::Unauthenticated)
}

/// Every change needs a token: an anonymous viewer learns nothing about rows it might change.
pub fn ensure_signed_in(viewer: &Viewer) -> ApiResult<()> {
    signed_in(viewer).map(|_| ())
}

/// A row of region `code` (RESV, seat, regional table, neighbourhood collaboration, agreement) may
/// be changed by an admin and by the region's coordinator.
pub fn ensure_can_edit_region(viewer: &Viewer, region_code: &str) -> ApiResult<()> {
    ensure_right(viewer, Right::RegionKeepers, Some(region_code))
}

/// Subsidies and vouchers may be changed by ZonMw staff and admins.
pub fn ensure_can_edit_funding(viewer: &Viewer) -> ApiResult<()> {
    ensure_right(viewer, Right::Funding, None)
}

/// LeVEL materials may be changed by LeVEL editors and admins.
pub fn ensure_can_edit_materials(viewer: &Viewer) -> ApiResult<()> {
    ensure_right(viewer, Right::Materials, None)
}

/// Regions and reference data may be changed by admins only.
pub fn ensure_admin(viewer: &Viewer) -> ApiResult<()> {
    ensure_right(viewer, Right::Admins, None)
}

/// Who may change the records of a kind (see `service::kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Admins only: regions and reference data.
    Admins,
    /// Admins and the coordinators of the record's region.
    RegionKeepers,
    /// Admins and ZonMw staff: subsidies and vouchers.
    Funding,
    /// Admins and LeVEL editors: learning materials.
    Materials,
}

/// Whether `role` holds `right` on a record of a region the viewer keeps (`keeps`) or not: the
/// one table of write rights.
pub fn may_write(role: Role, right: Right, keeps: bool) -> bool {
    match (role, right) {
        (Role::Admin, _) => true,
        (Role::RegionalCoordinator, Right::RegionKeepers) => keeps,
        (Role::ZonmwStaff, Right::Funding) => true,
        (Role::LevelEditor, Right::Materials) => true,
        _ => false,
    }
}

/// The viewer's `right` on a record of region `region_code` (none: the record has no region):
/// anonymous is UNAUTHENTICATED, a right the viewer lacks FORBIDDEN.
pub fn ensure_right(viewer: &Viewer, right: Right, region_code: Option<&str>) -> ApiResult<()> {
    let role = signed_in(viewer)?;
    let keeps = region_code.is_some_and(|code| viewer.keeps_region(code));
    if may_write(role, right, keeps) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The idempotency keys of the viewer's own creates: a key is never shared between subjects.
pub fn idempotency_keys(viewer: &Viewer) -> Select<idempotency_key::Entity> {
    idempotency_key::Entity::find()
        .filter(idempotency_key::Column::ActorSub.eq(viewer.sub().unwrap_or_default()))
}

/// Care-office regions: reference data, public.
pub fn care_office_regions(_viewer: &Viewer) -> Select<care_office_region::Entity> {
    care_office_region::Entity::find()
}

/// IZA regions: reference data, public.
pub fn iza_regions(_viewer: &Viewer) -> Select<iza_region::Entity> {
    iza_region::Entity::find()
}

/// Disciplines: reference data, public.
pub fn disciplines(_viewer: &Viewer) -> Select<discipline::Entity> {
    discipline::Entity::find()
}

/// Regions: public.
pub fn regions(_viewer: &Viewer) -> Select<region::Entity> {
    region::Entity::find()
}

/// The lineage of regions (merges, splits, renames): public, like the regions.
pub fn region_lineage(_viewer: &Viewer) -> Select<region_lineage::Entity> {
    region_lineage::Entity::find()
}

/// RESVs and their basics: public.
pub fn resvs(_viewer: &Viewer) -> Select<resv::Entity> {
    resv::Entity::find()
}

/// Seats at the RESV table (organisation, disciplines, mandate status): public.
pub fn seats(_viewer: &Viewer) -> Select<seat::Entity> {
    seat::Entity::find()
}

/// The disciplines of visible seats.
pub fn seat_disciplines(_viewer: &Viewer) -> Select<seat_discipline::Entity> {
    seat_discipline::Entity::find()
}

/// Parties at the regional table: public.
pub fn regional_table_parties(_viewer: &Viewer) -> Select<regional_table_party::Entity> {
    regional_table_party::Entity::find()
}

/// Subsidies: granted ones are public; ZonMw staff, analysts and admins see every status, a
/// coordinator its own regions' applications in every status.
pub fn subsidies(viewer: &Viewer) -> Select<subsidy::Entity> {
    let all = subsidy::Entity::find();
    if viewer.is(&[Role::Admin, Role::ZonmwStaff, Role::NationalAnalyst]) {
        return all;
    }
    all.filter(granted_or_own(
        viewer,
        subsidy::Column::Status,
        subsidy::Column::RegionId,
    ))
}

/// Vouchers: granted ones are public; ZonMw staff, analysts and admins see every status, a
/// coordinator its own regions' applications in every status.
pub fn vouchers(viewer: &Viewer) -> Select<voucher::Entity> {
    let all = voucher::Entity::find();
    if viewer.is(&[Role::Admin, Role::ZonmwStaff, Role::NationalAnalyst]) {
        return all;
    }
    all.filter(granted_or_own(
        viewer,
        voucher::Column::Status,
        voucher::Column::RegionId,
    ))
}

/// Neighbourhood collaborations: public.
pub fn neighbourhood_collaborations(
    _viewer: &Viewer,
) -> Select<neighbourhood_collaboration::Entity> {
    neighbourhood_collaboration::Entity::find()
}

/// The disciplines of visible neighbourhood collaborations.
pub fn nc_disciplines(_viewer: &Viewer) -> Select<nc_discipline::Entity> {
    nc_discipline::Entity::find()
}

/// Collaboration agreements: public.
pub fn agreements(_viewer: &Viewer) -> Select<agreement::Entity> {
    agreement::Entity::find()
}

/// The disciplines of visible agreements.
pub fn agreement_disciplines(_viewer: &Viewer) -> Select<agreement_discipline::Entity> {
    agreement_discipline::Entity::find()
}

/// LeVEL materials: PUBLIC ones for everyone, MEMBERS ones for every signed-in role (the regions,
/// ZonMw, analysts and editors are the network's members).
pub fn learning_materials(viewer: &Viewer) -> Select<learning_material::Entity> {
    let all = learning_material::Entity::find();
    match viewer {
        Viewer::Anonymous => {
            all.filter(learning_material::Column::Visibility.eq(Visibility::Public))
        }
        Viewer::User { .. } => all,
    }
}

/// The audit trail, for those who may read it (others get an empty scope).
pub fn audit_log(viewer: &Viewer) -> Select<audit_log::Entity> {
    let all = audit_log::Entity::find();
    if can_read_audit(viewer) {
        all
    } else {
        all.filter(audit_log::Column::Id.lt(0))
    }
}

/// Themes of visible materials.
pub fn material_themes(viewer: &Viewer) -> Select<material_theme::Entity> {
    material_theme::Entity::find()
        .filter(material_theme::Column::MaterialId.in_subquery(visible_material_ids(viewer)))
}

/// Region links of visible materials.
pub fn material_regions(viewer: &Viewer) -> Select<material_region::Entity> {
    material_region::Entity::find()
        .filter(material_region::Column::MaterialId.in_subquery(visible_material_ids(viewer)))
}

fn visible_material_ids(viewer: &Viewer) -> sea_orm::sea_query::SelectStatement {
    learning_materials(viewer)
        .select_only()
        .column(learning_material::Column::Id)
        .into_query()
}

#[cfg(test)]
mod tests;
