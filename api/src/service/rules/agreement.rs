//! A collaboration agreement (*samenwerkingsafspraak*) of an RESV, with its disciplines.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{DisciplineCode, agreement, agreement_discipline};

/// An agreement with its disciplines, as the pipeline writes it and the audit trail records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    #[serde(flatten)]
    pub row: agreement::Model,
    pub disciplines: Vec<DisciplineCode>,
}

super::linked_record!(Agreement, agreement, Kind::Agreement, {
    scope: access::agreements,
    keepers: |row| Keepers::Resv(row.resv_id, "agreement"),
    links: {
        disciplines: agreement_discipline(
            agreement_id: AgreementId, discipline_code: DisciplineCode
        ) in access::agreement_disciplines,
    },

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.text("topic", &mut self.row.topic, 300);
        rules.disciplines("disciplines", &mut self.disciplines);
        rules.done()
    }
});

impl Agreement {
    /// A new agreement of the RESV `resv_id` on `topic`, a draft for primary care reported by the
    /// region, before the rules.
    pub fn new(resv_id: i32, topic: String, source_reference: Option<String>) -> Self {
        let now = crate::service::write::now();
        let row = entity::new_record!(
            now,
            agreement::Model {
                id: 0,
                resv_id,
                topic,
                level: entity::AgreementLevel::PrimaryCare,
                status: entity::AgreementStatus::Draft,
                agreed_on: None,
                source: entity::SourceKind::RegionalReport,
                source_reference,
            }
        );
        Agreement {
            row,
            disciplines: Vec::new(),
        }
    }
}
