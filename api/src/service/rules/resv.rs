//! A regional collaboration (*RESV*) of a region: its phase, legal form, main tasks, design
//! criteria and contacts.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{DesignCriterion, LegalForm, Phase, SourceKind, TaskStatus, resv};

/// The longest note of a design criterion.
pub const CRITERION_NOTE: usize = 2000;

/// A new RESV of region `region_id` as a client starts one: in the network phase, no task
/// started, no criterion met, reported by the region, before the rules.
pub fn new_resv(region_id: i32, source_reference: Option<String>) -> resv::Model {
    let now = crate::service::write::now();
    entity::new_record!(
        now,
        resv::Model {
            id: 0,
            region_id,
            name: String::new(),
            legal_form: LegalForm::Network,
            treasurer: None,
            phase: Phase::Network,
            established_on: None,
            contracted_from: None,
            task_mandate: TaskStatus::NotStarted,
            task_capacity_access: TaskStatus::NotStarted,
            task_care_agreements: TaskStatus::NotStarted,
            task_neighbourhood_support: TaskStatus::NotStarted,
            task_facilitation: TaskStatus::NotStarted,
            criterion_core_disciplines_met: false,
            criterion_core_disciplines_note: None,
            criterion_mandated_representation_met: false,
            criterion_mandated_representation_note: None,
            criterion_multidisciplinary_governance_met: false,
            criterion_multidisciplinary_governance_note: None,
            criterion_regional_agenda_met: false,
            criterion_regional_agenda_note: None,
            criterion_citizen_participation_met: false,
            criterion_citizen_participation_note: None,
            citizen_participation: None,
            website: None,
            contact_name: None,
            contact_email: None,
            internal_notes: None,
            source: SourceKind::RegionalReport,
            source_reference,
        }
    )
}

super::single_row_record!(resv, Kind::Resv, {
    scope: access::resvs,
    keepers: |row| Keepers::Region(row.region_id),

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.text("name", &mut self.name, 200);
        rules.optional_text("treasurer", &mut self.treasurer, 200);
        for &criterion in DesignCriterion::ALL {
            let (_, note) = self.criterion_mut(criterion);
            rules.optional_text(criterion.note_column(), note, CRITERION_NOTE);
        }
        rules.optional_text(
            "citizen_participation",
            &mut self.citizen_participation,
            2000,
        );
        rules.url("website", &mut self.website);
        rules.optional_text("contact_name", &mut self.contact_name, 200);
        rules.email("contact_email", &mut self.contact_email);
        rules.optional_text("internal_notes", &mut self.internal_notes, 5000);
        rules.in_order("contracted_from", self.established_on, self.contracted_from);
        if self.legal_form != LegalForm::Network && self.phase == Phase::Network {
            // A legal entity is formed in the organisation phase; earlier phases are networks.
            rules.bad(
                "legal_form",
                "an RESV in the network phase has no legal entity yet (use NETWORK)",
            );
        }
        rules.done()
    }
});
