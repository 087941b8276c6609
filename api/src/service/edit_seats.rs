//! Changing the seats at an RESV table (*zetels*), including merging separate paramedical seats
//! into one network seat and splitting it again: the region's coordinators and admins.

use super::edit_resv::{Clearable, editable_resv, set};
use super::write::{
    Action, audit, check, check_version, delete_versioned, insert_new, now, refusal, replace_links,
    save_versioned,
};
use crate::access::{self, Viewer};
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryFilter, QueryOrder};
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

/// A seat with its disciplines, as the audit trail records it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeatState {
    #[serde(flatten)]
    pub seat: seat::Model,
    pub disciplines: Vec<DisciplineCode>,
}

async fn seat_disciplines<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    seat_id: i32,
) -> ApiResult<Vec<DisciplineCode>> {
    Ok(access::seat_disciplines(viewer)
        .filter(seat_discipline::Column::SeatId.eq(seat_id))
        .order_by_asc(seat_discipline::Column::DisciplineCode)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.discipline_code)
        .collect())
}

/// Checks a seat's disciplines: at least one, no repeats, several only for paramedical
/// disciplines (a multidisciplinary paramedical network), and none seated elsewhere at this table.
async fn check_disciplines<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    resv_id: i32,
    seat_id: Option<i32>,
    disciplines: &[DisciplineCode],
) -> ApiResult<Vec<DisciplineCode>> {
    let unique: BTreeSet<DisciplineCode> = disciplines.iter().copied().collect();
    if unique.is_empty() {
        return Err(ApiError::invalid(
            "disciplines",
            "a seat represents at least one discipline",
        ));
    }
    if unique.len() != disciplines.len() {
        return Err(ApiError::invalid(
            "disciplines",
            "each discipline at most once",
        ));
    }
    if unique.len() > 1 && !unique.iter().all(|d| d.is_paramedical()) {
        return Err(ApiError::invalid(
            "disciplines",
            "only paramedical disciplines share a seat (a multidisciplinary paramedical network)",
        ));
    }
    let mut taken = access::seat_disciplines(viewer)
        .filter(seat_discipline::Column::ResvId.eq(resv_id))
        .filter(seat_discipline::Column::DisciplineCode.is_in(unique.iter().copied()));
    if let Some(seat_id) = seat_id {
        taken = taken.filter(seat_discipline::Column::SeatId.ne(seat_id));
    }
    if let Some(clash) = taken.one(db).await? {
        return Err(ApiError::invalid(
            "disciplines",
            format!(
                "{} already has a seat at this RESV table",
                clash.discipline_code.as_str()
            ),
        ));
    }
    Ok(unique.into_iter().collect())
}

async fn store_disciplines<C: ConnectionTrait>(
    db: &C,
    seat: &seat::Model,
    disciplines: &[DisciplineCode],
) -> ApiResult<()> {
    let rows = disciplines
        .iter()
        .map(|&d| seat_discipline::Model {
            seat_id: seat.id,
            discipline_code: d,
            resv_id: seat.resv_id,
        })
        .collect();
    replace_links::<_, seat_discipline::ActiveModel>(
        db,
        (seat_discipline::Column::SeatId, seat.id),
        rows,
    )
    .await
}

fn apply_seat(m: &mut seat::Model, f: &SeatFields) -> ApiResult<()> {
    if let Some(o) = &f.organisation {
        m.organisation = check::text("organisation", o, 200)?;
    }
    set(&mut m.mandate_status, f.mandate_status);
    set(&mut m.since, f.since);
    if let Some(v) = &f.delegate_name {
        m.delegate_name = check::optional_text("delegateName", v.as_deref(), 200)?;
    }
    if let Some(v) = &f.delegate_email {
        m.delegate_email = check::email("delegateEmail", v.as_deref())?;
    }
    Ok(())
}

async fn insert_seat<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    resv: &resv::Model,
    fields: &SeatFields,
    disciplines: &[DisciplineCode],
) -> ApiResult<SeatState> {
    let at = now();
    let mut model = seat::Model {
        id: 0,
        resv_id: resv.id,
        organisation: String::new(),
        mandate_status: MandateStatus::Pending,
        since: None,
        delegate_name: None,
        delegate_email: None,
        source: SourceKind::RegionalReport,
        source_reference: Some(format!("entered by {}", viewer.sub().unwrap_or("unknown"))),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    apply_seat(&mut model, fields)?;
    let seat = insert_new::<_, seat::ActiveModel>(db, model).await?;
    store_disciplines(db, &seat, disciplines).await?;
    let state = SeatState {
        seat,
        disciplines: disciplines.to_vec(),
    };
    audit(
        db,
        viewer,
        "seat",
        state.seat.id,
        Action::Create,
        None,
        Some(&state),
    )
    .await?;
    Ok(state)
}

/// Adds a seat to the table of the RESV with `resv_id`.
pub async fn create_seat(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resv_id: i32,
    fields: SeatFields,
) -> ApiResult<seat::Model> {
    access::ensure_signed_in(viewer)?;
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let resv = editable_resv(&txn, viewer, resv_id)
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::invalid("resvId", "no such RESV"),
            other => other,
        })?;
    if fields.organisation.is_none() {
        return Err(ApiError::invalid("organisation", "is required"));
    }
    let disciplines = check_disciplines(
        &txn,
        viewer,
        resv.id,
        None,
        fields.disciplines.as_deref().unwrap_or_default(),
    )
    .await?;
    let state = insert_seat(&txn, viewer, &resv, &fields, &disciplines).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(state.seat)
}

/// Loads a visible seat with its RESV and checks that the viewer may change it.
async fn editable_seat<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i32,
) -> ApiResult<(seat::Model, resv::Model)> {
    access::ensure_signed_in(viewer)?;
    let seat = access::seats(viewer)
        .filter(seat::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("seat"))?;
    let resv = editable_resv(db, viewer, seat.resv_id).await?;
    Ok((seat, resv))
}

/// Updates a seat read at `version` (its disciplines too, when given).
pub async fn update_seat(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
    fields: SeatFields,
) -> ApiResult<seat::Model> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let (seat, resv) = editable_seat(&txn, viewer, id).await?;
    check_version(seat.version, version)?;
    let before = SeatState {
        disciplines: seat_disciplines(&txn, viewer, id).await?,
        seat,
    };
    let mut after = before.clone();
    apply_seat(&mut after.seat, &fields)?;
    if let Some(disciplines) = &fields.disciplines {
        after.disciplines = check_disciplines(&txn, viewer, resv.id, Some(id), disciplines).await?;
    }
    after.seat.version += 1;
    after.seat.updated_at = now();
    save_versioned::<_, seat::ActiveModel>(
        &txn,
        after.seat.clone(),
        (seat::Column::Id, id),
        (seat::Column::Version, version),
    )
    .await?;
    if fields.disciplines.is_some() {
        store_disciplines(&txn, &after.seat, &after.disciplines).await?;
    }
    audit(
        &txn,
        viewer,
        "seat",
        id,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await.map_err(refusal)?;
    Ok(after.seat)
}

async fn remove_seat<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    seat: seat::Model,
    version: i32,
) -> ApiResult<SeatState> {
    check_version(seat.version, version)?;
    let before = SeatState {
        disciplines: seat_disciplines(db, viewer, seat.id).await?,
        seat,
    };
    delete_versioned::<_, seat::Entity>(
        db,
        (seat::Column::Id, before.seat.id),
        (seat::Column::Version, version),
    )
    .await?;
    audit(
        db,
        viewer,
        "seat",
        before.seat.id,
        Action::Delete,
        Some(&before),
        None,
    )
    .await?;
    Ok(before)
}

/// Deletes a seat read at `version`.
pub async fn delete_seat(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    version: i32,
) -> ApiResult<()> {
    let txn = crate::db::begin_with_claims(db, &access::claims(viewer)).await?;
    let (seat, _) = editable_seat(&txn, viewer, id).await?;
    remove_seat(&txn, viewer, seat, version).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(())
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
    let mut resv: Option<resv::Model> = None;
    let mut disciplines = Vec::new();
    for &(id, version) in seats {
        let (seat, seat_resv) = editable_seat(&txn, viewer, id).await?;
        if resv.as_ref().is_some_and(|r| r.id != seat_resv.id) {
            return Err(ApiError::invalid(
                "seats",
                "all seats must be at the same RESV table",
            ));
        }
        resv = Some(seat_resv);
        let removed = remove_seat(&txn, viewer, seat, version).await?;
        disciplines.extend(removed.disciplines);
    }
    let resv = resv.ok_or_else(|| ApiError::invalid("seats", "merge at least two seats"))?;
    disciplines.sort();
    if disciplines.iter().any(|d| !d.is_paramedical()) {
        return Err(ApiError::invalid(
            "seats",
            "only seats of paramedical disciplines can be merged",
        ));
    }
    let disciplines = check_disciplines(&txn, viewer, resv.id, None, &disciplines).await?;
    let state = insert_seat(&txn, viewer, &resv, &fields, &disciplines).await?;
    txn.commit().await.map_err(refusal)?;
    Ok(state.seat)
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
    let (seat, resv) = editable_seat(&txn, viewer, id).await?;
    let organisation = seat.organisation.clone();
    let removed = remove_seat(&txn, viewer, seat, version).await?;
    if removed.disciplines.len() < 2 {
        return Err(ApiError::invalid(
            "id",
            "the seat represents one discipline only",
        ));
    }
    let mut created = Vec::new();
    for d in &removed.disciplines {
        let fields = SeatFields {
            organisation: Some(format!(
                "{organisation} ({})",
                d.as_str().to_lowercase().replace('_', " ")
            )),
            mandate_status: Some(MandateStatus::Pending),
            ..Default::default()
        };
        created.push(insert_seat(&txn, viewer, &resv, &fields, &[*d]).await?.seat);
    }
    txn.commit().await.map_err(refusal)?;
    Ok(created)
}
