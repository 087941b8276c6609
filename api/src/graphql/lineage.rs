//! Region lineage in the API: the changes a region went through, and the admins' mutations that
//! merge, split and rename regions.

use super::context::request;
use super::mutation::{UserError, decode_id, outcome};
use super::region::Region;
use super::scalars::Date;
use crate::service::lineage::{self, Carry, Change, Merge, Rename, Resolution, Split, SplitPart};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::region_lineage;
use std::sync::Arc;

/// How a region changed.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionChangeKind {
    /// Regions merged into one (*samenvoeging*).
    Merge,
    /// A region split into several (*splitsing*).
    Split,
    /// A region got a new code or name (*naamswijziging*).
    Rename,
}

impl From<entity::LineageKind> for RegionChangeKind {
    fn from(kind: entity::LineageKind) -> Self {
        match kind {
            entity::LineageKind::Merge => RegionChangeKind::Merge,
            entity::LineageKind::Split => RegionChangeKind::Split,
            entity::LineageKind::Rename => RegionChangeKind::Rename,
        }
    }
}

/// One link of a region's lineage: from a predecessor to a successor (a rename links a region to
/// itself).
#[derive(Clone)]
pub struct RegionChange(pub region_lineage::Model);

#[Object]
impl RegionChange {
    /// Merge, split or rename.
    async fn kind(&self) -> RegionChangeKind {
        self.0.kind.into()
    }
    /// The region before the change (for a rename: the region itself).
    async fn predecessor(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        let loaded = request(ctx)?
            .loaders
            .region()
            .load_one(self.0.predecessor_id)
            .await?;
        Ok(loaded.map(Region::from))
    }
    /// The region after the change.
    async fn successor(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        let loaded = request(ctx)?
            .loaders
            .region()
            .load_one(self.0.successor_id)
            .await?;
        Ok(loaded.map(Region::from))
    }
    /// The predecessor's code when the change took effect.
    async fn former_code(&self) -> &str {
        &self.0.former_code
    }
    /// The predecessor's name when the change took effect.
    async fn former_name(&self) -> &str {
        &self.0.former_name
    }
    /// The day the change took effect (*ingangsdatum*).
    async fn effective_on(&self) -> Date {
        Date(self.0.effective_on)
    }
    /// Why, or on whose decision.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When the change was recorded in the registry; coverage figures count it from then.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// How `region(code:)` reached a region from a former code.
#[derive(Clone)]
pub struct RegionResolution(pub Arc<Resolution>);

#[Object]
impl RegionResolution {
    /// The code that was asked for.
    async fn requested_code(&self) -> &str {
        &self.0.requested_code
    }
    /// The merges and renames followed, in order.
    async fn changes(&self) -> Vec<RegionChange> {
        self.0.changes.iter().cloned().map(RegionChange).collect()
    }
}

/// The lineage links of region `id`, oldest first.
pub async fn changes_of(ctx: &Context<'_>, id: i32) -> Result<Vec<region_lineage::Model>> {
    let loaders = &request(ctx)?.loaders;
    let mut links = loaders
        .lineage_from()
        .load_one(id)
        .await?
        .unwrap_or_default();
    for link in loaders.lineage_to().load_one(id).await?.unwrap_or_default() {
        if !links.iter().any(|l| l.id == link.id) {
            links.push(link);
        }
    }
    links.sort_by_key(|l| (l.effective_on, l.id));
    Ok(links)
}

/// Records that move to the successor of a merge.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarryOver {
    /// The RESV (of `resvFrom`), with its seats, criteria and agreements.
    Resv,
    /// The regional table (*regiotafel*) of the region whose RESV moves.
    RegionalTable,
    /// The neighbourhood collaborations (*wijkverbanden*).
    NeighbourhoodCollaborations,
    /// ZonMw subsidies; by default they stay with the region they were granted to.
    Subsidies,
    /// ZonMw vouchers; at most one per discipline can move to the successor.
    Vouchers,
    /// The links of LeVEL materials to the regions.
    Materials,
}

impl From<CarryOver> for Carry {
    fn from(c: CarryOver) -> Self {
        match c {
            CarryOver::Resv => Carry::Resv,
            CarryOver::RegionalTable => Carry::RegionalTable,
            CarryOver::NeighbourhoodCollaborations => Carry::NeighbourhoodCollaborations,
            CarryOver::Subsidies => Carry::Subsidies,
            CarryOver::Vouchers => Carry::Vouchers,
            CarryOver::Materials => Carry::Materials,
        }
    }
}

fn default_carry() -> Vec<CarryOver> {
    vec![
        CarryOver::Resv,
        CarryOver::RegionalTable,
        CarryOver::NeighbourhoodCollaborations,
        CarryOver::Materials,
    ]
}

/// Input of `mergeRegions` (admins).
#[derive(Debug, InputObject)]
pub struct MergeRegionsInput {
    /// The regions that merge (at least two, in one care-office region).
    pub region_codes: Vec<String>,
    /// The merged region's code: one of `regionCodes` (that region continues and absorbs the
    /// others) or a new code (a new region is made).
    pub successor_code: String,
    /// The merged region's name; required for a new region, renames a continuing one.
    pub successor_name: Option<String>,
    /// The day the merge took effect (not in the future).
    pub effective_on: Date,
    /// The region whose RESV carries over; needed when several merging regions have one. The
    /// other RESVs stay with their retired regions.
    pub resv_from: Option<String>,
    /// What moves to the successor; the rest stays with the retired regions.
    #[graphql(default_with = "default_carry()")]
    pub carry_over: Vec<CarryOver>,
    /// Why, or on whose decision.
    pub note: Option<String>,
}

/// One region a split makes.
#[derive(Debug, InputObject)]
pub struct SplitSuccessorInput {
    pub code: String,
    pub name: String,
    pub population_approx: Option<i64>,
    /// The neighbourhood collaborations that go to this region; together the successors must
    /// take every collaboration of the split region.
    #[graphql(default)]
    pub neighbourhood_collaboration_ids: Vec<ID>,
}

/// Input of `splitRegion` (admins).
#[derive(Debug, InputObject)]
pub struct SplitRegionInput {
    /// The region that splits.
    pub region_code: String,
    /// The new regions (at least two), in the split region's care-office region.
    pub successors: Vec<SplitSuccessorInput>,
    /// The day the split took effect (not in the future).
    pub effective_on: Date,
    /// The new region that takes over the RESV and the regional table; without it they stay
    /// with the retired region.
    pub resv_to: Option<String>,
    pub note: Option<String>,
}

/// Input of `renameRegion` (admins): a new code, a new name or both.
#[derive(Debug, InputObject)]
pub struct RenameRegionInput {
    pub id: ID,
    pub version: i32,
    pub code: Option<String>,
    pub name: Option<String>,
    /// The day the new code or name took effect (not in the future).
    pub effective_on: Date,
    pub note: Option<String>,
}

/// The result of a merge, split or rename.
#[derive(SimpleObject)]
pub struct RegionChangePayload {
    /// The regions after the change (the successors); empty when the change was refused.
    pub regions: Vec<Region>,
    /// The regions the change retired.
    pub retired: Vec<Region>,
    /// The lineage links recorded.
    pub changes: Vec<RegionChange>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

impl RegionChangePayload {
    fn of(result: crate::error::ApiResult<Change>) -> Result<Self> {
        let (change, user_errors) = outcome(result)?;
        let change = change.unwrap_or(Change {
            successors: Vec::new(),
            retired: Vec::new(),
            links: Vec::new(),
        });
        Ok(RegionChangePayload {
            regions: change.successors.into_iter().map(Region::from).collect(),
            retired: change.retired.into_iter().map(Region::from).collect(),
            changes: change.links.into_iter().map(RegionChange).collect(),
            user_errors,
        })
    }
}

/// Merging, splitting and renaming regions (admins).
#[derive(Default)]
pub struct LineageMutation;

#[Object]
impl LineageMutation {
    /// Merges regions into one (*samenvoegen*): the others are retired, their codes resolve to
    /// the successor, and the records named by `carryOver` move to it.
    async fn merge_regions(
        &self,
        ctx: &Context<'_>,
        input: MergeRegionsInput,
    ) -> Result<RegionChangePayload> {
        let rc = request(ctx)?;
        let merge = Merge {
            codes: input.region_codes,
            successor_code: input.successor_code,
            successor_name: input.successor_name,
            effective_on: input.effective_on.0,
            resv_from: input.resv_from,
            carry: input.carry_over.into_iter().map(Into::into).collect(),
            note: input.note,
        };
        RegionChangePayload::of(lineage::merge(&rc.pool, &rc.viewer, merge).await)
    }

    /// Splits a region into new ones (*splitsen*): it is retired and lists its successors.
    async fn split_region(
        &self,
        ctx: &Context<'_>,
        input: SplitRegionInput,
    ) -> Result<RegionChangePayload> {
        let rc = request(ctx)?;
        let result = async {
            let mut parts = Vec::new();
            for part in input.successors {
                let collaborations = part
                    .neighbourhood_collaboration_ids
                    .iter()
                    .map(|id| {
                        decode_id(
                            "successors.neighbourhoodCollaborationIds",
                            "NeighbourhoodCollaboration",
                            id,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                parts.push(SplitPart {
                    code: part.code,
                    name: part.name,
                    population_approx: part.population_approx,
                    collaborations,
                });
            }
            let split = Split {
                code: input.region_code,
                parts,
                effective_on: input.effective_on.0,
                resv_to: input.resv_to,
                note: input.note,
            };
            lineage::split(&rc.pool, &rc.viewer, split).await
        };
        RegionChangePayload::of(result.await)
    }

    /// Gives a region a new code or name; the former code keeps resolving to it.
    async fn rename_region(
        &self,
        ctx: &Context<'_>,
        input: RenameRegionInput,
    ) -> Result<RegionChangePayload> {
        let rc = request(ctx)?;
        let result = async {
            let rename = Rename {
                id: decode_id("id", "Region", &input.id)?,
                version: input.version,
                code: input.code,
                name: input.name,
                effective_on: input.effective_on.0,
                note: input.note,
            };
            lineage::rename(&rc.pool, &rc.viewer, rename).await
        };
        RegionChangePayload::of(result.await)
    }
}
