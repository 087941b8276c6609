//! The two PostgreSQL roles of a deployment: the owner, which migrates, and the app role, which
//! serves and which row-level security binds.
//!
//! The policies (migrations 3 and 9) hold back rows the viewer may not see, but a superuser, a
//! role with `BYPASSRLS` and the tables' owner (or a member of it) are not held to them:
//! `FORCE ROW LEVEL SECURITY` binds the owner only while it is not also a superuser, and a query
//! the API got wrong would then read every row. So `serve` in the production profile refuses such
//! a role ([`unbound`]), and `migrate --app-role` grants the app role its rights ([`grant`]) after
//! refusing it for the same reasons.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, Statement};

/// A PostgreSQL role that row-level security does not bind, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the database role `{role}` {why}, so row-level security does not bind it: serve as a login \
     role that is neither superuser nor BYPASSRLS nor owner of the tables, granted its rights by \
     `api migrate --app-role ROLE` run as the owner (README, \"PostgreSQL\")"
)]
pub struct Unbound {
    /// The role's name.
    pub role: String,
    /// What lets it pass the policies: "is a superuser", "has BYPASSRLS", "owns subsidy, …".
    pub why: String,
}

#[derive(FromQueryResult)]
struct Standing {
    role: String,
    superuser: bool,
    bypass: bool,
    /// Comma-separated (table names hold no commas).
    owned: String,
}

/// The role `role` (the connection's own with `None`): whether it is a superuser, has
/// `BYPASSRLS`, and which relations of the schema `public` it has the owner's rights on (it owns
/// them, or is a member of their owner). No row when the role does not exist.
const STANDING: &str = "SELECT r.rolname::text AS role, r.rolsuper AS superuser, \
     r.rolbypassrls AS bypass, \
     coalesce((SELECT string_agg(c.relname::text, ',' ORDER BY c.relname) FROM pg_class c \
           JOIN pg_namespace n ON n.oid = c.relnamespace \
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') \
             AND pg_has_role(r.oid, c.relowner, 'USAGE')), '') AS owned \
     FROM pg_roles r WHERE r.rolname = coalesce($1, current_user::text)";

/// How many owned tables a refusal names.
const NAMED: usize = 3;

/// Why row-level security does not bind `role` (the connection's own role with `None`), or
/// `None` if it binds it. Only for PostgreSQL; a role that does not exist is an error.
pub async fn unbound(
    db: &DatabaseConnection,
    role: Option<&str>,
) -> Result<Option<Unbound>, DbErr> {
    let standing = Standing::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        STANDING,
        [role.map(str::to_owned).into()],
    ))
    .one(db)
    .await?
    .ok_or_else(|| {
        DbErr::Custom(format!(
            "there is no database role `{}`",
            role.unwrap_or("?")
        ))
    })?;
    let why = if standing.superuser {
        "is a superuser".to_owned()
    } else if standing.bypass {
        "has BYPASSRLS".to_owned()
    } else if !standing.owned.is_empty() {
        let owned: Vec<&str> = standing.owned.split(',').collect();
        let more = owned.len().saturating_sub(NAMED);
        let mut named = owned[..owned.len().min(NAMED)].join(", ");
        if more > 0 {
            named.push_str(&format!(" and {more} more"));
        }
        format!("owns (or may act as the owner of) {named}")
    } else {
        return Ok(None);
    };
    Ok(Some(Unbound {
        role: standing.role,
        why,
    }))
}

/// Grants `role` what serving needs on the registry's schema, tables and sequences, after
/// refusing it if row-level security would not bind it. Run as the owner, after migrating; run
/// again after each migration (new tables need their rights).
pub async fn grant(db: &DatabaseConnection, role: &str) -> anyhow::Result<()> {
    if let Some(unbound) = unbound(db, Some(role)).await? {
        anyhow::bail!("{unbound}");
    }
    let quoted = format!("\"{}\"", role.replace('"', "\"\""));
    db.execute_unprepared(&format!(
        "GRANT USAGE ON SCHEMA public TO {quoted}; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}; \
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted};"
    ))
    .await?;
    Ok(())
}
