//! A collaboration agreement (*samenwerkingsafspraak*) of an RESV, with its disciplines.

use super::Rules;
use crate::access;
use crate::error::{ApiError, ApiResult};
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{DisciplineCode, agreement, agreement_discipline, resv};
use sea_orm::{ColumnTrait, QueryFilter};

/// An agreement with its disciplines, as the pipeline writes it and the audit trail records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    #[serde(flatten)]
    pub row: agreement::Model,
    pub disciplines: Vec<DisciplineCode>,
}

super::linked_record!(Agreement, agreement, Kind::Agreement, {
    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
        let Some(row) = access::agreements(w.viewer)
            .filter(agreement::Column::Id.eq(id))
            .one(w.txn)
            .await?
        else {
            return Ok(None);
        };
        let disciplines = super::links_of(
            w,
            access::agreement_disciplines(w.viewer),
            (agreement_discipline::Column::AgreementId, id),
            agreement_discipline::Column::DisciplineCode,
            |d| d.discipline_code,
        )
        .await?;
        Ok(Some(Agreement { row, disciplines }))
    }

    async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
        let resv = access::resvs(w.viewer)
            .filter(resv::Column::Id.eq(self.row.resv_id))
            .one(w.txn)
            .await?
            .ok_or(ApiError::NotFound("agreement"))?;
        super::region_code(w, resv.region_id).await.map(Some)
    }

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
        let at = crate::service::write::now();
        Agreement {
            row: agreement::Model {
                id: 0,
                resv_id,
                topic,
                level: entity::AgreementLevel::PrimaryCare,
                status: entity::AgreementStatus::Draft,
                agreed_on: None,
                source: entity::SourceKind::RegionalReport,
                source_reference,
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
            disciplines: Vec::new(),
        }
    }

    async fn store_links(&self, w: &Writer<'_>) -> ApiResult<()> {
        let agreement_id = self.row.id;
        super::replace::<agreement_discipline::ActiveModel, _>(
            w,
            (agreement_discipline::Column::AgreementId, agreement_id),
            &self.disciplines,
            |discipline_code| agreement_discipline::Model {
                agreement_id,
                discipline_code,
            },
        )
        .await
    }
}
