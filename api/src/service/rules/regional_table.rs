//! A party at a region's regional table (*regiotafel*).

use super::Rules;
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{self, Problems, Record, Writer};
use chrono::{DateTime, Utc};
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

#[async_trait::async_trait]
impl Record for party::Model {
    const KIND: Kind = Kind::RegionalTableParty;

    fn id(&self) -> i32 {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn stamp(&mut self, version: i32, at: DateTime<Utc>, imported_by: Option<String>) {
        record::stamp_row(
            &mut self.version,
            &mut self.updated_at,
            (&mut self.imported_at, &mut self.imported_by),
            (version, at, imported_by),
        );
    }

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

    async fn insert(&self, w: &Writer<'_>) -> ApiResult<Self> {
        record::insert_row::<Self, party::ActiveModel>(w, self.clone()).await
    }

    async fn save(&self, w: &Writer<'_>, before: &Self) -> ApiResult<()> {
        record::save_row::<Self, party::ActiveModel>(
            w,
            self.clone(),
            (party::Column::Id, before.id),
            (party::Column::Version, before.version),
        )
        .await
    }

    async fn remove(&self, w: &Writer<'_>) -> ApiResult<()> {
        record::remove_row::<party::Entity>(
            w,
            (party::Column::Id, self.id),
            (party::Column::Version, self.version),
        )
        .await
    }
}
