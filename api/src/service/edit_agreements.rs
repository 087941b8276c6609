//! Changing the collaboration agreements of an RESV: the region's coordinators and admins,
//! through the write pipeline ([`record`]); the rules are in `rules/agreement.rs`.

use super::edit::Fields;
use super::edit_region::entered_by;
use super::edit_resv::Clearable;
use super::record::{self, Writer};
use super::rules::Agreement;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};

/// The fields of an agreement a client sets; on update `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct AgreementFields {
    pub topic: Option<String>,
    pub level: Option<AgreementLevel>,
    pub status: Option<AgreementStatus>,
    pub agreed_on: Clearable<NaiveDate>,
    pub disciplines: Option<Vec<DisciplineCode>>,
}

impl Fields<Agreement> for AgreementFields {
    fn apply(self, a: &mut Agreement) -> ApiResult<()> {
        if let Some(v) = self.topic {
            a.row.topic = v;
        }
        if let Some(v) = self.level {
            a.row.level = v;
        }
        if let Some(v) = self.status {
            a.row.status = v;
        }
        if let Some(v) = self.agreed_on {
            a.row.agreed_on = v;
        }
        if let Some(v) = self.disciplines {
            a.disciplines = v;
        }
        Ok(())
    }
}

/// Records an agreement of the RESV with `resv_id`; a retry with the same `idempotency_key`
/// answers with the agreement the first call recorded.
pub async fn create_agreement(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resv_id: i32,
    fields: AgreementFields,
    idempotency_key: Option<&str>,
) -> ApiResult<agreement::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    access::resvs(viewer)
        .filter(resv::Column::Id.eq(resv_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::invalid("resvId", "no such RESV"))?;
    if fields.topic.is_none() {
        return Err(ApiError::invalid("topic", "is required"));
    }
    let mut new = Agreement::new(resv_id, String::new(), entered_by(viewer));
    fields.apply(&mut new)?;
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created.row)
}
