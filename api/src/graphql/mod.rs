//! The GraphQL schema: one file per domain, merged into one `Query`. Resolvers turn arguments into
//! service calls and models into output types; the database work is in `service`.

mod audit;
pub mod connection;
pub mod context;
pub mod cost;
pub mod coverage;
mod enums;
mod errors;
mod funding;
mod funding_mutation;
mod import_mutation;
pub mod inputs;
mod learning;
mod learning_mutation;
mod lineage;
pub mod loaders;
pub mod mutation;
mod neighbourhood;
mod node;
mod quality;
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
///
/// Every input is bounded: a string holds at most 10,000 characters (less where a field says
/// so) and no NUL character, a list at most 1,000 items, a search text (`nameContains`,
/// `search`) at most 200 characters; an input object names each field once, and a `Date` lies
/// from 1900 to 2100. Anything else is refused with `BAD_USER_INPUT`.
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
    quality::QualityQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    resv_mutation::ResvMutation,
    region_mutation::RegionMutation,
    funding_mutation::FundingMutation,
    learning_mutation::LearningMutation,
    lineage::LineageMutation,
    import_mutation::ImportMutation,
);

/// The registry's schema type.
pub type RegistrySchema = Schema<Query, Mutation, EmptySubscription>;

/// How the schema is built: its limits and what it tells about itself.
#[derive(Debug, Clone)]
pub struct SchemaSettings {
    pub max_depth: usize,
    pub max_cost: usize,
    pub max_directives: usize,
    /// Whether introspection queries are answered (off in the production profile).
    pub introspection: bool,
    /// Whether errors suggest names ("did you mean ..."; off in the production profile).
    pub suggestions: bool,
    /// Whether every resolver gets a tracing span (when traces are exported; it costs time).
    pub trace_resolvers: bool,
}

impl Default for SchemaSettings {
    fn default() -> Self {
        let limits = crate::limits::Limits::default();
        SchemaSettings {
            max_depth: limits.max_depth,
            max_cost: limits.max_cost,
            max_directives: limits.max_directives,
            introspection: true,
            suggestions: true,
            trace_resolvers: false,
        }
    }
}

/// Builds the schema with default settings. No I/O: the database and the viewer come with each
/// request.
pub fn schema() -> RegistrySchema {
    schema_with(SchemaSettings::default())
}

/// Builds the schema with `settings`.
pub fn schema_with(settings: SchemaSettings) -> RegistrySchema {
    let costs = cost::Costs::new(settings.max_cost);
    let shape = costs.shape();
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .extension(costs)
        .limit_depth(settings.max_depth)
        .limit_directives(settings.max_directives)
        .extension(inputs::InputBounds);
    if !settings.introspection {
        builder = builder.disable_introspection();
    }
    if !settings.suggestions {
        builder = builder.disable_suggestions();
    }
    if settings.trace_resolvers {
        // Spans per parse, validation, execution and resolver, under the request's span.
        builder = builder.extension(async_graphql::extensions::Tracing);
    }
    let schema = builder.finish();
    match cost::Shape::of_sdl(&schema.sdl()) {
        Ok(read) => {
            let _ = shape.set(read);
        }
        // The schema's own SDL always parses; were it not to, no operation could be costed.
        Err(error) => panic!("the schema's SDL does not parse: {error}"),
    }
    schema
}

/// The code of an error the engine raised before execution: a limit it names, or the client's.
fn engine_error_code(message: &str) -> &'static str {
    use crate::limits::Limit;
    if message.contains("nested too deep") {
        Limit::Depth.code()
    } else if message.contains("number of directives") {
        Limit::Directives.code()
    } else {
        "BAD_USER_INPUT"
    }
}

/// Executes a request by `viewer`, with its dataloaders' batches running in the same task.
pub async fn execute(
    schema: &RegistrySchema,
    db: DatabaseConnection,
    viewer: Viewer,
    request: Request,
) -> Response {
    execute_on(schema, db.clone(), db, None, viewer, request).await
}

/// Executes a request by `viewer`, writing to `db` and reading from `read_pool` (a replica, or
/// `db` itself), reusing the reference `tables` kept at the version they name (without them, it
/// reads its own). The caller, which has classified the request, keeps a mutation on `db` and
/// without `tables`: what a mutation reads back it reads as its writes left it.
pub async fn execute_on(
    schema: &RegistrySchema,
    db: DatabaseConnection,
    read_pool: DatabaseConnection,
    tables: Option<context::TablesAt>,
    viewer: Viewer,
    request: Request,
) -> Response {
    let (context, driver) = context::RequestContext::new(db, read_pool, tables, viewer);
    let mut response =
        loaders::Settled::new(schema.execute(request.data(context)), driver.run()).await;
    errors::add_codes(&mut response);
    // Errors raised before execution (parse, validation, unknown enum values, variables of the
    // wrong type) carry no code yet: they are all the client's.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", engine_error_code(&error.message));
        }
    }
    response
}
