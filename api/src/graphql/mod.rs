//! The GraphQL schema: one file per domain, merged into one `Query`. Resolvers turn arguments into
//! service calls and models into output types; the database work is in `service`.

mod audit;
pub mod connection;
pub mod context;
pub mod coverage;
mod enums;
mod errors;
mod funding;
mod funding_mutation;
mod learning;
mod learning_mutation;
pub mod loaders;
pub mod mutation;
mod neighbourhood;
mod node;
mod reference;
mod region;
mod region_mutation;
mod resv;
mod resv_mutation;
pub mod scalars;

use crate::access::Viewer;
use async_graphql::{EmptySubscription, MergedObject, Request, Response, Schema};
use sea_orm::DatabaseConnection;

/// Every root query field.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    region::RegionQuery,
    resv::ResvQuery,
    funding::FundingQuery,
    neighbourhood::NeighbourhoodQuery,
    learning::LearningQuery,
    reference::ReferenceQuery,
    coverage::CoverageQuery,
    audit::AuditQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    resv_mutation::ResvMutation,
    region_mutation::RegionMutation,
    funding_mutation::FundingMutation,
    learning_mutation::LearningMutation,
);

/// The registry's schema type.
pub type RegistrySchema = Schema<Query, Mutation, EmptySubscription>;

/// The deepest selection a query may make.
pub const MAX_DEPTH: usize = 16;
/// The most fields a query may select, counted over the whole document.
pub const MAX_COMPLEXITY: usize = 2_000;
/// The most directives on one field.
pub const MAX_DIRECTIVES_PER_FIELD: usize = 5;

/// Builds the schema with default settings. No I/O: the database and the viewer come with each
/// request.
pub fn schema() -> RegistrySchema {
    schema_with(coverage::CoverageSettings::default())
}

/// Builds the schema with `coverage` settings.
pub fn schema_with(coverage: coverage::CoverageSettings) -> RegistrySchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(coverage)
        .extension(errors::ErrorCodes)
        // Bounds for a public API: the deepest useful query (care-office region → regions → RESV
        // → seats → disciplines, with connection wrappers) stays well below these.
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(MAX_DIRECTIVES_PER_FIELD)
        .finish()
}

/// Executes a request by `viewer`, with its dataloaders' batches running in the same task.
pub async fn execute(
    schema: &RegistrySchema,
    db: DatabaseConnection,
    viewer: Viewer,
    request: Request,
) -> Response {
    let (context, driver) = context::RequestContext::new(db, viewer);
    let mut response =
        loaders::Settled::new(schema.execute(request.data(context)), driver.run()).await;
    // Errors raised before execution (parse, validation, unknown enum values, variables of the
    // wrong type) carry no code yet: they are all the client's.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "BAD_USER_INPUT");
        }
    }
    response
}
