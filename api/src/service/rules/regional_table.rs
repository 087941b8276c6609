//! A party at a region's regional table (*regiotafel*).

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{TablePartyKind, regional_table_party as party};
use sea_orm::{ColumnTrait, QueryFilter};

/// A new party at the table of region `region_id`, as reported by the region, before the rules.
pub fn new_party(
    region_id: i32,
    kind: TablePartyKind,
    organisation: String,
    source_reference: Option<String>,
) -> party::Model {
    let now = crate::service::write::now();
    entity::new_record!(
        now,
        party::Model {
            id: 0,
            region_id,
            kind,
            organisation,
            source: entity::SourceKind::RegionalReport,
            source_reference,
        }
    )
}

super::single_row_record!(party, Kind::RegionalTableParty, {
    scope: access::regional_table_parties,
    keepers: |row| Keepers::Region(row.region_id),

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.text("organisation", &mut self.organisation, 200);
        rules.done()
    }

    async fn check_stored(&self, w: &Writer<'_>, _before: Option<&Self>) -> ApiResult<Problems> {
        let mut rules = Rules::default();
        if self.kind == TablePartyKind::Resv {
            let other_resv_seat = access::regional_table_parties(w.viewer)
                .filter(party::Column::RegionId.eq(self.region_id))
                .filter(party::Column::Kind.eq(TablePartyKind::Resv))
                .filter(party::Column::Id.ne(self.id))
                .one(w.txn)
                .await?;
            if other_resv_seat.is_some() {
                rules.bad(
                    "kind",
                    "the RESV has one seat at the regional table already",
                );
            }
        }
        Ok(rules.done())
    }
});
