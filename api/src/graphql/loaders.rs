//! Per-request dataloaders, one per relation. Each batch is one `IN (...)` query on the viewer's
//! scope from `access.rs`, so nothing cached leaks across viewers and the number of statements of a
//! query does not grow with the number of parents.

use crate::access::{self, Viewer};
use crate::db::Reader;
use crate::error::ApiError;
use crate::service::batch;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::*;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::task::ArcWake;
use sea_orm::{EntityTrait, FromQueryResult, QueryOrder, Select};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Poll, Waker};

/// Loads rows by a unique column (the id, or a one-to-one foreign key).
pub struct ByKey<E: EntityTrait> {
    db: Reader,
    scope: Select<E>,
    column: E::Column,
}

/// Loads the children of parents by a foreign-key column, in the scope's order.
pub struct ByParent<E: EntityTrait> {
    db: Reader,
    scope: Select<E>,
    column: E::Column,
}

impl<E> Loader<i32> for ByKey<E>
where
    E: EntityTrait + Sync,
    E::Model: FromQueryResult + Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = E::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, E::Model>, ApiError> {
        batch::load_unique(&self.db, self.scope.clone(), self.column, keys).await
    }
}

impl<E> Loader<i32> for ByParent<E>
where
    E: EntityTrait + Sync,
    E::Model: FromQueryResult + Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Vec<E::Model>>, ApiError> {
        batch::load_grouped(&self.db, self.scope.clone(), self.column, keys).await
    }
}

/// Runs the batch loads of one request inside that request's own task.
///
/// async-graphql's `DataLoader` collects keys and hands a batch to a spawner after a delay. With
/// `tokio::spawn` and a time delay, a batch can start on another worker while the request is still
/// registering the keys of the same level, and one relation takes several queries (we saw 43
/// statements for a query that needs 8). Here the spawner queues batches for a driver that the
/// request polls only after the executor has polled every sibling field, so each level of a query
/// becomes exactly one statement per relation, without any added delay.
#[derive(Clone)]
pub struct Spawner(tokio::sync::mpsc::UnboundedSender<BoxFuture<'static, ()>>);

/// The receiving end of a [`Spawner`]: polls the queued batch loads.
pub struct BatchDriver(tokio::sync::mpsc::UnboundedReceiver<BoxFuture<'static, ()>>);

/// A spawner and the driver that runs what it is given.
pub fn batch_driver() -> (Spawner, BatchDriver) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    (Spawner(tx), BatchDriver(rx))
}

impl Spawner {
    fn spawn(&self, task: BoxFuture<'static, ()>) {
        // The driver lives as long as the request; a closed channel means nobody waits for the load.
        let _ = self.0.send(task);
    }
}

impl BatchDriver {
    /// Runs queued loads until every spawner is gone and every load is done.
    pub async fn run(mut self) {
        let mut running = FuturesUnordered::new();
        loop {
            tokio::select! {
                biased;
                task = self.0.recv() => match task {
                    Some(task) => running.push(task),
                    None => break,
                },
                Some(()) = running.next(), if !running.is_empty() => {}
            }
        }
        while running.next().await.is_some() {}
    }
}

/// Polls a query execution until it waits only for data, then the batch driver.
///
/// An executor may yield in the middle of a level of the query (a large list is polled in slices
/// that wake themselves again); starting the queued batches then would split a relation over
/// several statements. `Settled` keeps polling the execution while it wakes itself, and lets the
/// driver run only once the execution is blocked on loads, so each level's keys form one batch.
pub struct Settled<E: Future> {
    execution: Pin<Box<E>>,
    driver: Pin<Box<dyn Future<Output = ()> + Send>>,
    driver_done: bool,
}

impl<E: Future> Settled<E> {
    /// Runs `execution` with `driver` beside it.
    pub fn new(execution: E, driver: impl Future<Output = ()> + Send + 'static) -> Self {
        Settled {
            execution: Box::pin(execution),
            driver: Box::pin(driver),
            driver_done: false,
        }
    }
}

/// A waker that notes that it was woken, and passes the wake on.
struct NoteWake {
    woken: AtomicBool,
    inner: Waker,
}

impl ArcWake for NoteWake {
    fn wake_by_ref(this: &Arc<Self>) {
        this.woken.store(true, Ordering::SeqCst);
        this.inner.wake_by_ref();
    }
}

/// How often the execution may wake itself before the driver gets a turn anyway.
const MAX_SELF_WAKES: usize = 10_000;

impl<E: Future> Future for Settled<E> {
    type Output = E::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<E::Output> {
        for _ in 0..MAX_SELF_WAKES {
            let note = Arc::new(NoteWake {
                woken: AtomicBool::new(false),
                inner: cx.waker().clone(),
            });
            let waker = futures::task::waker(note.clone());
            if let Poll::Ready(output) = self
                .execution
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker))
            {
                return Poll::Ready(output);
            }
            if !note.woken.load(Ordering::SeqCst) {
                break;
            }
        }
        if !self.driver_done {
            self.driver_done = self.driver.as_mut().poll(cx).is_ready();
        }
        Poll::Pending
    }
}

/// Loads the audit entries of rows, keyed by (table, id).
pub struct History {
    db: Reader,
    viewer: Viewer,
}

impl Loader<(String, i32)> for History {
    type Value = Vec<audit_log::Model>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(String, i32)],
    ) -> Result<HashMap<(String, i32), Self::Value>, ApiError> {
        crate::service::history::of_rows(&self.db, &self.viewer, keys).await
    }
}

/// Largest batch per query: well below the bind-parameter limits of SQLite and PostgreSQL.
const MAX_BATCH: usize = 5_000;

fn loader<T>(loader: T, spawner: &Spawner) -> DataLoader<T> {
    let spawner = spawner.clone();
    DataLoader::new(loader, move |task| spawner.spawn(task))
        .delay(std::time::Duration::ZERO)
        .max_batch_size(MAX_BATCH)
}

fn by_key<E>(db: &Reader, scope: Select<E>, column: E::Column) -> ByKey<E>
where
    E: EntityTrait,
{
    ByKey {
        db: db.clone(),
        scope,
        column,
    }
}

fn by_parent<E>(db: &Reader, scope: Select<E>, column: E::Column, order: E::Column) -> ByParent<E>
where
    E: EntityTrait,
{
    ByParent {
        db: db.clone(),
        scope: scope.order_by_asc(order),
        column,
    }
}

/// Declares the dataloaders of a request: a field and an accessor each, the loader built on
/// first use (a request uses a few of them; building all of them cost a tenth of a simple query).
macro_rules! loaders {
    ($($name:ident: $loader:ty = |$db:ident, $viewer:ident| $make:expr;)*) => {
        /// The dataloaders of one request, each on the viewer's scope, built when first used.
        pub struct Loaders {
            db: Reader,
            viewer: Viewer,
            spawner: Spawner,
            $($name: OnceLock<DataLoader<$loader>>,)*
        }

        impl Loaders {
            /// Loaders for `viewer`; none is built yet.
            pub fn new(db: &Reader, viewer: &Viewer, spawner: &Spawner) -> Self {
                Loaders {
                    db: db.clone(),
                    viewer: viewer.clone(),
                    spawner: spawner.clone(),
                    $($name: OnceLock::new(),)*
                }
            }

            $(
                pub fn $name(&self) -> &DataLoader<$loader> {
                    self.$name.get_or_init(|| {
                        let ($db, $viewer) = (&self.db, &self.viewer);
                        loader($make, &self.spawner)
                    })
                }
            )*
        }
    };
}

loaders! {
    region: ByKey<region::Entity> = |db, v| by_key(db, access::regions(v), region::Column::Id);
    regions_by_care_office: ByParent<region::Entity> = |db, v| by_parent(
        db,
        access::regions(v),
        region::Column::CareOfficeRegionId,
        region::Column::Code,
    );
    regions_by_iza: ByParent<region::Entity> = |db, v| by_parent(
        db,
        access::regions(v),
        region::Column::IzaRegionId,
        region::Column::Code,
    );
    resv: ByKey<resv::Entity> = |db, v| by_key(db, access::resvs(v), resv::Column::Id);
    resv_by_region: ByKey<resv::Entity> =
        |db, v| by_key(db, access::resvs(v), resv::Column::RegionId);
    seat: ByKey<seat::Entity> = |db, v| by_key(db, access::seats(v), seat::Column::Id);
    seats_by_resv: ByParent<seat::Entity> =
        |db, v| by_parent(db, access::seats(v), seat::Column::ResvId, seat::Column::Id);
    seat_disciplines: ByParent<seat_discipline::Entity> = |db, v| by_parent(
        db,
        access::seat_disciplines(v),
        seat_discipline::Column::SeatId,
        seat_discipline::Column::DisciplineCode,
    );
    party: ByKey<regional_table_party::Entity> = |db, v| by_key(
        db,
        access::regional_table_parties(v),
        regional_table_party::Column::Id,
    );
    parties_by_region: ByParent<regional_table_party::Entity> = |db, v| by_parent(
        db,
        access::regional_table_parties(v),
        regional_table_party::Column::RegionId,
        regional_table_party::Column::Id,
    );
    subsidy: ByKey<subsidy::Entity> =
        |db, v| by_key(db, access::subsidies(v), subsidy::Column::Id);
    subsidies_by_region: ByParent<subsidy::Entity> = |db, v| by_parent(
        db,
        access::subsidies(v),
        subsidy::Column::RegionId,
        subsidy::Column::AppliedOn,
    );
    voucher: ByKey<voucher::Entity> =
        |db, v| by_key(db, access::vouchers(v), voucher::Column::Id);
    vouchers_by_region: ByParent<voucher::Entity> = |db, v| by_parent(
        db,
        access::vouchers(v),
        voucher::Column::RegionId,
        voucher::Column::DisciplineCode,
    );
    collaboration: ByKey<neighbourhood_collaboration::Entity> = |db, v| by_key(
        db,
        access::neighbourhood_collaborations(v),
        neighbourhood_collaboration::Column::Id,
    );
    collaborations_by_region: ByParent<neighbourhood_collaboration::Entity> = |db, v| by_parent(
        db,
        access::neighbourhood_collaborations(v),
        neighbourhood_collaboration::Column::RegionId,
        neighbourhood_collaboration::Column::Name,
    );
    collaboration_disciplines: ByParent<nc_discipline::Entity> = |db, v| by_parent(
        db,
        access::nc_disciplines(v),
        nc_discipline::Column::CollaborationId,
        nc_discipline::Column::DisciplineCode,
    );
    agreement: ByKey<agreement::Entity> =
        |db, v| by_key(db, access::agreements(v), agreement::Column::Id);
    agreements_by_resv: ByParent<agreement::Entity> = |db, v| by_parent(
        db,
        access::agreements(v),
        agreement::Column::ResvId,
        agreement::Column::Id,
    );
    agreement_disciplines: ByParent<agreement_discipline::Entity> = |db, v| by_parent(
        db,
        access::agreement_disciplines(v),
        agreement_discipline::Column::AgreementId,
        agreement_discipline::Column::DisciplineCode,
    );
    material: ByKey<learning_material::Entity> = |db, v| by_key(
        db,
        access::learning_materials(v),
        learning_material::Column::Id,
    );
    material_themes: ByParent<material_theme::Entity> = |db, v| by_parent(
        db,
        access::material_themes(v),
        material_theme::Column::MaterialId,
        material_theme::Column::Theme,
    );
    material_regions: ByParent<material_region::Entity> = |db, v| by_parent(
        db,
        access::material_regions(v),
        material_region::Column::MaterialId,
        material_region::Column::RegionId,
    );
    materials_of_region: ByParent<material_region::Entity> = |db, v| by_parent(
        db,
        access::material_regions(v),
        material_region::Column::RegionId,
        material_region::Column::MaterialId,
    );
    history: History = |db, v| History {
        db: db.clone(),
        viewer: v.clone(),
    };
    lineage_from: ByParent<region_lineage::Entity> = |db, v| by_parent(
        db,
        access::region_lineage(v),
        region_lineage::Column::PredecessorId,
        region_lineage::Column::Id,
    );
    lineage_to: ByParent<region_lineage::Entity> = |db, v| by_parent(
        db,
        access::region_lineage(v),
        region_lineage::Column::SuccessorId,
        region_lineage::Column::Id,
    );
}
