-- The two roles of a deployment, made when the compose database is first created: the owner,
-- which migrates (`api migrate --app-role registry_app`), and the app role, which serves and
-- which row-level security binds (neither superuser nor BYPASSRLS nor owner of the tables).
CREATE ROLE registry_owner LOGIN PASSWORD 'registry' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE registry_app LOGIN PASSWORD 'registry' NOSUPERUSER NOBYPASSRLS NOINHERIT;
ALTER DATABASE registry OWNER TO registry_owner;
ALTER SCHEMA public OWNER TO registry_owner;
