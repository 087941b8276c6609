//! The integration tests, in one binary: the real application over HTTP, on SQLite and
//! PostgreSQL. One binary links the app once and shares the template databases of
//! [`common`] between all tests (see the README's "Test it").

#[macro_use]
mod common;

mod admission;
mod api;
mod app_role;
mod auth;
mod cache;
mod concurrency;
mod cost;
mod coverage;
mod csv_safety;
mod cursors;
mod database;
mod http;
mod import;
mod inputs;
mod lineage;
mod mutation_rights;
mod mutations;
mod quality;
mod replicas;
mod restore;
mod row_security;
mod schema;
mod token_hygiene;
mod transport;
mod write_path;
