//! Changing regions themselves: admins only.

use super::edit_region::entered_by;
use super::edit_resv::Clearable;
use super::write::{check, check_version, commit_create, commit_update, insert_new, now};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter};

/// The fields of a region an admin sets; on update `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct RegionFields {
    pub name: Option<String>,
    pub population_approx: Clearable<i64>,
    pub preferred_insurer: Clearable<String>,
    pub mandate_municipality: Clearable<String>,
    pub care_office_region_code: Option<String>,
    pub iza_region_code: Clearable<String>,
    pub notes: Clearable<String>,
    pub source: Option<SourceKind>,
    pub source_reference: Clearable<String>,
}

async fn apply_region<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    m: &mut region::Model,
    f: RegionFields,
) -> ApiResult<()> {
    if let Some(v) = f.name {
        m.name = check::text("name", &v, 200)?;
    }
    if let Some(v) = f.population_approx {
        m.population_approx = check::count("populationApprox", v, 0, 20_000_000)?;
    }
    if let Some(v) = f.preferred_insurer {
        m.preferred_insurer = check::optional_text("preferredInsurer", v.as_deref(), 100)?;
    }
    if let Some(v) = f.mandate_municipality {
        m.mandate_municipality = check::optional_text("mandateMunicipality", v.as_deref(), 100)?;
    }
    if let Some(code) = f.care_office_region_code {
        m.care_office_region_id = access::care_office_regions(viewer)
            .filter(care_office_region::Column::Code.eq(code.trim()))
            .one(db)
            .await?
            .ok_or_else(|| {
                ApiError::invalid(
                    "careOfficeRegionCode",
                    format!("no care-office region `{code}`"),
                )
            })?
            .id;
    }
    if let Some(code) = f.iza_region_code {
        m.iza_region_id = match code {
            None => None,
            Some(code) => Some(
                access::iza_regions(viewer)
                    .filter(iza_region::Column::Code.eq(code.trim()))
                    .one(db)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid("izaRegionCode", format!("no IZA region `{code}`"))
                    })?
                    .id,
            ),
        };
    }
    if let Some(v) = f.notes {
        m.notes = check::optional_text("notes", v.as_deref(), 5000)?;
    }
    if let Some(v) = f.source {
        m.source = v;
    }
    if let Some(v) = f.source_reference {
        m.source_reference = check::optional_text("sourceReference", v.as_deref(), 1000)?;
    }
    Ok(())
}

/// A new region with `code`, from an official list, with nothing else known yet.
pub(crate) fn blank_region(code: String) -> region::Model {
    let at = now();
    region::Model {
        id: 0,
        code,
        name: String::new(),
        population_approx: None,
        preferred_insurer: None,
        mandate_municipality: None,
        care_office_region_id: 0,
        iza_region_id: None,
        confidence: None,
        notes: None,
        source: SourceKind::OfficialList,
        source_reference: None,
        imported_at: None,
        imported_by: None,
        retired_on: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// Adds a region (admins).
pub async fn create_region(
    db: &DatabaseConnection,
    viewer: &Viewer,
    code: &str,
    fields: RegionFields,
) -> ApiResult<region::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_admin(viewer)?;
    let code = check::text("code", code, 16)?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::invalid(
            "code",
            "letters, digits and hyphens only",
        ));
    }
    if fields.name.is_none() || fields.care_office_region_code.is_none() {
        return Err(ApiError::invalid(
            if fields.name.is_none() {
                "name"
            } else {
                "careOfficeRegionCode"
            },
            "is required",
        ));
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let mut model = blank_region(code);
    model.source_reference = entered_by(viewer);
    apply_region(&txn, viewer, &mut model, fields).await?;
    let created = insert_new::<_, region::ActiveModel>(&txn, model).await?;
    commit_create(txn, viewer, "region", created.id, created).await
}

/// Changes a region read at `version` (admins).
pub async fn update_region(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: RegionFields,
) -> ApiResult<region::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let before = access::regions(viewer)
        .filter(region::Column::Id.eq(id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("region"))?;
    access::ensure_admin(viewer)?;
    check_version(before.version, version)?;
    let mut after = before.clone();
    apply_region(&txn, viewer, &mut after, fields).await?;
    after.version += 1;
    after.updated_at = now();
    commit_update::<region::ActiveModel, _>(
        txn,
        viewer,
        "region",
        (region::Column::Id, id),
        (region::Column::Version, version),
        after.clone(),
        &before,
        &after,
    )
    .await?;
    Ok(after)
}
