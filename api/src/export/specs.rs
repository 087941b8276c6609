//! What each export holds: per kind, the GraphQL query it pages through and its columns; and
//! which columns only some viewers may read.

use crate::access::{self, Viewer};

/// The export of one kind of registry object: a page-by-page GraphQL query and its columns.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EntityExport {
    /// The file's name (`resvs` for `resvs.csv`).
    pub name: &'static str,
    /// The root connection field the query pages through.
    pub(super) field: &'static str,
    /// Further arguments of that field (`, filter: {...}`).
    pub(super) arguments: &'static str,
    /// The selection of each node.
    pub(super) selection: &'static str,
    /// One row per item of this list of a node (its node is then `^` in column paths).
    pub(super) nested: Option<&'static str>,
    /// Whether the root field is a connection read page by page (else a plain list).
    pub(super) paged: bool,
    /// Columns: name and path into the row (`a.b`; `list[].x` joins the items with `;`;
    /// `list[key=VALUE].x` keeps the items whose `key` is VALUE; `^` starts at the parent node).
    pub(super) columns: &'static [(&'static str, &'static str)],
}

/// Every object the registry exports, with its provenance.
pub const ENTITIES: &[EntityExport] = &[
    EntityExport {
        name: "regions",
        field: "regions",
        arguments: ", filter: { includeRetired: true }",
        selection: "code name populationApprox preferredInsurer mandateMunicipality confidence notes
            careOfficeRegion { code name } izaRegion { code }
            provenance { source reference importedAt importedBy } retiredOn version
            resv { name phase legalForm establishedOn contactEmail }
            subsidies { kind status }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("population_approx", "populationApprox"),
            ("preferred_insurer", "preferredInsurer"),
            ("mandate_municipality", "mandateMunicipality"),
            ("care_office_region_code", "careOfficeRegion.code"),
            ("care_office_region_name", "careOfficeRegion.name"),
            ("iza_region_code", "izaRegion.code"),
            ("confidence", "confidence"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("retired_on", "retiredOn"),
            ("version", "version"),
            ("resv_name", "resv.name"),
            ("resv_phase", "resv.phase"),
            ("resv_legal_form", "resv.legalForm"),
            ("resv_established_on", "resv.establishedOn"),
            ("resv_contact_email", "resv.contactEmail"),
            ("implementation_subsidy_statuses", "subsidies[kind=IMPLEMENTATION].status"),
        ],
    },
    EntityExport {
        name: "resvs",
        field: "resvs",
        arguments: "",
        selection: "region { code } name legalForm treasurer phase establishedOn contractedFrom
            mainTasks { mandate capacityAccess careAgreements neighbourhoodSupport facilitation }
            designCriteria { criterion met note }
            citizenParticipation website contactName contactEmail internalNotes
            provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("name", "name"),
            ("legal_form", "legalForm"),
            ("treasurer", "treasurer"),
            ("phase", "phase"),
            ("established_on", "establishedOn"),
            ("contracted_from", "contractedFrom"),
            ("task_mandate", "mainTasks.mandate"),
            ("task_capacity_access", "mainTasks.capacityAccess"),
            ("task_care_agreements", "mainTasks.careAgreements"),
            ("task_neighbourhood_support", "mainTasks.neighbourhoodSupport"),
            ("task_facilitation", "mainTasks.facilitation"),
            ("criteria_met", "designCriteria[met=true].criterion"),
            ("criterion_core_disciplines_note", "designCriteria[criterion=CORE_DISCIPLINES].note"),
            ("criterion_mandated_representation_note", "designCriteria[criterion=MANDATED_REPRESENTATION].note"),
            ("criterion_multidisciplinary_governance_note", "designCriteria[criterion=MULTIDISCIPLINARY_GOVERNANCE].note"),
            ("criterion_regional_agenda_note", "designCriteria[criterion=REGIONAL_AGENDA].note"),
            ("criterion_citizen_participation_note", "designCriteria[criterion=CITIZEN_PARTICIPATION].note"),
            ("citizen_participation", "citizenParticipation"),
            ("website", "website"),
            ("contact_name", "contactName"),
            ("contact_email", "contactEmail"),
            ("internal_notes", "internalNotes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "seats",
        field: "resvs",
        arguments: "",
        selection: "region { code }
            seats { organisation mandateStatus since delegateName delegateEmail
                    disciplines { code } multidisciplinary provenance { source reference importedAt importedBy } version }",
        nested: Some("seats"),
        paged: true,
        columns: &[
            ("region_code", "^region.code"),
            ("organisation", "organisation"),
            ("disciplines", "disciplines[].code"),
            ("multidisciplinary", "multidisciplinary"),
            ("mandate_status", "mandateStatus"),
            ("since", "since"),
            ("delegate_name", "delegateName"),
            ("delegate_email", "delegateEmail"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "agreements",
        field: "resvs",
        arguments: "",
        selection: "region { code }
            agreements { topic level status agreedOn disciplines { code }
                         provenance { source reference importedAt importedBy } version }",
        nested: Some("agreements"),
        paged: true,
        columns: &[
            ("region_code", "^region.code"),
            ("topic", "topic"),
            ("level", "level"),
            ("status", "status"),
            ("agreed_on", "agreedOn"),
            ("disciplines", "disciplines[].code"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "regional-table",
        field: "regions",
        arguments: ", filter: { includeRetired: true }",
        selection: "code regionalTable { kind organisation provenance { source reference importedAt importedBy } version }",
        nested: Some("regionalTable"),
        paged: true,
        columns: &[
            ("region_code", "^code"),
            ("kind", "kind"),
            ("organisation", "organisation"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "subsidies",
        field: "subsidies",
        arguments: "",
        selection: "region { code } kind status applicant amountRequested amountGranted appliedOn
            decidedOn periodStart periodEnd zonmwReference provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("kind", "kind"),
            ("status", "status"),
            ("applicant", "applicant"),
            ("amount_requested", "amountRequested"),
            ("amount_granted", "amountGranted"),
            ("applied_on", "appliedOn"),
            ("decided_on", "decidedOn"),
            ("period_start", "periodStart"),
            ("period_end", "periodEnd"),
            ("zonmw_reference", "zonmwReference"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "vouchers",
        field: "vouchers",
        arguments: "",
        selection: "region { code } discipline { code } status applicant amount appliedOn decidedOn
            provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("discipline", "discipline.code"),
            ("status", "status"),
            ("applicant", "applicant"),
            ("amount", "amount"),
            ("applied_on", "appliedOn"),
            ("decided_on", "decidedOn"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "neighbourhood-collaborations",
        field: "neighbourhoodCollaborations",
        arguments: "",
        selection: "region { code } name area population status establishedOn disciplines { code }
            meetsMinimumComposition provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("region_code", "region.code"),
            ("name", "name"),
            ("area", "area"),
            ("population", "population"),
            ("status", "status"),
            ("established_on", "establishedOn"),
            ("disciplines", "disciplines[].code"),
            ("meets_minimum_composition", "meetsMinimumComposition"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    EntityExport {
        name: "learning-materials",
        field: "learningMaterials",
        arguments: "",
        selection: "kind title summary url publishedOn eventStartsAt visibility themes
            regions { code } provenance { source reference importedAt importedBy } version",
        nested: None,
        paged: true,
        columns: &[
            ("kind", "kind"),
            ("title", "title"),
            ("summary", "summary"),
            ("url", "url"),
            ("published_on", "publishedOn"),
            ("event_starts_at", "eventStartsAt"),
            ("visibility", "visibility"),
            ("themes", "themes[]"),
            ("region_codes", "regions[].code"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
            ("imported_at", "provenance.importedAt"),
            ("imported_by", "provenance.importedBy"),
            ("version", "version"),
        ],
    },
    // The reference data `api migrate` brings: an export carries it, so it says what it holds.
    EntityExport {
        name: "disciplines",
        field: "disciplines",
        arguments: "",
        selection: "code name nameNl paramedical minimumComposition",
        nested: None,
        paged: false,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("name_nl", "nameNl"),
            ("paramedical", "paramedical"),
            ("minimum_composition", "minimumComposition"),
        ],
    },
    EntityExport {
        name: "care-office-regions",
        field: "careOfficeRegions",
        arguments: "",
        selection: "code name insurer populationApprox notes provenance { source reference }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("insurer", "insurer"),
            ("population_approx", "populationApprox"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
        ],
    },
    EntityExport {
        name: "iza-regions",
        field: "izaRegions",
        arguments: "",
        selection: "code name careOfficeRegion { code } mandateMunicipality spukIza2025 spukIza2026
            populationApprox notes provenance { source reference }",
        nested: None,
        paged: true,
        columns: &[
            ("code", "code"),
            ("name", "name"),
            ("care_office_region_code", "careOfficeRegion.code"),
            ("mandate_municipality", "mandateMunicipality"),
            ("spuk_iza_2025", "spukIza2025"),
            ("spuk_iza_2026", "spukIza2026"),
            ("population_approx", "populationApprox"),
            ("notes", "notes"),
            ("source", "provenance.source"),
            ("source_reference", "provenance.reference"),
        ],
    },
];

/// The reference data among [`ENTITIES`]: an import checks it against the registry's own.
pub const REFERENCE: [&str; 3] = ["disciplines", "care-office-regions", "iza-regions"];

/// Columns that only some viewers may read, and what it takes to read them in every row.
const RESTRICTED: [(&str, access::Restricted); 7] = [
    ("contact_name", access::Restricted::Contacts),
    ("contact_email", access::Restricted::Contacts),
    ("resv_contact_email", access::Restricted::Contacts),
    ("delegate_name", access::Restricted::Contacts),
    ("delegate_email", access::Restricted::Contacts),
    ("internal_notes", access::Restricted::InternalNotes),
    ("imported_by", access::Restricted::Audit),
];

/// The columns of `spec` that `viewer` may read in every row. A column the viewer may read in
/// some rows only, or in none, is left out of the file rather than written empty: an empty cell
/// means "clear" to an import, so a file exported with fewer rights imports without erasing what
/// its exporter could not see.
pub(super) fn visible_columns(
    spec: &EntityExport,
    viewer: &Viewer,
) -> Vec<(&'static str, &'static str)> {
    spec.columns
        .iter()
        .filter(|(name, _)| {
            RESTRICTED
                .iter()
                .find(|(restricted, _)| restricted == name)
                .is_none_or(|(_, what)| access::sees_everywhere(viewer, *what))
        })
        .copied()
        .collect()
}
