//! The national registry of regional primary-care collaborations (RESVs): a GraphQL API over the
//! regions, their RESVs, seats, subsidies, vouchers, neighbourhood collaborations and the LeVEL
//! learning network.
//!
//! [`app`] builds the HTTP router over an [`AppState`] without I/O, so tests can drive the real
//! application; the subcommands of the binary are in [`cli`].

pub mod access;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod graphql;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod persisted;
pub mod restore;
pub mod seed;
pub mod service;
pub mod shared;
pub mod state;
pub mod telemetry;
pub mod throttle;

pub use cli::schema_sdl;
pub use config::DEFAULT_CACHE_ENTRIES;
pub use http::app;
pub use state::AppState;
