//! A seat at an RESV table (*zetel*), with the disciplines it represents: one, or several
//! paramedical ones (a multidisciplinary paramedical network).

use super::Rules;
use crate::access;
use crate::error::{ApiError, ApiResult};
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{DisciplineCode, MandateStatus, SourceKind, resv, seat, seat_discipline};
use sea_orm::{ColumnTrait, QueryFilter};

/// A seat with its disciplines, as the pipeline writes it and the audit trail records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Seat {
    #[serde(flatten)]
    pub row: seat::Model,
    pub disciplines: Vec<DisciplineCode>,
}

impl Seat {
    /// A new seat of `organisation` at the table of RESV `resv_id`, its mandate pending, reported
    /// by the region, before the rules.
    pub fn new(resv_id: i32, organisation: String, source_reference: Option<String>) -> Self {
        let at = crate::service::write::now();
        Seat {
            row: seat::Model {
                id: 0,
                resv_id,
                organisation,
                mandate_status: MandateStatus::Pending,
                since: None,
                delegate_name: None,
                delegate_email: None,
                source: SourceKind::RegionalReport,
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
        let (seat_id, resv_id) = (self.row.id, self.row.resv_id);
        super::replace::<seat_discipline::ActiveModel, _>(
            w,
            (seat_discipline::Column::SeatId, seat_id),
            &self.disciplines,
            |discipline_code| seat_discipline::Model {
                seat_id,
                discipline_code,
                resv_id,
            },
        )
        .await
    }
}

super::linked_record!(Seat, seat, Kind::Seat, {
    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
        let Some(row) = access::seats(w.viewer)
            .filter(seat::Column::Id.eq(id))
            .one(w.txn)
            .await?
        else {
            return Ok(None);
        };
        let disciplines = super::links_of(
            w,
            access::seat_disciplines(w.viewer),
            (seat_discipline::Column::SeatId, id),
            seat_discipline::Column::DisciplineCode,
            |d| d.discipline_code,
        )
        .await?;
        Ok(Some(Seat { row, disciplines }))
    }

    async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
        let resv = access::resvs(w.viewer)
            .filter(resv::Column::Id.eq(self.row.resv_id))
            .one(w.txn)
            .await?
            .ok_or(ApiError::NotFound("RESV"))?;
        super::region_code(w, resv.region_id).await.map(Some)
    }

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        let row = &mut self.row;
        rules.text("organisation", &mut row.organisation, 200);
        rules.optional_text("delegate_name", &mut row.delegate_name, 200);
        rules.email("delegate_email", &mut row.delegate_email);
        rules.disciplines("disciplines", &mut self.disciplines);
        if self.disciplines.is_empty() {
            rules.bad("disciplines", "a seat represents at least one discipline");
        }
        if self.disciplines.len() > 1 && !self.disciplines.iter().all(|d| d.is_paramedical()) {
            rules.bad(
                "disciplines",
                "only paramedical disciplines share a seat (a multidisciplinary paramedical network)",
            );
        }
        rules.done()
    }

    async fn check_stored(&self, w: &Writer<'_>, _before: Option<&Self>) -> ApiResult<Problems> {
        let mut rules = Rules::default();
        // A discipline sits in at most one seat of an RESV: reshaping is mergeSeats and splitSeat.
        let taken = access::seat_disciplines(w.viewer)
            .filter(seat_discipline::Column::ResvId.eq(self.row.resv_id))
            .filter(seat_discipline::Column::DisciplineCode.is_in(self.disciplines.iter().copied()))
            .filter(seat_discipline::Column::SeatId.ne(self.row.id))
            .one(w.txn)
            .await?;
        if let Some(clash) = taken {
            let other = access::seats(w.viewer)
                .filter(seat::Column::Id.eq(clash.seat_id))
                .one(w.txn)
                .await?
                .map_or_else(
                    || "another seat".to_owned(),
                    |s| format!("seat `{}`", s.organisation),
                );
            rules.bad(
                "disciplines",
                format!(
                    "{} already sits in {other} of this RESV; reshape seats with mergeSeats or splitSeat",
                    clash.discipline_code.as_str()
                ),
            );
        }
        Ok(rules.done())
    }
});
