//! Changing the collaboration agreements of an RESV: the region's coordinators and admins.

use super::edit_region::{disciplines_set, entered_by};
use super::edit_resv::{Clearable, region_code};
use super::write::{
    Action, audit, check, check_version, commit_delete, insert_new, now, refusal, replace_links,
    save_versioned,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};

/// The fields of an agreement a client sets; on update `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct AgreementFields {
    pub topic: Option<String>,
    pub level: Option<AgreementLevel>,
    pub status: Option<AgreementStatus>,
    pub agreed_on: Clearable<NaiveDate>,
    pub disciplines: Option<Vec<DisciplineCode>>,
}

/// An agreement with its disciplines, as the audit trail records it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgreementState {
    #[serde(flatten)]
    pub agreement: agreement::Model,
    pub disciplines: Vec<DisciplineCode>,
}

fn apply_agreement(m: &mut agreement::Model, f: &AgreementFields) -> ApiResult<()> {
    if let Some(v) = &f.topic {
        m.topic = check::text("topic", v, 300)?;
    }
    if let Some(v) = f.level {
        m.level = v;
    }
    if let Some(v) = f.status {
        m.status = v;
    }
    if let Some(v) = f.agreed_on {
        m.agreed_on = v;
    }
    Ok(())
}

async fn store_agreement_disciplines<C: ConnectionTrait>(
    db: &C,
    id: i32,
    disciplines: &[DisciplineCode],
) -> ApiResult<()> {
    let rows = disciplines
        .iter()
        .map(|&d| agreement_discipline::Model {
            agreement_id: id,
            discipline_code: d,
        })
        .collect();
    replace_links::<_, agreement_discipline::ActiveModel>(
        db,
        (agreement_discipline::Column::AgreementId, id),
        rows,
    )
    .await
}

/// Records an agreement of the RESV with `resv_id`.
pub async fn create_agreement(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resv_id: i32,
    fields: AgreementFields,
) -> ApiResult<agreement::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let resv = access::resvs(viewer)
        .filter(resv::Column::Id.eq(resv_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::invalid("resvId", "no such RESV"))?;
    access::ensure_can_edit_region(viewer, &region_code(&txn, viewer, resv.region_id).await?)?;
    if fields.topic.is_none() {
        return Err(ApiError::invalid("topic", "is required"));
    }
    let at = now();
    let mut model = agreement::Model {
        id: 0,
        resv_id,
        topic: String::new(),
        level: AgreementLevel::PrimaryCare,
        status: AgreementStatus::Draft,
        agreed_on: None,
        source: SourceKind::RegionalReport,
        source_reference: entered_by(viewer),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    apply_agreement(&mut model, &fields)?;
    let disciplines = disciplines_set(
        "disciplines",
        fields.disciplines.as_deref().unwrap_or_default(),
    )?;
    let created = insert_new::<_, agreement::ActiveModel>(&txn, model).await?;
    store_agreement_disciplines(&txn, created.id, &disciplines).await?;
    let state = AgreementState {
        agreement: created,
        disciplines,
    };
    audit(
        &txn,
        viewer,
        "agreement",
        state.agreement.id,
        Action::Create,
        None,
        Some(&state),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(state.agreement)
}

async fn editable_agreement<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<AgreementState> {
    access::ensure_signed_in(viewer)?;
    let row = access::agreements(viewer)
        .filter(agreement::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("agreement"))?;
    let resv = access::resvs(viewer)
        .filter(resv::Column::Id.eq(row.resv_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("agreement"))?;
    access::ensure_can_edit_region(viewer, &region_code(db, viewer, resv.region_id).await?)?;
    let disciplines = access::agreement_disciplines(viewer)
        .filter(agreement_discipline::Column::AgreementId.eq(id))
        .order_by_asc(agreement_discipline::Column::DisciplineCode)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.discipline_code)
        .collect();
    Ok(AgreementState {
        agreement: row,
        disciplines,
    })
}

/// Changes an agreement read at `version`.
pub async fn update_agreement(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: AgreementFields,
) -> ApiResult<agreement::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_agreement(&txn, viewer, id).await?;
    check_version(before.agreement.version, version)?;
    let mut after = before.clone();
    apply_agreement(&mut after.agreement, &fields)?;
    if let Some(d) = &fields.disciplines {
        after.disciplines = disciplines_set("disciplines", d)?;
    }
    after.agreement.version += 1;
    after.agreement.updated_at = now();
    save_versioned::<_, agreement::ActiveModel>(
        &txn,
        after.agreement.clone(),
        (agreement::Column::Id, id),
        (agreement::Column::Version, version),
    )
    .await?;
    if fields.disciplines.is_some() {
        store_agreement_disciplines(&txn, id, &after.disciplines).await?;
    }
    audit(
        &txn,
        viewer,
        "agreement",
        id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after.agreement)
}

/// Deletes an agreement read at `version`.
pub async fn delete_agreement(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = editable_agreement(&txn, viewer, id).await?;
    check_version(before.agreement.version, version)?;
    commit_delete::<agreement::Entity, _>(
        txn,
        viewer,
        "agreement",
        (agreement::Column::Id, id),
        (agreement::Column::Version, version),
        &before,
    )
    .await?;
    Ok(())
}
