//! `seed`: loads the reference data and generates the demonstration data. Idempotent: reference
//! rows are upserted by their codes, and demonstration data is generated only into a registry that
//! has no RESVs, subsidies, vouchers, materials or neighbourhood collaborations yet; it comes with
//! a backdated history ([`history`]).
#![expect(
    clippy::disallowed_methods,
    reason = "the seed loads data as the system, outside any viewer's scope"
)]

pub mod demo;
pub mod history;
pub mod reference;

use chrono::Utc;
use entity::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QuerySelect, Set,
};
use std::collections::HashMap;

/// Rows per INSERT statement: well under the bind-parameter limits of SQLite and PostgreSQL.
const CHUNK: usize = 200;

/// What a seed run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub regions: usize,
    pub demonstration_generated: bool,
}

/// Loads the reference data and, into an empty registry, the demonstration data at `scale`
/// (54 × `scale` regions), in one transaction.
pub async fn run(db: &DatabaseConnection, scale: u32) -> anyhow::Result<SeedReport> {
    // The seed writes as an admin would, so the PostgreSQL policies let it in.
    let txn =
        crate::db::begin_with_claims(db, &crate::access::Claims::of(crate::access::Role::Admin))
            .await?;
    let region_rows = upsert_reference(&txn, scale).await?;
    let empty = resv::Entity::find().count(&txn).await? == 0
        && subsidy::Entity::find().count(&txn).await? == 0
        && voucher::Entity::find().count(&txn).await? == 0
        && learning_material::Entity::find().count(&txn).await? == 0
        && neighbourhood_collaboration::Entity::find()
            .count(&txn)
            .await?
            == 0;
    if empty {
        let data = demo::generate(&region_rows, reference::regions()?.len());
        let history = history::of(&region::Entity::find().all(&txn).await?, &data);
        insert_demo(&txn, data).await?;
        history.store(&txn).await?;
        reset_sequences(&txn).await?;
    }
    txn.commit().await?;
    Ok(SeedReport {
        regions: region_rows.len(),
        demonstration_generated: empty,
    })
}

/// Seeds the registry if it has no regions yet (what `serve` does on a fresh database).
pub async fn run_if_empty(db: &DatabaseConnection) -> anyhow::Result<Option<SeedReport>> {
    if region::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    Ok(Some(run(db, 1).await?))
}

/// Inserts `models` in chunks, every column set.
async fn insert_all<C, M, A>(db: &C, models: Vec<M>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut rows: Vec<A> = models
        .into_iter()
        .map(|m| m.into_active_model().reset_all())
        .collect();
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        A::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Upserts `models` by `key`, updating `columns` of existing rows.
async fn upsert_all<C, A>(
    db: &C,
    rows: Vec<A>,
    key: <A::Entity as EntityTrait>::Column,
    columns: Vec<<A::Entity as EntityTrait>::Column>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    for chunk in rows.chunks(CHUNK) {
        A::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(key)
                    .update_columns(columns.clone())
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn ids_by_code<C, E>(
    db: &C,
    code: E::Column,
    id: E::Column,
) -> Result<HashMap<String, i32>, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    Ok(E::find()
        .select_only()
        .column(code)
        .column(id)
        .into_tuple::<(String, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Loads the reference data into the registry (what `api migrate` does after the schema): the
/// disciplines, care-office regions and IZA regions, with their provenance, upserted by code.
pub async fn reference_data(db: &DatabaseConnection) -> anyhow::Result<()> {
    let admin = crate::access::Claims::of(crate::access::Role::Admin);
    let txn = crate::db::begin_with_claims(db, &admin).await?;
    upsert_reference_data(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Upserts disciplines, care-office regions and IZA regions.
async fn upsert_reference_data<C: ConnectionTrait>(db: &C) -> anyhow::Result<()> {
    let disciplines = reference::DISCIPLINES
        .iter()
        .zip(0..)
        .map(|(&(code, en, nl), order)| discipline::ActiveModel {
            code: Set(code),
            name_en: Set(en.to_owned()),
            name_nl: Set(nl.to_owned()),
            paramedical: Set(code.is_paramedical()),
            minimum_composition: Set(DisciplineCode::MINIMUM_COMPOSITION.contains(&code)),
            sort_order: Set(order),
        })
        .collect();
    use discipline::Column as D;
    upsert_all(
        db,
        disciplines,
        D::Code,
        vec![
            D::NameEn,
            D::NameNl,
            D::Paramedical,
            D::MinimumComposition,
            D::SortOrder,
        ],
    )
    .await?;

    let offices = reference::care_office_regions()?
        .into_iter()
        .map(|row| care_office_region::ActiveModel {
            code: Set(row.code),
            name: Set(row.name),
            insurer: Set(row.care_office_insurer),
            population_approx: Set(row.population_approx),
            notes: Set(row.notes.filter(|n| !n.is_empty())),
            source: Set(SourceKind::OfficialList),
            source_reference: Set(Some(row.source)),
            ..Default::default()
        })
        .collect();
    use care_office_region::Column as O;
    upsert_all(
        db,
        offices,
        O::Code,
        vec![
            O::Name,
            O::Insurer,
            O::PopulationApprox,
            O::Notes,
            O::Source,
            O::SourceReference,
        ],
    )
    .await?;
    let office_ids = ids_by_code::<_, care_office_region::Entity>(db, O::Code, O::Id).await?;
    let office = |code: &str| {
        office_ids
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("unknown care-office region {code}"))
    };

    let mut izas = Vec::new();
    for row in reference::iza_regions()? {
        izas.push(iza_region::ActiveModel {
            care_office_region_id: Set(office(&row.care_office_region_code)?),
            code: Set(row.code),
            name: Set(row.name),
            mandate_municipality: Set(row.mandate_municipality),
            spuk_2025_cents: Set(row.spuk_iza_2025_eur.map(|e| e * 100)),
            spuk_2026_cents: Set(row.spuk_iza_2026_eur.map(|e| e * 100)),
            population_approx: Set(row.population_approx),
            notes: Set(row.note),
            source: Set(SourceKind::OfficialList),
            source_reference: Set(Some(row.source)),
            ..Default::default()
        });
    }
    use iza_region::Column as I;
    upsert_all(
        db,
        izas,
        I::Code,
        vec![
            I::CareOfficeRegionId,
            I::Name,
            I::MandateMunicipality,
            I::Spuk2025Cents,
            I::Spuk2026Cents,
            I::PopulationApprox,
            I::Notes,
            I::Source,
            I::SourceReference,
        ],
    )
    .await?;
    Ok(())
}

/// Upserts the reference data and the regions; returns the regions with ids.
async fn upsert_reference<C: ConnectionTrait>(
    db: &C,
    scale: u32,
) -> anyhow::Result<Vec<demo::DemoRegion>> {
    upsert_reference_data(db).await?;
    use care_office_region::Column as O;
    use iza_region::Column as I;
    let office_ids = ids_by_code::<_, care_office_region::Entity>(db, O::Code, O::Id).await?;
    let office = |code: &str| {
        office_ids
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("unknown care-office region {code}"))
    };
    let iza_ids = ids_by_code::<_, iza_region::Entity>(db, I::Code, I::Id).await?;

    let now = Utc::now();
    let base = reference::regions()?;
    let mut regions = Vec::new();
    for replica in 0..scale {
        for row in &base {
            let (code, name, reference) = if replica == 0 {
                (row.code.clone(), row.name.clone(), row.provenance.clone())
            } else {
                (
                    format!("{}-S{:03}", row.code, replica + 1),
                    format!("{} (synthetic {})", row.name, replica + 1),
                    format!("synthetic copy of {} for scale tests", row.code),
                )
            };
            regions.push(region::ActiveModel {
                code: Set(code),
                name: Set(name),
                population_approx: Set(Some(row.population_approx)),
                preferred_insurer: Set(Some(row.preferred_insurer.clone())),
                mandate_municipality: Set(Some(row.mandate_municipality.clone())),
                care_office_region_id: Set(office(&row.care_office_region_code)?),
                iza_region_id: Set(iza_ids.get(&row.iza_region_code).copied()),
                confidence: Set(row.confidence()),
                notes: Set(row.notes.clone()),
                // The 54 regions are a demonstration subdivision, not the official list.
                source: Set(SourceKind::Demonstration),
                source_reference: Set(Some(reference)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    use region::Column as R;
    upsert_all(
        db,
        regions,
        R::Code,
        vec![
            R::Name,
            R::PopulationApprox,
            R::PreferredInsurer,
            R::MandateMunicipality,
            R::CareOfficeRegionId,
            R::IzaRegionId,
            R::Confidence,
            R::Notes,
            R::Source,
            R::SourceReference,
        ],
    )
    .await?;
    let region_ids = ids_by_code::<_, region::Entity>(db, R::Code, R::Id).await?;

    let mut out = Vec::new();
    for replica in 0..scale {
        for row in &base {
            let code = if replica == 0 {
                row.code.clone()
            } else {
                format!("{}-S{:03}", row.code, replica + 1)
            };
            let name = if replica == 0 {
                row.name.clone()
            } else {
                format!("{} (synthetic {})", row.name, replica + 1)
            };
            out.push(demo::DemoRegion {
                id: region_ids
                    .get(&code)
                    .copied()
                    .ok_or_else(|| anyhow::anyhow!("region {code} was not stored"))?,
                code,
                name,
                population: row.population_approx,
                mandate_municipality: row.mandate_municipality.clone(),
                preferred_insurer: row.preferred_insurer.clone(),
            });
        }
    }
    Ok(out)
}

async fn insert_demo<C: ConnectionTrait>(db: &C, data: demo::DemoData) -> Result<(), DbErr> {
    insert_all(db, data.resvs).await?;
    insert_all(db, data.seats).await?;
    insert_all(db, data.seat_disciplines).await?;
    insert_all(db, data.parties).await?;
    insert_all(db, data.subsidies).await?;
    insert_all(db, data.vouchers).await?;
    insert_all(db, data.collaborations).await?;
    insert_all(db, data.collaboration_disciplines).await?;
    insert_all(db, data.agreements).await?;
    insert_all(db, data.agreement_disciplines).await?;
    insert_all(db, data.materials).await?;
    insert_all(db, data.material_themes).await?;
    insert_all(db, data.material_regions).await?;
    Ok(())
}

/// The generator assigns ids itself; on PostgreSQL the id sequences must then catch up, or the
/// next insert would collide. (SQLite takes the next id from the table.)
async fn reset_sequences<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in [
        "resv",
        "seat",
        "regional_table_party",
        "subsidy",
        "voucher",
        "neighbourhood_collaboration",
        "agreement",
        "learning_material",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}
