//! Storage model of the RESV registry: sea-orm entities and the enums stored with them.
//!
//! Nothing here knows about GraphQL: the API wraps these models in its own output types, so the
//! storage can change behind a stable contract. The schema itself is defined by the `migration`
//! crate; these entities mirror it.

#[macro_use]
mod model;

pub mod agreement;
pub mod agreement_discipline;
pub mod audit_log;
pub mod care_office_region;
pub mod discipline;
pub mod enums;
pub mod idempotency_key;
pub mod iza_region;
pub mod learning_material;
pub mod material_region;
pub mod material_theme;
pub mod nc_discipline;
pub mod neighbourhood_collaboration;
pub mod region;
pub mod region_lineage;
pub mod regional_table_party;
pub mod resv;
pub mod seat;
pub mod seat_discipline;
pub mod subsidy;
pub mod voucher;

pub use enums::*;
