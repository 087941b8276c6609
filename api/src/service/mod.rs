//! Business rules and database work. Services take a connection and a [`Viewer`](crate::access::Viewer)
//! and start every query from the viewer's scope in [`access`](crate::access); they know nothing of
//! GraphQL.

pub mod batch;
pub mod coverage;
pub mod csv_cells;
pub mod edit;
pub mod edit_agreements;
pub mod edit_collaborations;
pub mod edit_funding;
pub mod edit_materials;
mod edit_region;
pub mod edit_regions;
pub mod edit_resv;
pub mod edit_seats;
pub mod edit_subsidies;
pub mod edit_table;
pub mod edit_vouchers;
pub mod funding;
pub mod history;
pub mod import;
pub mod kinds;
pub mod lineage;
pub mod materials;
pub mod neighbourhoods;
pub mod page;
pub mod quality;
pub mod record;
pub mod reference;
pub mod regions;
pub mod resvs;
pub mod rules;
pub mod sizes;
mod sql;
pub mod write;

pub use page::{Page, PageArgs};

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// A requested order: a field of the list and a direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Order<F> {
    pub field: F,
    pub direction: Direction,
}
