//! Defence in depth on PostgreSQL: the read rules of `api/src/access.rs` as row-level security
//! policies, forced on the table owner too. The API sets the viewer's claims per transaction with
//! `set_config('app.role', ..., true)` and `set_config('app.regions', ..., true)`; a query that
//! forgot the API's filters still sees only what the viewer may see. SQLite has no such policies;
//! there the API's rules stand alone.
//!
//! Roles: '' (anonymous), regional_coordinator, zonmw_staff, national_analyst, level_editor, admin,
//! and 'aggregate' for the public national figures, which count rows of every status.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE FUNCTION registry_role() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('app.role', true), '') $$;

CREATE FUNCTION registry_keeps(region integer) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT registry_role() = 'regional_coordinator' AND EXISTS (
       SELECT 1 FROM region r
       WHERE r.id = region
         AND r.code = ANY (string_to_array(coalesce(current_setting('app.regions', true), ''), ','))) $$;

ALTER TABLE subsidy ENABLE ROW LEVEL SECURITY;
ALTER TABLE subsidy FORCE ROW LEVEL SECURITY;
CREATE POLICY subsidy_read ON subsidy FOR SELECT USING (
  status = 'GRANTED'
  OR registry_role() IN ('admin', 'zonmw_staff', 'national_analyst', 'aggregate')
  OR registry_keeps(region_id));
CREATE POLICY subsidy_insert ON subsidy FOR INSERT WITH CHECK (registry_role() IN ('admin', 'zonmw_staff'));
CREATE POLICY subsidy_update ON subsidy FOR UPDATE USING (registry_role() IN ('admin', 'zonmw_staff'));
CREATE POLICY subsidy_delete ON subsidy FOR DELETE USING (registry_role() IN ('admin', 'zonmw_staff'));

ALTER TABLE voucher ENABLE ROW LEVEL SECURITY;
ALTER TABLE voucher FORCE ROW LEVEL SECURITY;
CREATE POLICY voucher_read ON voucher FOR SELECT USING (
  status = 'GRANTED'
  OR registry_role() IN ('admin', 'zonmw_staff', 'national_analyst', 'aggregate')
  OR registry_keeps(region_id));
CREATE POLICY voucher_insert ON voucher FOR INSERT WITH CHECK (registry_role() IN ('admin', 'zonmw_staff'));
CREATE POLICY voucher_update ON voucher FOR UPDATE USING (registry_role() IN ('admin', 'zonmw_staff'));
CREATE POLICY voucher_delete ON voucher FOR DELETE USING (registry_role() IN ('admin', 'zonmw_staff'));

ALTER TABLE learning_material ENABLE ROW LEVEL SECURITY;
ALTER TABLE learning_material FORCE ROW LEVEL SECURITY;
CREATE POLICY learning_material_read ON learning_material FOR SELECT USING (
  visibility = 'PUBLIC' OR registry_role() NOT IN ('', 'aggregate'));
CREATE POLICY learning_material_insert ON learning_material FOR INSERT WITH CHECK (registry_role() IN ('admin', 'level_editor'));
CREATE POLICY learning_material_update ON learning_material FOR UPDATE USING (registry_role() IN ('admin', 'level_editor'));
CREATE POLICY learning_material_delete ON learning_material FOR DELETE USING (registry_role() IN ('admin', 'level_editor'));

ALTER TABLE material_theme ENABLE ROW LEVEL SECURITY;
ALTER TABLE material_theme FORCE ROW LEVEL SECURITY;
CREATE POLICY material_theme_read ON material_theme FOR SELECT USING (
  material_id IN (SELECT id FROM learning_material));
CREATE POLICY material_theme_write ON material_theme FOR INSERT WITH CHECK (registry_role() IN ('admin', 'level_editor'));
CREATE POLICY material_theme_delete ON material_theme FOR DELETE USING (registry_role() IN ('admin', 'level_editor'));

ALTER TABLE material_region ENABLE ROW LEVEL SECURITY;
ALTER TABLE material_region FORCE ROW LEVEL SECURITY;
CREATE POLICY material_region_read ON material_region FOR SELECT USING (
  material_id IN (SELECT id FROM learning_material));
CREATE POLICY material_region_write ON material_region FOR INSERT WITH CHECK (registry_role() IN ('admin', 'level_editor'));
CREATE POLICY material_region_delete ON material_region FOR DELETE USING (registry_role() IN ('admin', 'level_editor'));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (registry_role() IN ('admin', 'national_analyst'));
CREATE POLICY audit_log_insert ON audit_log FOR INSERT WITH CHECK (registry_role() NOT IN ('', 'aggregate'));
"#;

const DOWN: &str = r#"
DROP POLICY IF EXISTS audit_log_insert ON audit_log;
DROP POLICY IF EXISTS audit_log_read ON audit_log;
ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS material_region_delete ON material_region;
DROP POLICY IF EXISTS material_region_write ON material_region;
DROP POLICY IF EXISTS material_region_read ON material_region;
ALTER TABLE material_region DISABLE ROW LEVEL SECURITY;
ALTER TABLE material_region NO FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS material_theme_delete ON material_theme;
DROP POLICY IF EXISTS material_theme_write ON material_theme;
DROP POLICY IF EXISTS material_theme_read ON material_theme;
ALTER TABLE material_theme DISABLE ROW LEVEL SECURITY;
ALTER TABLE material_theme NO FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS learning_material_delete ON learning_material;
DROP POLICY IF EXISTS learning_material_update ON learning_material;
DROP POLICY IF EXISTS learning_material_insert ON learning_material;
DROP POLICY IF EXISTS learning_material_read ON learning_material;
ALTER TABLE learning_material DISABLE ROW LEVEL SECURITY;
ALTER TABLE learning_material NO FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS voucher_delete ON voucher;
DROP POLICY IF EXISTS voucher_update ON voucher;
DROP POLICY IF EXISTS voucher_insert ON voucher;
DROP POLICY IF EXISTS voucher_read ON voucher;
ALTER TABLE voucher DISABLE ROW LEVEL SECURITY;
ALTER TABLE voucher NO FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS subsidy_delete ON subsidy;
DROP POLICY IF EXISTS subsidy_update ON subsidy;
DROP POLICY IF EXISTS subsidy_insert ON subsidy;
DROP POLICY IF EXISTS subsidy_read ON subsidy;
ALTER TABLE subsidy DISABLE ROW LEVEL SECURITY;
ALTER TABLE subsidy NO FORCE ROW LEVEL SECURITY;
DROP FUNCTION IF EXISTS registry_keeps(integer);
DROP FUNCTION IF EXISTS registry_role();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
