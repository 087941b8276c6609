//! The registry core: reference regions, regions, RESVs, seats, the regional table, subsidies,
//! vouchers, neighbourhood collaborations, agreements and LeVEL materials.
//!
//! Enumerations are stored as strings guarded by CHECK constraints; money as integer euro cents.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &str) -> Alias {
    Alias::new(name)
}

/// A required string column restricted to the given enumeration values.
fn enum_col(name: &str, values: &[&str]) -> ColumnDef {
    string_len(n(name), 32)
        .check(Expr::col(n(name)).is_in(values.iter().copied()))
        .to_owned()
}

/// A nullable string column restricted to the given enumeration values.
fn enum_col_null(name: &str, values: &[&str]) -> ColumnDef {
    string_len_null(n(name), 32)
        .check(Expr::col(n(name)).is_in(values.iter().copied()))
        .to_owned()
}

/// A money column in euro cents: never negative, at most EUR 10 billion per row, so sums over a
/// million rows still fit in 64 bits.
fn cents_null(name: &str) -> ColumnDef {
    big_integer_null(n(name))
        .check(
            Expr::col(n(name))
                .gte(0)
                .and(Expr::col(n(name)).lte(1_000_000_000_000_i64)),
        )
        .to_owned()
}

/// A population count: never negative.
fn population_null(name: &str) -> ColumnDef {
    big_integer_null(n(name))
        .check(Expr::col(n(name)).gte(0))
        .to_owned()
}

const SOURCES: &[&str] = &[
    "OFFICIAL_LIST",
    "SECONDARY_SOURCE",
    "ZONMW_DECISION",
    "REGIONAL_REPORT",
    "DEMONSTRATION",
];
const TASK: &[&str] = &["NOT_STARTED", "IN_PROGRESS", "OPERATIONAL"];
const STATUS: &[&str] = &["APPLIED", "IN_REVIEW", "GRANTED", "REJECTED", "WITHDRAWN"];
const DISCIPLINES: &[&str] = &[
    "GENERAL_PRACTICE",
    "DISTRICT_NURSING",
    "PHARMACY",
    "PHYSIOTHERAPY",
    "DIETETICS",
    "EXERCISE_THERAPY",
    "OCCUPATIONAL_THERAPY",
    "SKIN_THERAPY",
    "SPEECH_THERAPY",
    "OPTOMETRY",
    "ELDERLY_CARE_MEDICINE",
    "INTELLECTUAL_DISABILITY_MEDICINE",
    "SOCIAL_WORK",
];
const THEMES: &[&str] = &[
    "TASK_MANDATE",
    "TASK_CAPACITY_ACCESS",
    "TASK_CARE_AGREEMENTS",
    "TASK_NEIGHBOURHOOD_SUPPORT",
    "TASK_FACILITATION",
    "FRAIL_ELDERLY",
    "CHRONIC_CARE",
    "YOUTH_HEALTH",
    "CITIZEN_PARTICIPATION",
    "DATA_EXCHANGE",
    "LEGAL_FINANCIAL",
    "INTERDISCIPLINARY_WORK",
    "EQUAL_CHANCES",
    "DIGITALISATION",
];

/// Provenance and bookkeeping columns shared by every registry table.
fn with_provenance(table: &mut TableCreateStatement, stamped: bool) -> &mut TableCreateStatement {
    table
        .col(enum_col("source", SOURCES))
        .col(text_null(n("source_reference")));
    if stamped {
        table
            .col(integer(n("version")).default(1))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone(n("updated_at")));
    }
    table
}

fn fk(from: &str, col: &str, to: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(n(from), n(col))
        .to(n(to), n("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn fk_discipline(from: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_discipline"))
        .from(n(from), n("discipline_code"))
        .to(n("discipline"), n("code"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!(
        "{}_{}_{}",
        if unique { "uq" } else { "ix" },
        table,
        cols.join("_")
    ))
    .table(n(table));
    for c in cols {
        idx.col(n(c));
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

/// Every table, in creation order (children after parents).
fn tables() -> Vec<TableCreateStatement> {
    use ForeignKeyAction::{Cascade, Restrict};
    let mut out = Vec::new();

    let mut t = Table::create();
    t.table(n("care_office_region"))
        .col(pk_auto(n("id")))
        .col(string_len_uniq(n("code"), 16))
        .col(string(n("name")))
        .col(string(n("insurer")))
        .col(population_null("population_approx"))
        .col(text_null(n("notes")));
    out.push(with_provenance(&mut t, false).to_owned());

    let mut t = Table::create();
    t.table(n("iza_region"))
        .col(pk_auto(n("id")))
        .col(string_len_uniq(n("code"), 16))
        .col(string(n("name")))
        .col(string(n("mandate_municipality")))
        .col(cents_null("spuk_2025_cents"))
        .col(cents_null("spuk_2026_cents"))
        .col(integer(n("care_office_region_id")))
        .col(population_null("population_approx"))
        .col(text_null(n("notes")))
        .foreign_key(&mut fk(
            "iza_region",
            "care_office_region_id",
            "care_office_region",
            Restrict,
        ));
    out.push(with_provenance(&mut t, false).to_owned());

    let mut t = Table::create();
    t.table(n("region"))
        .col(pk_auto(n("id")))
        .col(string_len_uniq(n("code"), 16))
        .col(string(n("name")))
        .col(population_null("population_approx"))
        .col(string_null(n("preferred_insurer")))
        .col(string_null(n("mandate_municipality")))
        .col(integer(n("care_office_region_id")))
        .col(integer_null(n("iza_region_id")))
        .col(enum_col_null("confidence", &["HIGH", "MEDIUM", "LOW"]))
        .col(text_null(n("notes")))
        .foreign_key(&mut fk(
            "region",
            "care_office_region_id",
            "care_office_region",
            Restrict,
        ))
        .foreign_key(&mut fk("region", "iza_region_id", "iza_region", Restrict));
    out.push(with_provenance(&mut t, true).to_owned());

    let mut t = Table::create();
    t.table(n("resv"))
        .col(pk_auto(n("id")))
        .col(integer_uniq(n("region_id")))
        .col(string(n("name")))
        .col(enum_col(
            "legal_form",
            &[
                "NETWORK",
                "ASSOCIATION",
                "FOUNDATION",
                "COOPERATIVE",
                "OTHER",
            ],
        ))
        .col(string_null(n("treasurer")))
        .col(enum_col(
            "phase",
            &["NETWORK", "AGREEMENTS", "ORGANISATION", "DEEPENING"],
        ))
        .col(date_null(n("established_on")))
        .col(date_null(n("contracted_from")));
    for task in [
        "task_mandate",
        "task_capacity_access",
        "task_care_agreements",
        "task_neighbourhood_support",
        "task_facilitation",
    ] {
        t.col(enum_col(task, TASK));
    }
    for criterion in [
        "core_disciplines",
        "mandated_representation",
        "multidisciplinary_governance",
        "regional_agenda",
        "citizen_participation",
    ] {
        t.col(boolean(n(&format!("criterion_{criterion}_met"))).default(false))
            .col(text_null(n(&format!("criterion_{criterion}_note"))));
    }
    t.col(text_null(n("citizen_participation")))
        .col(string_null(n("website")))
        .foreign_key(&mut fk("resv", "region_id", "region", Restrict));
    out.push(with_provenance(&mut t, true).to_owned());

    out.push(
        Table::create()
            .table(n("discipline"))
            .col(enum_col("code", DISCIPLINES).primary_key())
            .col(string(n("name_en")))
            .col(string(n("name_nl")))
            .col(boolean(n("paramedical")))
            .col(boolean(n("minimum_composition")))
            .col(integer(n("sort_order")))
            .to_owned(),
    );

    let mut t = Table::create();
    t.table(n("seat"))
        .col(pk_auto(n("id")))
        .col(integer(n("resv_id")))
        .col(string(n("organisation")))
        .col(enum_col("mandate_status", &["MANDATED", "PENDING", "NONE"]))
        .col(date_null(n("since")))
        .foreign_key(&mut fk("seat", "resv_id", "resv", Cascade))
        // Target of seat_discipline's composite key, which ties a discipline to its seat's RESV.
        .index(
            Index::create()
                .name("uq_seat_id_resv")
                .col(n("id"))
                .col(n("resv_id"))
                .unique(),
        );
    out.push(with_provenance(&mut t, true).to_owned());

    out.push(
        Table::create()
            .table(n("seat_discipline"))
            .col(integer(n("seat_id")))
            .col(enum_col("discipline_code", DISCIPLINES))
            .col(integer(n("resv_id")))
            .primary_key(Index::create().col(n("seat_id")).col(n("discipline_code")))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_seat_discipline_seat")
                    .from_tbl(n("seat_discipline"))
                    .from_col(n("seat_id"))
                    .from_col(n("resv_id"))
                    .to_tbl(n("seat"))
                    .to_col(n("id"))
                    .to_col(n("resv_id"))
                    .on_delete(Cascade),
            )
            .foreign_key(&mut fk_discipline("seat_discipline"))
            .to_owned(),
    );

    let mut t = Table::create();
    t.table(n("regional_table_party"))
        .col(pk_auto(n("id")))
        .col(integer(n("region_id")))
        .col(enum_col(
            "kind",
            &[
                "HOSPITAL",
                "VVT",
                "GGZ",
                "MUNICIPALITY_SOCIAL_WORK",
                "INSURER",
                "RESV",
            ],
        ))
        .col(string(n("organisation")))
        .foreign_key(&mut fk(
            "regional_table_party",
            "region_id",
            "region",
            Cascade,
        ));
    out.push(with_provenance(&mut t, true).to_owned());

    let mut t = Table::create();
    t.table(n("subsidy"))
        .col(pk_auto(n("id")))
        .col(integer_null(n("region_id")))
        .col(enum_col(
            "kind",
            &["PREPARATION", "IMPLEMENTATION", "RESEARCH"],
        ))
        .col(enum_col("status", STATUS))
        .col(string_null(n("applicant")))
        .col(cents_null("amount_requested_cents"))
        .col(cents_null("amount_granted_cents"))
        .col(date(n("applied_on")))
        .col(date_null(n("decided_on")))
        .col(date_null(n("period_start")))
        .col(date_null(n("period_end")))
        .col(string_len_null(n("zonmw_reference"), 64).unique_key())
        .check(
            Expr::col(n("kind"))
                .eq("RESEARCH")
                .or(Expr::col(n("region_id")).is_not_null()),
        )
        .foreign_key(&mut fk("subsidy", "region_id", "region", Restrict));
    out.push(with_provenance(&mut t, true).to_owned());

    let mut t = Table::create();
    t.table(n("voucher"))
        .col(pk_auto(n("id")))
        .col(integer(n("region_id")))
        .col(enum_col("discipline_code", DISCIPLINES))
        .col(enum_col("status", STATUS))
        .col(string_null(n("applicant")))
        .col(cents_null("amount_cents"))
        .col(date(n("applied_on")))
        .col(date_null(n("decided_on")))
        .foreign_key(&mut fk("voucher", "region_id", "region", Restrict))
        .foreign_key(&mut fk_discipline("voucher"));
    out.push(with_provenance(&mut t, true).to_owned());

    let mut t = Table::create();
    t.table(n("neighbourhood_collaboration"))
        .col(pk_auto(n("id")))
        .col(integer(n("region_id")))
        .col(string(n("name")))
        .col(string(n("area")))
        .col(population_null("population"))
        .col(enum_col("status", &["FORMING", "ACTIVE", "STOPPED"]))
        .col(date_null(n("established_on")))
        .foreign_key(&mut fk(
            "neighbourhood_collaboration",
            "region_id",
            "region",
            Restrict,
        ));
    out.push(with_provenance(&mut t, true).to_owned());

    out.push(
        Table::create()
            .table(n("nc_discipline"))
            .col(integer(n("collaboration_id")))
            .col(enum_col("discipline_code", DISCIPLINES))
            .primary_key(
                Index::create()
                    .col(n("collaboration_id"))
                    .col(n("discipline_code")),
            )
            .foreign_key(&mut fk(
                "nc_discipline",
                "collaboration_id",
                "neighbourhood_collaboration",
                Cascade,
            ))
            .foreign_key(&mut fk_discipline("nc_discipline"))
            .to_owned(),
    );

    let mut t = Table::create();
    t.table(n("agreement"))
        .col(pk_auto(n("id")))
        .col(integer(n("resv_id")))
        .col(string(n("topic")))
        .col(enum_col(
            "level",
            &["PRIMARY_CARE", "SOCIAL_DOMAIN", "HOSPITAL_MENTAL_HEALTH"],
        ))
        .col(enum_col(
            "status",
            &["DRAFT", "AGREED", "IMPLEMENTED", "ENDED"],
        ))
        .col(date_null(n("agreed_on")))
        .foreign_key(&mut fk("agreement", "resv_id", "resv", Cascade));
    out.push(with_provenance(&mut t, true).to_owned());

    out.push(
        Table::create()
            .table(n("agreement_discipline"))
            .col(integer(n("agreement_id")))
            .col(enum_col("discipline_code", DISCIPLINES))
            .primary_key(
                Index::create()
                    .col(n("agreement_id"))
                    .col(n("discipline_code")),
            )
            .foreign_key(&mut fk(
                "agreement_discipline",
                "agreement_id",
                "agreement",
                Cascade,
            ))
            .foreign_key(&mut fk_discipline("agreement_discipline"))
            .to_owned(),
    );

    let mut t = Table::create();
    t.table(n("learning_material"))
        .col(pk_auto(n("id")))
        .col(enum_col(
            "kind",
            &[
                "GUIDE",
                "GOOD_PRACTICE",
                "EVENT",
                "EXPERT",
                "TOOL",
                "WEBINAR",
            ],
        ))
        .col(string(n("title")))
        .col(text(n("summary")))
        .col(string_null(n("url")))
        .col(date(n("published_on")))
        .col(timestamp_with_time_zone_null(n("event_starts_at")))
        .col(enum_col("visibility", &["PUBLIC", "MEMBERS"]));
    out.push(with_provenance(&mut t, true).to_owned());

    out.push(
        Table::create()
            .table(n("material_theme"))
            .col(integer(n("material_id")))
            .col(enum_col("theme", THEMES))
            .primary_key(Index::create().col(n("material_id")).col(n("theme")))
            .foreign_key(&mut fk(
                "material_theme",
                "material_id",
                "learning_material",
                Cascade,
            ))
            .to_owned(),
    );

    out.push(
        Table::create()
            .table(n("material_region"))
            .col(integer(n("material_id")))
            .col(integer(n("region_id")))
            .primary_key(Index::create().col(n("material_id")).col(n("region_id")))
            .foreign_key(&mut fk(
                "material_region",
                "material_id",
                "learning_material",
                Cascade,
            ))
            .foreign_key(&mut fk("material_region", "region_id", "region", Cascade))
            .to_owned(),
    );

    out
}

/// Secondary indexes: every foreign key used by a dataloader or filter, and the seat invariant.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("iza_region", &["care_office_region_id"], false),
        index("region", &["care_office_region_id"], false),
        index("region", &["iza_region_id"], false),
        index("seat", &["resv_id"], false),
        // The invariant of the RESV table: a discipline sits in at most one seat per RESV.
        index("seat_discipline", &["resv_id", "discipline_code"], true),
        index("regional_table_party", &["region_id"], false),
        index("subsidy", &["region_id"], false),
        // One voucher per discipline per region.
        index("voucher", &["region_id", "discipline_code"], true),
        index("neighbourhood_collaboration", &["region_id"], false),
        index("agreement", &["resv_id"], false),
        index("learning_material", &["published_on"], false),
        index("material_region", &["region_id"], false),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for idx in indexes() {
            manager.create_index(idx).await?;
        }
        // The RESV holds exactly one seat at the regional table (a partial index: both SQLite and
        // PostgreSQL support the WHERE clause).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_regional_table_resv_seat \
                 ON regional_table_party (region_id) WHERE kind = 'RESV'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables().iter().rev() {
            let name = table
                .get_table_name()
                .cloned()
                .ok_or_else(|| DbErr::Migration("a table statement without a name".to_owned()))?;
            manager
                .drop_table(Table::drop().table(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
