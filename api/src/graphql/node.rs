//! The Relay `Node` interface: opaque global ids and `node(id)` / `nodes(ids)`.

use super::context::request;
use super::funding::{Subsidy, Voucher};
use super::learning::LearningMaterial;
use super::neighbourhood::NeighbourhoodCollaboration;
use super::reference::{CareOfficeRegion, Discipline, IzaRegion};
use super::region::Region;
use super::resv::{Agreement, RegionalTableParty, Resv, Seat};
use crate::error::ApiError;
use crate::service::kinds::Kind;
use async_graphql::{Context, ID, Interface, Object, Result};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};

/// The most ids `nodes(ids:)` takes at once.
pub const MAX_IDS: usize = 100;

/// An object with a global id that `node(id:)` can fetch again.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Opaque global id, stable across requests."
))]
pub enum Node {
    CareOfficeRegion(CareOfficeRegion),
    IzaRegion(IzaRegion),
    Region(Region),
    Resv(Resv),
    Seat(Seat),
    Discipline(Discipline),
    RegionalTableParty(RegionalTableParty),
    Subsidy(Subsidy),
    Voucher(Voucher),
    NeighbourhoodCollaboration(NeighbourhoodCollaboration),
    Agreement(Agreement),
    LearningMaterial(LearningMaterial),
}

/// The global id of the `kind` object with key `key`.
pub fn global_id(kind: &str, key: impl std::fmt::Display) -> ID {
    ID(B64.encode(format!("{kind}:{key}")))
}

/// The global id of the record of `kind` with database id `id`: its GraphQL type, from the
/// registry of kinds, is the id's prefix.
pub fn record_id(kind: Kind, id: i32) -> ID {
    global_id(kind.info().graphql_type, id)
}

/// Splits a global id into its type name and key; `None` for anything this API did not make.
pub fn parse_global_id(id: &str) -> Option<(String, String)> {
    let text = String::from_utf8(B64.decode(id).ok()?).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((kind.to_owned(), key.to_owned()))
}

/// Fetches the object behind a global id, or `None` if it does not exist or is hidden.
async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let Some((kind, key)) = parse_global_id(id) else {
        return Ok(None);
    };
    let rc = request(ctx)?;
    let loaders = &rc.loaders;
    if kind == "Discipline" {
        let Some(code) = entity::DisciplineCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == key)
        else {
            return Ok(None);
        };
        let table = rc.disciplines().await?;
        return Ok(table
            .get(&code)
            .cloned()
            .map(|d| Node::Discipline(Discipline(d))));
    }
    let Ok(key) = key.parse::<i32>() else {
        return Ok(None);
    };
    Ok(match kind.as_str() {
        "CareOfficeRegion" => rc
            .care_office_regions()
            .await?
            .get(&key)
            .cloned()
            .map(|m| Node::CareOfficeRegion(CareOfficeRegion(m))),
        "IzaRegion" => rc
            .iza_regions()
            .await?
            .get(&key)
            .cloned()
            .map(|m| Node::IzaRegion(IzaRegion(m))),
        other => match Kind::from_graphql_type(other) {
            Some(kind) => record(loaders, kind, key).await?,
            None => None,
        },
    })
}

/// The record of `kind` with database id `key`, as the viewer may see it.
async fn record(loaders: &super::loaders::Loaders, kind: Kind, key: i32) -> Result<Option<Node>> {
    Ok(match kind {
        Kind::Region => loaders
            .region()
            .load_one(key)
            .await?
            .map(|m| Node::Region(Region::from(m))),
        Kind::Resv => loaders
            .resv()
            .load_one(key)
            .await?
            .map(|m| Node::Resv(Resv(m))),
        Kind::Seat => loaders
            .seat()
            .load_one(key)
            .await?
            .map(|m| Node::Seat(Seat(m))),
        Kind::RegionalTableParty => loaders
            .party()
            .load_one(key)
            .await?
            .map(|m| Node::RegionalTableParty(RegionalTableParty(m))),
        Kind::Subsidy => loaders
            .subsidy()
            .load_one(key)
            .await?
            .map(|m| Node::Subsidy(Subsidy(m))),
        Kind::Voucher => loaders
            .voucher()
            .load_one(key)
            .await?
            .map(|m| Node::Voucher(Voucher(m))),
        Kind::NeighbourhoodCollaboration => loaders
            .collaboration()
            .load_one(key)
            .await?
            .map(|m| Node::NeighbourhoodCollaboration(NeighbourhoodCollaboration(m))),
        Kind::Agreement => loaders
            .agreement()
            .load_one(key)
            .await?
            .map(|m| Node::Agreement(Agreement(m))),
        Kind::LearningMaterial => loaders
            .material()
            .load_one(key)
            .await?
            .map(|m| Node::LearningMaterial(LearningMaterial(m))),
    })
}

/// Root fields of the Node interface.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global id; null if it does not exist or is not visible to you.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        resolve(ctx, &id).await
    }

    /// Fetches up to 100 objects by their global ids, in the order given; null for each id that does
    /// not exist or is not visible to you. Objects of one type are fetched in one batch.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_IDS {
            return Err(ApiError::invalid("ids", format!("at most {MAX_IDS} ids at once")).into());
        }
        futures::future::join_all(ids.iter().map(|id| resolve(ctx, id)))
            .await
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_stay_opaque() {
        let id = global_id("Region", 12);
        assert!(!id.contains("Region"));
        assert_eq!(
            parse_global_id(&id),
            Some(("Region".to_owned(), "12".to_owned()))
        );
        assert_eq!(parse_global_id("not base64 !"), None);
        assert_eq!(parse_global_id(&B64.encode("no separator")), None);
    }
}
