//! A collaboration agreement (*samenwerkingsafspraak*) of an RESV, with its disciplines.

use super::Rules;
use crate::access;
use crate::error::{ApiError, ApiResult};
use crate::service::kinds::Kind;
use crate::service::record::{self, Problems, Record, Writer};
use crate::service::write::replace_links;
use chrono::{DateTime, Utc};
use entity::{DisciplineCode, agreement, agreement_discipline, resv};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

/// An agreement with its disciplines, as the pipeline writes it and the audit trail records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Agreement {
    #[serde(flatten)]
    pub row: agreement::Model,
    pub disciplines: Vec<DisciplineCode>,
}

#[async_trait::async_trait]
impl Record for Agreement {
    const KIND: Kind = Kind::Agreement;

    fn id(&self) -> i32 {
        self.row.id
    }

    fn version(&self) -> i32 {
        self.row.version
    }

    fn stamp(&mut self, version: i32, at: DateTime<Utc>, imported_by: Option<String>) {
        let row = &mut self.row;
        record::stamp_row(
            &mut row.version,
            &mut row.updated_at,
            (&mut row.imported_at, &mut row.imported_by),
            (version, at, imported_by),
        );
    }

    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
        let Some(row) = access::agreements(w.viewer)
            .filter(agreement::Column::Id.eq(id))
            .one(w.txn)
            .await?
        else {
            return Ok(None);
        };
        let disciplines = access::agreement_disciplines(w.viewer)
            .filter(agreement_discipline::Column::AgreementId.eq(id))
            .order_by_asc(agreement_discipline::Column::DisciplineCode)
            .all(w.txn)
            .await?
            .into_iter()
            .map(|d| d.discipline_code)
            .collect();
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

    async fn insert(&self, w: &Writer<'_>) -> ApiResult<Self> {
        let row = record::insert_row::<Self, agreement::ActiveModel>(w, self.row.clone()).await?;
        let created = Agreement {
            row,
            disciplines: self.disciplines.clone(),
        };
        created.store_disciplines(w).await?;
        Ok(created)
    }

    async fn save(&self, w: &Writer<'_>, before: &Self) -> ApiResult<()> {
        record::save_row::<Self, agreement::ActiveModel>(
            w,
            self.row.clone(),
            (agreement::Column::Id, before.row.id),
            (agreement::Column::Version, before.row.version),
        )
        .await?;
        if self.disciplines != before.disciplines {
            self.store_disciplines(w).await?;
        }
        Ok(())
    }

    async fn remove(&self, w: &Writer<'_>) -> ApiResult<()> {
        record::remove_row::<agreement::Entity>(
            w,
            (agreement::Column::Id, self.row.id),
            (agreement::Column::Version, self.row.version),
        )
        .await
    }
}

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

    async fn store_disciplines(&self, w: &Writer<'_>) -> ApiResult<()> {
        let id = self.row.id;
        let rows = self
            .disciplines
            .iter()
            .map(|&discipline_code| agreement_discipline::Model {
                agreement_id: id,
                discipline_code,
            })
            .collect();
        replace_links::<_, agreement_discipline::ActiveModel>(
            w.txn,
            (agreement_discipline::Column::AgreementId, id),
            rows,
        )
        .await
    }
}
