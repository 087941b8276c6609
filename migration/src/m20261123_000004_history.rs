//! History: the registry keeps every version of the rows its coverage figures count, so that the
//! figures can be computed "as the registry recorded them" on any past date.
//!
//! Each tracked table `t` gets a table `t_history` with the counted columns and a system-time
//! validity `[valid_from, valid_to)` in milliseconds since the Unix epoch (UTC; `valid_to` is null
//! for the current version). Triggers keep it, so every write path (mutations, seed, import, a
//! steward's SQL) leaves history; an update that changes no counted column makes no new version.
//! The rows of `t` at moment `m` are the versions with `valid_from <= m < coalesce(valid_to, ∞)`.
//!
//! On PostgreSQL the trigger functions run as the tables' owner (`SECURITY DEFINER`), so the
//! application role cannot write history itself; the history of rows with non-public statuses is
//! read under the same row-level policies as the tables it mirrors.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A tracked table: its name, the columns that identify a row, and the other columns kept.
struct Tracked {
    table: &'static str,
    key: &'static [&'static str],
    columns: &'static [&'static str],
}

impl Tracked {
    fn all_columns(&self) -> Vec<&'static str> {
        self.key.iter().chain(self.columns).copied().collect()
    }
}

const TRACKED: &[Tracked] = &[
    Tracked {
        table: "region",
        key: &["id"],
        columns: &[
            "code",
            "population_approx",
            "preferred_insurer",
            "care_office_region_id",
        ],
    },
    Tracked {
        table: "resv",
        key: &["id"],
        columns: &[
            "region_id",
            "phase",
            "task_mandate",
            "task_capacity_access",
            "task_care_agreements",
            "task_neighbourhood_support",
            "task_facilitation",
            "criterion_core_disciplines_met",
            "criterion_mandated_representation_met",
            "criterion_multidisciplinary_governance_met",
            "criterion_regional_agenda_met",
            "criterion_citizen_participation_met",
        ],
    },
    Tracked {
        table: "seat",
        key: &["id"],
        columns: &["resv_id", "mandate_status"],
    },
    Tracked {
        table: "seat_discipline",
        key: &["seat_id", "discipline_code"],
        columns: &["resv_id"],
    },
    Tracked {
        table: "subsidy",
        key: &["id"],
        columns: &[
            "region_id",
            "kind",
            "status",
            "amount_requested_cents",
            "amount_granted_cents",
        ],
    },
    Tracked {
        table: "voucher",
        key: &["id"],
        columns: &["region_id", "discipline_code", "status", "amount_cents"],
    },
    Tracked {
        table: "neighbourhood_collaboration",
        key: &["id"],
        columns: &["region_id", "population", "status"],
    },
    Tracked {
        table: "nc_discipline",
        key: &["collaboration_id", "discipline_code"],
        columns: &[],
    },
    Tracked {
        table: "learning_material",
        key: &["id"],
        columns: &["kind", "visibility", "published_on", "event_starts_at"],
    },
    Tracked {
        table: "material_theme",
        key: &["material_id", "theme"],
        columns: &[],
    },
];

/// The read policies of history whose rows are not all public (PostgreSQL), as on the live tables.
const PG_POLICIES: &str = r#"
ALTER TABLE subsidy_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY subsidy_history_read ON subsidy_history FOR SELECT USING (
  status = 'GRANTED'
  OR registry_role() IN ('admin', 'zonmw_staff', 'national_analyst', 'aggregate')
  OR registry_keeps(region_id));
CREATE POLICY subsidy_history_admin ON subsidy_history FOR ALL
  USING (registry_role() = 'admin') WITH CHECK (registry_role() = 'admin');

ALTER TABLE voucher_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY voucher_history_read ON voucher_history FOR SELECT USING (
  status = 'GRANTED'
  OR registry_role() IN ('admin', 'zonmw_staff', 'national_analyst', 'aggregate')
  OR registry_keeps(region_id));
CREATE POLICY voucher_history_admin ON voucher_history FOR ALL
  USING (registry_role() = 'admin') WITH CHECK (registry_role() = 'admin');

ALTER TABLE learning_material_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY learning_material_history_read ON learning_material_history FOR SELECT USING (
  visibility = 'PUBLIC' OR registry_role() NOT IN ('', 'aggregate'));
CREATE POLICY learning_material_history_admin ON learning_material_history FOR ALL
  USING (registry_role() = 'admin') WITH CHECK (registry_role() = 'admin');
"#;

/// Milliseconds since the Unix epoch, now.
fn now_ms(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "(extract(epoch FROM now()) * 1000)::bigint",
        _ => "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)",
    }
}

fn prefixed(columns: &[&str], prefix: &str) -> String {
    columns
        .iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_match(t: &Tracked, row: &str) -> String {
    t.key
        .iter()
        .map(|k| format!("{k} = {row}.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The statements creating the history of `t`, filled with the rows it holds now.
fn create(t: &Tracked, backend: DbBackend) -> Vec<String> {
    let name = t.table;
    let all = t.all_columns();
    let cols = all.join(", ");
    let now = now_ms(backend);
    let mut statements = vec![
        format!("CREATE TABLE {name}_history AS SELECT {cols} FROM {name} WHERE 1 = 0"),
        format!("ALTER TABLE {name}_history ADD COLUMN valid_from BIGINT NOT NULL DEFAULT 0"),
        format!("ALTER TABLE {name}_history ADD COLUMN valid_to BIGINT"),
        format!(
            "CREATE INDEX ix_{name}_history_key ON {name}_history ({}, valid_to)",
            t.key.join(", ")
        ),
        format!("CREATE INDEX ix_{name}_history_valid ON {name}_history (valid_from, valid_to)"),
    ];
    // Rows present before history began are taken as valid from now. On PostgreSQL the forced
    // row-level policies of the live tables need the claims of a role that reads every row.
    let copy =
        format!("INSERT INTO {name}_history ({cols}, valid_from) SELECT {cols}, {now} FROM {name}");
    match backend {
        DbBackend::Postgres => statements.push(format!(
            "DO $$ BEGIN PERFORM set_config('app.role', 'admin', true); {copy}; END $$"
        )),
        _ => statements.push(copy),
    }
    let changed = |old: &str, new: &str, differs: &str| {
        t.columns
            .iter()
            .map(|c| format!("{old}.{c} {differs} {new}.{c}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let insert_new = format!(
        "INSERT INTO {name}_history ({cols}, valid_from) VALUES ({}, {now})",
        prefixed(&all, "NEW.")
    );
    let close_old = format!(
        "UPDATE {name}_history SET valid_to = {now} WHERE {} AND valid_to IS NULL",
        key_match(t, "OLD")
    );
    match backend {
        DbBackend::Postgres => {
            // A key change is a new row; otherwise only a change of a counted column counts.
            let mut same = t
                .key
                .iter()
                .map(|k| format!("OLD.{k} = NEW.{k}"))
                .collect::<Vec<_>>();
            if !t.columns.is_empty() {
                same.push(format!(
                    "NOT ({})",
                    changed("OLD", "NEW", "IS DISTINCT FROM")
                ));
            }
            statements.push(format!(
                "CREATE FUNCTION {name}_history_track() RETURNS trigger LANGUAGE plpgsql \
                 SECURITY DEFINER SET search_path = public AS $$ \
                 BEGIN \
                   IF TG_OP = 'UPDATE' AND {} THEN RETURN NULL; END IF; \
                   IF TG_OP IN ('UPDATE', 'DELETE') THEN {close_old}; END IF; \
                   IF TG_OP IN ('INSERT', 'UPDATE') THEN {insert_new}; END IF; \
                   RETURN NULL; \
                 END $$",
                same.join(" AND ")
            ));
            statements.push(format!(
                "CREATE TRIGGER {name}_history AFTER INSERT OR UPDATE OR DELETE ON {name} \
                 FOR EACH ROW EXECUTE FUNCTION {name}_history_track()"
            ));
        }
        _ => {
            let mut differs = t
                .key
                .iter()
                .map(|k| format!("OLD.{k} IS NOT NEW.{k}"))
                .collect::<Vec<_>>();
            if !t.columns.is_empty() {
                differs.push(changed("OLD", "NEW", "IS NOT"));
            }
            statements.push(format!(
                "CREATE TRIGGER {name}_history_insert AFTER INSERT ON {name} \
                 BEGIN {insert_new}; END"
            ));
            statements.push(format!(
                "CREATE TRIGGER {name}_history_update AFTER UPDATE ON {name} WHEN {} \
                 BEGIN {close_old}; {insert_new}; END",
                differs.join(" OR ")
            ));
            statements.push(format!(
                "CREATE TRIGGER {name}_history_delete AFTER DELETE ON {name} \
                 BEGIN {close_old}; END"
            ));
        }
    }
    statements
}

fn drop(t: &Tracked, backend: DbBackend) -> Vec<String> {
    let name = t.table;
    let mut statements = match backend {
        DbBackend::Postgres => vec![
            format!("DROP TRIGGER IF EXISTS {name}_history ON {name}"),
            format!("DROP FUNCTION IF EXISTS {name}_history_track()"),
        ],
        _ => ["insert", "update", "delete"]
            .iter()
            .map(|op| format!("DROP TRIGGER IF EXISTS {name}_history_{op}"))
            .collect(),
    };
    statements.push(format!("DROP TABLE IF EXISTS {name}_history"));
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for t in TRACKED {
            for statement in create(t, backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        if backend == DbBackend::Postgres {
            db.execute_unprepared(PG_POLICIES).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for t in TRACKED.iter().rev() {
            for statement in drop(t, backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }
}
