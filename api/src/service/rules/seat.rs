//! A seat at an RESV table (*zetel*), with the disciplines it represents: one, or several
//! paramedical ones (a multidisciplinary paramedical network).

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{DisciplineCode, MandateStatus, SourceKind, seat, seat_discipline};
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
        let now = crate::service::write::now();
        let row = entity::new_record!(
            now,
            seat::Model {
                id: 0,
                resv_id,
                organisation,
                mandate_status: MandateStatus::Pending,
                since: None,
                delegate_name: None,
                delegate_email: None,
                source: SourceKind::RegionalReport,
                source_reference,
            }
        );
        Seat {
            row,
            disciplines: Vec::new(),
        }
    }
}

super::linked_record!(Seat, seat, Kind::Seat, {
    scope: access::seats,
    keepers: |row| Keepers::Resv(row.resv_id, "RESV"),
    links: {
        disciplines: seat_discipline(
            seat_id: SeatId, discipline_code: DisciplineCode, resv_id
        ) in access::seat_disciplines,
    },

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
