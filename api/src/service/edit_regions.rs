//! Changing regions themselves: admins only, through the write pipeline ([`record`]); the rules
//! are in `rules/region.rs`.

use super::edit_region::entered_by;
use super::edit_resv::Clearable;
use super::edit_resv::set;
use super::record::{self, Writer};
use super::rules::new_region;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::*;
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, QueryFilter};

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

/// The care-office and IZA regions a change names, by id.
struct References {
    care_office_region_id: Option<i32>,
    iza_region_id: Clearable<i32>,
}

impl RegionFields {
    /// Looks up the care-office and IZA regions the fields name.
    async fn references(
        &self,
        txn: &DatabaseTransaction,
        viewer: &Viewer,
    ) -> ApiResult<References> {
        let care_office_region_id = match &self.care_office_region_code {
            None => None,
            Some(code) => Some(
                access::care_office_regions(viewer)
                    .filter(care_office_region::Column::Code.eq(code.trim()))
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "careOfficeRegionCode",
                            format!("no care-office region `{code}`"),
                        )
                    })?
                    .id,
            ),
        };
        let iza_region_id = match &self.iza_region_code {
            None => None,
            Some(None) => Some(None),
            Some(Some(code)) => Some(Some(
                access::iza_regions(viewer)
                    .filter(iza_region::Column::Code.eq(code.trim()))
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid("izaRegionCode", format!("no IZA region `{code}`"))
                    })?
                    .id,
            )),
        };
        Ok(References {
            care_office_region_id,
            iza_region_id,
        })
    }

    /// Sets the given fields of `m`, with the regions they name as `references`.
    fn apply(self, references: References, m: &mut region::Model) {
        set(&mut m.name, self.name);
        set(&mut m.population_approx, self.population_approx);
        set(&mut m.preferred_insurer, self.preferred_insurer);
        set(&mut m.mandate_municipality, self.mandate_municipality);
        set(&mut m.notes, self.notes);
        set(&mut m.source, self.source);
        set(&mut m.source_reference, self.source_reference);
        set(
            &mut m.care_office_region_id,
            references.care_office_region_id,
        );
        set(&mut m.iza_region_id, references.iza_region_id);
    }
}

/// Adds a region (admins); a retry with the same `idempotency_key` answers with the region the
/// first call added.
pub async fn create_region(
    db: &DatabaseConnection,
    viewer: &Viewer,
    code: &str,
    fields: RegionFields,
    idempotency_key: Option<&str>,
) -> ApiResult<region::Model> {
    access::ensure_signed_in(viewer)?;
    access::ensure_admin(viewer)?;
    for (field, missing) in [
        ("name", fields.name.is_none()),
        (
            "careOfficeRegionCode",
            fields.care_office_region_code.is_none(),
        ),
    ] {
        if missing {
            return Err(ApiError::invalid(field, "is required"));
        }
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let mut new = new_region(code.to_owned(), entered_by(viewer));
    let references = fields.references(&txn, viewer).await?;
    fields.apply(references, &mut new);
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}

/// Changes a region read at `version` (admins).
pub async fn update_region(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: RegionFields,
) -> ApiResult<region::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let references = fields.references(&txn, viewer).await?;
    let after = record::update(&w, id, version, |m: &mut region::Model| {
        fields.apply(references, m);
        Ok(())
    })
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after)
}
