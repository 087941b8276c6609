//! A party at a region's regional table (*regiotafel*).

use super::Rules;
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
    let at = crate::service::write::now();
    party::Model {
        id: 0,
        region_id,
        kind,
        organisation,
        source: entity::SourceKind::RegionalReport,
        source_reference,
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

super::single_row_record!(party, Kind::RegionalTableParty, {
    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
        Ok(access::regional_table_parties(w.viewer)
            .filter(party::Column::Id.eq(id))
            .one(w.txn)
            .await?)
    }

    async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
        super::region_code(w, self.region_id).await.map(Some)
    }

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
