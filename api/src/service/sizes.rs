//! The largest list of each public relation the registry holds now (the most seats any RESV has,
//! the most regions in any care-office region, …): what the query cost estimate counts a plain
//! list as. Only public rows are counted, as an anonymous reader sees them, so the sizes tell
//! nobody anything the public part does not.

use crate::access::{self, Viewer};
use crate::error::ApiResult;
use entity::{
    agreement, agreement_discipline, nc_discipline, neighbourhood_collaboration, region,
    region_lineage, regional_table_party, seat, seat_discipline,
};
use sea_orm::sea_query::{Expr, IntoColumnRef};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};
use std::collections::HashMap;

/// A public relation whose lists the estimate counts by their largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Largest {
    SeatsPerResv,
    AgreementsPerResv,
    PartiesPerRegion,
    CollaborationsPerRegion,
    DisciplinesPerSeat,
    DisciplinesPerCollaboration,
    DisciplinesPerAgreement,
    RegionsPerCareOfficeRegion,
    RegionsPerIzaRegion,
    /// Every region: lists with a row per region.
    Regions,
    /// The most successors or predecessors of one region.
    LineagePerRegion,
}

/// The largest list of each relation.
#[derive(Debug, Clone, Default)]
pub struct Sizes(HashMap<Largest, usize>);

impl Sizes {
    /// The largest list of `relation` (at least one, so a nested selection is never free).
    pub fn of(&self, relation: Largest) -> usize {
        self.0.get(&relation).copied().unwrap_or(0).max(1)
    }
}

/// The most rows of `select` that share a value of `group`.
async fn most<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    group: impl IntoColumnRef,
) -> ApiResult<usize> {
    let counts: Vec<i64> = select
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(Expr::col(group))
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .max()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)))
}

/// The largest lists now, as an anonymous reader sees them.
pub async fn largest(db: &impl ConnectionTrait) -> ApiResult<Sizes> {
    let public = Viewer::Anonymous;
    let mut sizes = HashMap::new();
    let mut put = |relation, size| {
        sizes.insert(relation, size);
    };
    put(
        Largest::SeatsPerResv,
        most(db, access::seats(&public), seat::Column::ResvId).await?,
    );
    put(
        Largest::AgreementsPerResv,
        most(db, access::agreements(&public), agreement::Column::ResvId).await?,
    );
    put(
        Largest::PartiesPerRegion,
        most(
            db,
            access::regional_table_parties(&public),
            regional_table_party::Column::RegionId,
        )
        .await?,
    );
    put(
        Largest::CollaborationsPerRegion,
        most(
            db,
            access::neighbourhood_collaborations(&public),
            neighbourhood_collaboration::Column::RegionId,
        )
        .await?,
    );
    put(
        Largest::DisciplinesPerSeat,
        most(
            db,
            access::seat_disciplines(&public),
            seat_discipline::Column::SeatId,
        )
        .await?,
    );
    put(
        Largest::DisciplinesPerCollaboration,
        most(
            db,
            access::nc_disciplines(&public),
            nc_discipline::Column::CollaborationId,
        )
        .await?,
    );
    put(
        Largest::DisciplinesPerAgreement,
        most(
            db,
            access::agreement_disciplines(&public),
            agreement_discipline::Column::AgreementId,
        )
        .await?,
    );
    put(
        Largest::RegionsPerCareOfficeRegion,
        most(
            db,
            access::regions(&public),
            region::Column::CareOfficeRegionId,
        )
        .await?,
    );
    put(
        Largest::RegionsPerIzaRegion,
        most(db, access::regions(&public), region::Column::IzaRegionId).await?,
    );
    let regions = access::regions(&public).count(db).await?;
    put(
        Largest::Regions,
        usize::try_from(regions).unwrap_or(usize::MAX),
    );
    let successors = most(
        db,
        access::region_lineage(&public),
        region_lineage::Column::PredecessorId,
    )
    .await?;
    let predecessors = most(
        db,
        access::region_lineage(&public),
        region_lineage::Column::SuccessorId,
    )
    .await?;
    // A region's changes are its links both ways.
    put(Largest::LineagePerRegion, successors + predecessors);
    Ok(Sizes(sizes))
}
