//! Changing the seats at an RESV table (*zetels*), including merging separate paramedical seats
//! into one network seat and splitting it again: the region's coordinators and admins, through
//! the write pipeline ([`record`]); the rules are in `rules/seat.rs`.

use super::edit::Fields;
use super::edit_region::entered_by;
use super::edit_resv::Clearable;
use super::record::{self, Writer};
use super::rules::Seat;
use super::write::refusal;
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::BTreeSet;

/// The fields of a seat a client sets; on update, `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SeatFields {
    pub organisation: Option<String>,
    pub disciplines: Option<Vec<DisciplineCode>>,
    pub mandate_status: Option<MandateStatus>,
    pub since: Clearable<NaiveDate>,
    pub delegate_name: Clearable<String>,
    pub delegate_email: Clearable<String>,
}

impl Fields<Seat> for SeatFields {
    fn apply(self, s: &mut Seat) -> ApiResult<()> {
        let row = &mut s.row;
        if let Some(v) = self.organisation {
            row.organisation = v;
        }
        if let Some(v) = self.mandate_status {
            row.mandate_status = v;
        }
        if let Some(v) = self.since {
            row.since = v;
        }
        if let Some(v) = self.delegate_name {
            row.delegate_name = v;
        }
        if let Some(v) = self.delegate_email {
            row.delegate_email = v;
        }
        if let Some(v) = self.disciplines {
            s.disciplines = v;
        }
        Ok(())
    }
}

/// Adds a seat to the table of the RESV with `resv_id`; a retry with the same `idempotency_key`
/// answers with the seat the first call added.
pub async fn create_seat(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resv_id: i32,
    fields: SeatFields,
    idempotency_key: Option<&str>,
) -> ApiResult<seat::Model> {
    access::ensure_signed_in(viewer)?;
    if fields.organisation.is_none() {
        return Err(ApiError::invalid("organisation", "is required"));
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    access::resvs(viewer)
        .filter(resv::Column::Id.eq(resv_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::invalid("resvId", "no such RESV"))?;
    let mut new = Seat::new(resv_id, String::new(), entered_by(viewer));
    fields.apply(&mut new)?;
    let created = record::create_once(&w, idempotency_key, new).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created.row)
}

/// Merges separate paramedical seats of one RESV into one seat of a multidisciplinary paramedical
/// network holding all their disciplines. `seats` pairs each seat id with the version read.
pub async fn merge_seats(
    db: &DatabaseConnection,
    viewer: &Viewer,
    seats: &[(i32, i32)],
    fields: SeatFields,
) -> ApiResult<seat::Model> {
    if seats.len() < 2 {
        return Err(ApiError::invalid("seats", "merge at least two seats"));
    }
    let distinct: BTreeSet<i32> = seats.iter().map(|(id, _)| *id).collect();
    if distinct.len() != seats.len() {
        return Err(ApiError::invalid("seats", "name each seat once"));
    }
    if fields.organisation.is_none() {
        return Err(ApiError::invalid(
            "organisation",
            "is required: the network that holds the seat",
        ));
    }
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let mut resv_id = None;
    let mut disciplines = Vec::new();
    for &(id, version) in seats {
        let removed: Seat = record::delete(&w, id, version).await?;
        if resv_id.is_some_and(|r| r != removed.row.resv_id) {
            return Err(ApiError::invalid(
                "seats",
                "all seats must be at the same RESV table",
            ));
        }
        resv_id = Some(removed.row.resv_id);
        disciplines.extend(removed.disciplines);
    }
    if disciplines.iter().any(|d| !d.is_paramedical()) {
        return Err(ApiError::invalid(
            "seats",
            "only seats of paramedical disciplines can be merged",
        ));
    }
    let resv_id = resv_id.ok_or_else(|| ApiError::invalid("seats", "merge at least two seats"))?;
    let mut network = Seat::new(resv_id, String::new(), entered_by(viewer));
    fields.apply(&mut network)?;
    network.disciplines = disciplines;
    let created = record::create(&w, network).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(created.row)
}

/// Splits a multidisciplinary seat read at `version` into one seat per discipline, each pending a
/// mandate of its own monodisciplinary organisation.
pub async fn split_seat(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<Vec<seat::Model>> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let w = Writer::new(&txn, viewer);
    let removed: Seat = record::delete(&w, id, version).await?;
    if removed.disciplines.len() < 2 {
        return Err(ApiError::invalid(
            "id",
            "the seat represents one discipline only",
        ));
    }
    let mut created = Vec::new();
    for &d in &removed.disciplines {
        let organisation = format!(
            "{} ({})",
            removed.row.organisation,
            d.as_str().to_lowercase().replace('_', " ")
        );
        let mut seat = Seat::new(removed.row.resv_id, organisation, entered_by(viewer));
        seat.disciplines = vec![d];
        created.push(record::create(&w, seat).await?.row);
    }
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}
