//! What an operation costs: estimated from its document before anything runs, counted from its
//! answer afterwards, both in the same unit — one per field of the answer.
//!
//! Every field costs one, and what a list holds counts once per item it may hold: a connection's
//! selection as often as its `first` (or `last`, at most 100), a plain list's as often as its
//! declared maximum ([`LISTS`]). The estimate multiplies down the tree, so nesting lists in lists
//! is what makes a query expensive, whatever its length; an operation estimated above
//! `MAX_QUERY_COST` is refused before it runs (`QUERY_TOO_COSTLY`, with its cost and the limit).
//! Every executed operation reports `extensions.cost { requested actual limit }`; the actual cost
//! (the fields of its answer) is what the rate limit charges.

use crate::service::sizes::{Largest, Sizes};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, TypeKind,
};
use async_graphql::{ServerError, ServerResult, Value, Variables};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The most items a list field answers, for the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Most {
    /// The largest such list of a public relation the registry holds now.
    Largest(Largest),
    /// As many as the `ids` argument names (at most [`crate::graphql::node::MAX_IDS`]).
    Ids,
    /// A declared maximum the registry keeps: the size of an enum, or a cap its resolver keeps.
    Items(usize),
}

use Largest::*;
use Most::{Ids, Items};

/// Lists of rows that not every viewer sees are bounded by a number, not by their largest (which
/// would tell about rows an anonymous reader cannot see): history, subsidies, vouchers and
/// materials.
const HISTORY: usize = crate::graphql::audit::MAX_HISTORY;
const SUBSIDIES_PER_REGION: usize = crate::graphql::region::MAX_SUBSIDIES;
const MATERIALS_PER_REGION: usize = crate::graphql::region::MAX_MATERIALS;
/// The reference tables hold official lists, changed only by a migration (a test holds them to
/// these numbers): the thirteen disciplines of [`entity::DisciplineCode`], 31 care-office
/// regions (one preferred insurer each) and 42 IZA regions. Vouchers are one per discipline at
/// most.
pub const DISCIPLINES: usize = count(entity::DisciplineCode::ALL);
pub const CARE_OFFICE_REGIONS: usize = 31;
pub const IZA_REGIONS: usize = 42;
/// Problems of a mutation's input: one per field, at most.
const USER_ERRORS: usize = 50;
/// What an import's payload lists of its problems and cleared values.
const IMPORT_ROWS: usize = crate::graphql::import_mutation::MAX_LISTED;

const fn count<T>(all: &[T]) -> usize {
    all.len()
}

/// Every plain list field of the schema (`Type.field`) and the most items it answers.
/// Connections are not here: their `first`/`last` bound them. A test checks that every list
/// field of the schema is either a connection's or listed here.
pub const LISTS: &[(&str, Most)] = &[
    ("Query.nodes", Ids),
    ("Query.disciplines", Items(DISCIPLINES)),
    (
        "Query.coverageTimeline",
        Items(crate::service::coverage::MAX_POINTS),
    ),
    ("Region.changes", Most::Largest(LineagePerRegion)),
    ("Region.predecessors", Most::Largest(LineagePerRegion)),
    ("Region.successors", Most::Largest(LineagePerRegion)),
    ("Region.regionalTable", Most::Largest(PartiesPerRegion)),
    (
        "Region.neighbourhoodCollaborations",
        Most::Largest(CollaborationsPerRegion),
    ),
    ("Region.subsidies", Items(SUBSIDIES_PER_REGION)),
    ("Region.vouchers", Items(DISCIPLINES)),
    ("Region.learningMaterials", Items(MATERIALS_PER_REGION)),
    ("Region.history", Items(HISTORY)),
    ("RegionResolution.changes", Most::Largest(LineagePerRegion)),
    (
        "CareOfficeRegion.regions",
        Most::Largest(RegionsPerCareOfficeRegion),
    ),
    ("CareOfficeRegion.izaRegions", Items(IZA_REGIONS)),
    ("IzaRegion.regions", Most::Largest(RegionsPerIzaRegion)),
    ("Resv.seats", Most::Largest(SeatsPerResv)),
    ("Resv.agreements", Most::Largest(AgreementsPerResv)),
    (
        "Resv.designCriteria",
        Items(count(entity::DesignCriterion::ALL)),
    ),
    ("Resv.history", Items(HISTORY)),
    ("Seat.disciplines", Most::Largest(DisciplinesPerSeat)),
    ("Seat.history", Items(HISTORY)),
    (
        "Agreement.disciplines",
        Most::Largest(DisciplinesPerAgreement),
    ),
    ("Agreement.history", Items(HISTORY)),
    ("RegionalTableParty.history", Items(HISTORY)),
    (
        "NeighbourhoodCollaboration.disciplines",
        Most::Largest(DisciplinesPerCollaboration),
    ),
    (
        "NeighbourhoodCollaboration.missingDisciplines",
        Items(DISCIPLINES),
    ),
    ("NeighbourhoodCollaboration.history", Items(HISTORY)),
    ("Subsidy.history", Items(HISTORY)),
    ("Voucher.history", Items(HISTORY)),
    ("LearningMaterial.regions", Most::Largest(Regions)),
    ("LearningMaterial.themes", Items(count(entity::Theme::ALL))),
    ("LearningMaterial.history", Items(HISTORY)),
    ("Coverage.byRegion", Most::Largest(Regions)),
    ("Coverage.byCareOfficeRegion", Items(CARE_OFFICE_REGIONS)),
    ("Coverage.byInsurer", Items(CARE_OFFICE_REGIONS)),
    (
        "CoverageFigures.subsidies",
        Items(count(entity::SubsidyKind::ALL)),
    ),
    (
        "CoverageFigures.subsidyReach",
        Items(count(entity::SubsidyKind::ALL)),
    ),
    ("CoverageFigures.vouchers", Items(DISCIPLINES)),
    (
        "PhaseFigures.designCriteria",
        Items(count(entity::DesignCriterion::ALL)),
    ),
    ("ResvCoverage.byPhase", Items(count(entity::Phase::ALL))),
    (
        "ResvCoverage.designCriteria",
        Items(count(entity::DesignCriterion::ALL)),
    ),
    (
        "ResvCoverage.mainTasks",
        Items(count(entity::MainTask::ALL)),
    ),
    ("SeatCoverage.byDiscipline", Items(DISCIPLINES)),
    (
        "LearningCoverage.byKind",
        Items(count(entity::MaterialKind::ALL)),
    ),
    (
        "LearningCoverage.byThemeAndKind",
        Items(count(entity::Theme::ALL) * count(entity::MaterialKind::ALL)),
    ),
    (
        "LearningCoverage.upcomingEvents",
        Items(crate::service::coverage::learning::MAX_EVENTS),
    ),
    (
        "DataQualityReport.byKind",
        Items(crate::service::quality::IssueKind::ALL.len()),
    ),
    ("DataQualityReport.regions", Most::Largest(Regions)),
    (
        "RegionQuality.issues",
        Items(crate::service::quality::IssueKind::ALL.len()),
    ),
    ("ImportPayload.problems", Items(IMPORT_ROWS)),
    ("ImportPayload.cleared", Items(IMPORT_ROWS)),
    ("RegionChangePayload.regions", Most::Largest(Regions)),
    ("RegionChangePayload.retired", Most::Largest(Regions)),
    (
        "RegionChangePayload.changes",
        Most::Largest(LineagePerRegion),
    ),
    ("SplitSeatPayload.seats", Most::Largest(SeatsPerResv)),
    ("CreateAgreementPayload.userErrors", Items(USER_ERRORS)),
    (
        "CreateNeighbourhoodCollaborationPayload.userErrors",
        Items(USER_ERRORS),
    ),
    ("CreateRegionPayload.userErrors", Items(USER_ERRORS)),
    (
        "CreateRegionalTablePartyPayload.userErrors",
        Items(USER_ERRORS),
    ),
    ("CreateResvPayload.userErrors", Items(USER_ERRORS)),
    ("CreateSeatPayload.userErrors", Items(USER_ERRORS)),
    ("DeletePayload.userErrors", Items(USER_ERRORS)),
    ("LearningMaterialPayload.userErrors", Items(USER_ERRORS)),
    ("MergeSeatsPayload.userErrors", Items(USER_ERRORS)),
    ("RegionChangePayload.userErrors", Items(USER_ERRORS)),
    ("SplitSeatPayload.userErrors", Items(USER_ERRORS)),
    ("SubsidyPayload.userErrors", Items(USER_ERRORS)),
    ("UpdateAgreementPayload.userErrors", Items(USER_ERRORS)),
    (
        "UpdateNeighbourhoodCollaborationPayload.userErrors",
        Items(USER_ERRORS),
    ),
    ("UpdateRegionPayload.userErrors", Items(USER_ERRORS)),
    (
        "UpdateRegionalTablePartyPayload.userErrors",
        Items(USER_ERRORS),
    ),
    ("UpdateResvPayload.userErrors", Items(USER_ERRORS)),
    ("UpdateSeatPayload.userErrors", Items(USER_ERRORS)),
    ("VoucherPayload.userErrors", Items(USER_ERRORS)),
];

/// The list bounds and field types of a schema, read once from its SDL.
#[derive(Debug, Default)]
pub struct Shape {
    /// By type, then field: the field's named type and how many items it may answer
    /// (`None`: one, not a list; a connection's own `edges` and `nodes` count as one too, the
    /// connection field counting its page).
    fields: HashMap<String, HashMap<String, Field>>,
}

#[derive(Debug, Clone)]
struct Field {
    type_name: String,
    bound: Bound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    One,
    Page,
    Most(Most),
    /// A list the table does not bound (only possible when [`LISTS`] is incomplete; a test
    /// forbids it): counted as the largest page.
    Unbounded,
}

impl Shape {
    /// The shape of the schema whose SDL is `sdl`.
    pub fn of_sdl(sdl: &str) -> Result<Self, String> {
        use async_graphql::parser::types::TypeSystemDefinition;
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let bounds: HashMap<&str, Most> = LISTS.iter().copied().collect();
        let mut fields = HashMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let owner = ty.name.node.to_string();
            let defined = match ty.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            let mut of_type = HashMap::new();
            for field in defined {
                let field = field.node;
                let name = field.name.node.to_string();
                let (type_name, list) = named(&field.ty.node.base);
                let paged = type_name.ends_with("Connection")
                    && field.arguments.iter().any(|a| a.node.name.node == "first");
                let bound = if paged {
                    Bound::Page
                } else if !list || (owner.ends_with("Connection") && is_page_list(&name)) {
                    Bound::One
                } else {
                    match bounds.get(format!("{owner}.{name}").as_str()) {
                        Some(most) => Bound::Most(*most),
                        None => Bound::Unbounded,
                    }
                };
                of_type.insert(name, Field { type_name, bound });
            }
            fields.insert(owner, of_type);
        }
        Ok(Shape { fields })
    }

    /// The list fields the table does not bound (`Type.field`), for the test that there are none.
    pub fn unbounded(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .fields
            .iter()
            .flat_map(|(owner, fields)| {
                fields
                    .iter()
                    .filter(|(_, f)| f.bound == Bound::Unbounded)
                    .map(move |(name, _)| format!("{owner}.{name}"))
            })
            .collect();
        names.sort();
        names
    }

    /// Whether the schema has the field `Type.field`.
    pub fn has(&self, path: &str) -> bool {
        path.split_once('.')
            .and_then(|(owner, name)| self.fields.get(owner)?.get(name))
            .is_some()
    }

    /// The estimated cost of each operation of `document` (by name; `None` for an anonymous one).
    pub fn estimate(
        &self,
        document: &ExecutableDocument,
        variables: &Variables,
        sizes: &Sizes,
    ) -> Vec<Estimate> {
        document
            .operations
            .iter()
            .map(|(name, operation)| {
                let walk = Walk {
                    shape: self,
                    document,
                    operation: &operation.node,
                    variables,
                    sizes,
                    sized: std::cell::Cell::new(false),
                };
                let root = match operation.node.ty {
                    async_graphql::parser::types::OperationType::Query => "Query",
                    async_graphql::parser::types::OperationType::Mutation => "Mutation",
                    async_graphql::parser::types::OperationType::Subscription => "Subscription",
                };
                let cost = walk.set(&operation.node.selection_set.node, root, 0);
                Estimate {
                    operation: name.map(|n| n.to_string()),
                    cost,
                    sized: walk.sized.get(),
                }
            })
            .collect()
    }
}

/// The estimated cost of one operation of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// The operation's name (`None`: anonymous).
    pub operation: Option<String>,
    pub cost: usize,
    /// Whether it counted a list by the registry's largest (and so depends on the sizes).
    pub sized: bool,
}

/// A connection's own lists: counted on the connection field.
fn is_page_list(name: &str) -> bool {
    matches!(name, "edges" | "nodes")
}

/// The named type of a field's type, and whether it is a list.
fn named(base: &BaseType) -> (String, bool) {
    match base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named(&inner.base).0, true),
    }
}

/// Fragments nested deeper than this are not followed (validation refuses their cycles).
const MAX_NESTING: usize = 64;

struct Walk<'a> {
    shape: &'a Shape,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    sizes: &'a Sizes,
    /// Whether a list was counted by the registry's largest.
    sized: std::cell::Cell<bool>,
}

impl Walk<'_> {
    fn set(&self, set: &SelectionSet, owner: &str, nesting: usize) -> usize {
        if nesting > MAX_NESTING {
            return 0;
        }
        let mut cost = 0usize;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let known = self
                        .shape
                        .fields
                        .get(owner)
                        .and_then(|fields| fields.get(field.name.node.as_str()));
                    let (inner, bound) =
                        known.map_or(("", Bound::One), |f| (&*f.type_name, f.bound));
                    let child = self.set(&field.selection_set.node, inner, nesting + 1);
                    let items = match bound {
                        Bound::One => 1,
                        Bound::Page => self.page(field),
                        Bound::Most(Items(n)) => n,
                        Bound::Most(Most::Largest(relation)) => {
                            self.sized.set(true);
                            self.sizes.of(relation)
                        }
                        Bound::Most(Ids) => self.ids(field),
                        Bound::Unbounded => crate::service::page::MAX_PAGE_SIZE as usize,
                    };
                    1usize.saturating_add(items.saturating_mul(child))
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(owner, |c| c.node.on.node.as_str());
                    self.set(&fragment.selection_set.node, on, nesting + 1)
                }
                Selection::FragmentSpread(spread) => {
                    match self.document.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment) => self.set(
                            &fragment.node.selection_set.node,
                            fragment.node.type_condition.node.on.node.as_str(),
                            nesting + 1,
                        ),
                        None => 0,
                    }
                }
            };
            cost = cost.saturating_add(add);
        }
        cost
    }

    /// The value of argument `name` of `field`, its variables resolved (with their defaults).
    fn argument(
        &self,
        field: &async_graphql::parser::types::Field,
        name: &str,
    ) -> Option<async_graphql::Value> {
        let value = field.get_argument(name)?;
        value
            .node
            .clone()
            .into_const_with(|variable| {
                self.variables
                    .get(&variable)
                    .cloned()
                    .or_else(|| {
                        self.operation
                            .variable_definitions
                            .iter()
                            .find(|d| d.node.name.node == variable)
                            .and_then(|d| d.node.default_value.as_ref())
                            .map(|v| v.node.clone())
                    })
                    .ok_or(())
            })
            .ok()
    }

    /// The page a connection field asks for: its `first` or `last`, at most the largest page.
    fn page(&self, field: &async_graphql::parser::types::Field) -> usize {
        let most = crate::service::page::MAX_PAGE_SIZE as usize;
        ["first", "last"]
            .iter()
            .find_map(|name| match self.argument(field, name) {
                Some(Value::Number(n)) => n.as_u64(),
                _ => None,
            })
            .map_or(most, |n| (n as usize).clamp(1, most))
    }

    /// How many ids a `nodes(ids:)` field names.
    fn ids(&self, field: &async_graphql::parser::types::Field) -> usize {
        match self.argument(field, "ids") {
            Some(Value::List(ids)) => ids.len().max(1),
            _ => crate::graphql::node::MAX_IDS,
        }
    }
}

/// The actual cost of an answer: its fields, every item of a list counted.
pub fn actual(data: &Value) -> usize {
    match data {
        Value::Object(fields) => fields.values().map(|v| 1 + actual(v)).sum(),
        Value::List(items) => items.iter().map(actual).sum(),
        _ => 0,
    }
}

/// Marks a request whose document is the server's own (an export's): estimated and reported,
/// never refused.
pub struct Trusted;

/// The actual cost an executed response reports (none for one refused before it ran).
pub fn reported(response: &async_graphql::Response) -> usize {
    match response.extensions.get("cost") {
        Some(Value::Object(cost)) => match cost.get("actual") {
            Some(Value::Number(n)) => n.as_u64().map_or(0, |n| n as usize),
            _ => 0,
        },
        _ => 0,
    }
}

/// The extension that estimates, refuses and reports (see the module's documentation).
pub struct Costs {
    shape: Arc<OnceLock<Shape>>,
    limit: usize,
}

impl Costs {
    /// Costs with `limit`, the schema's shape set once the schema is built (see [`Costs::shape`]).
    pub fn new(limit: usize) -> Self {
        Costs {
            shape: Arc::new(OnceLock::new()),
            limit,
        }
    }

    /// Where the built schema's shape goes.
    pub fn shape(&self) -> Arc<OnceLock<Shape>> {
        self.shape.clone()
    }
}

impl ExtensionFactory for Costs {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Costing {
            shape: self.shape.clone(),
            limit: self.limit,
            parsed: Mutex::new(None),
        })
    }
}

struct Costing {
    shape: Arc<OnceLock<Shape>>,
    limit: usize,
    /// The request's document and variables, estimated once validation passed.
    parsed: Mutex<Option<(ExecutableDocument, Variables)>>,
}

/// The refusal of an operation estimated above the limit.
fn too_costly(cost: usize, limit: usize) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "the query costs {cost}, more than the limit of {limit}: ask for smaller pages \
             (first/last) or nest fewer lists"
        ),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", crate::limits::Limit::Cost.code());
    extensions.set("cost", cost as u64);
    extensions.set("limit", limit as u64);
    error.extensions = Some(extensions);
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for Costing {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        *self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some((document.clone(), variables.clone()));
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> async_graphql::Response {
        let parsed = self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let (Some(shape), Some((document, variables))) = (self.shape.get(), parsed) else {
            return next.run(ctx, operation_name).await;
        };
        let pick = |estimates: Vec<Estimate>| {
            estimates.into_iter().find(|e| match operation_name {
                Some(wanted) => e.operation.as_deref() == Some(wanted),
                None => true,
            })
        };
        // First with every list of a public relation counted once: what is over the limit then
        // is refused without reading anything.
        let Some(mut estimate) = pick(shape.estimate(&document, &variables, &Sizes::default()))
        else {
            return next.run(ctx, operation_name).await;
        };
        if estimate.sized
            && estimate.cost <= self.limit
            && let Some(request) = ctx.data_opt::<super::context::RequestContext>()
            && let Some(sizes) = request.list_sizes().await
            && let Some(sized) = pick(shape.estimate(&document, &variables, &sizes))
        {
            estimate = sized;
        }
        let requested = estimate.cost;
        if requested > self.limit && ctx.data_opt::<Trusted>().is_none() {
            return async_graphql::Response::from_errors(vec![too_costly(requested, self.limit)]);
        }
        let mut response = next.run(ctx, operation_name).await;
        let actual = actual(&response.data);
        let mut cost = async_graphql::indexmap::IndexMap::new();
        cost.insert(
            async_graphql::Name::new("requested"),
            Value::from(requested as u64),
        );
        cost.insert(
            async_graphql::Name::new("actual"),
            Value::from(actual as u64),
        );
        cost.insert(
            async_graphql::Name::new("limit"),
            Value::from(self.limit as u64),
        );
        response
            .extensions
            .insert("cost".to_owned(), Value::Object(cost));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> Shape {
        Shape::of_sdl(&crate::graphql::schema().sdl()).expect("the SDL parses")
    }

    fn cost(query: &str) -> usize {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        shape().estimate(&document, &Variables::default(), &Sizes::default())[0].cost
    }

    #[test]
    fn every_list_field_has_a_bound() {
        assert_eq!(shape().unbounded(), Vec::<String>::new());
    }

    #[test]
    fn every_bound_names_a_field_of_the_schema() {
        let shape = shape();
        let unknown: Vec<&str> = LISTS
            .iter()
            .map(|(path, _)| *path)
            .filter(|path| !shape.has(path))
            .collect();
        assert_eq!(unknown, Vec::<&str>::new());
    }

    #[test]
    fn a_page_counts_its_selection_once_per_row_asked_for() {
        assert_eq!(
            cost("{ regions(first: 10) { nodes { code name } } }"),
            1 + 10 * (1 + 2)
        );
        assert_eq!(cost("{ regions(last: 3) { totalCount } }"), 1 + 3);
    }

    #[test]
    fn nested_lists_multiply() {
        let one = cost("{ regions(first: 100) { nodes { subsidies { kind } } } }");
        let most = LISTS
            .iter()
            .find(|(path, _)| *path == "Region.subsidies")
            .map(|(_, most)| *most);
        let Some(Most::Items(subsidies)) = most else {
            panic!("Region.subsidies is bounded by a number");
        };
        assert_eq!(one, 1 + 100 * (1 + (1 + subsidies)));
    }

    #[test]
    fn variables_and_fragments_are_followed() {
        let document = async_graphql::parser::parse_query(
            "query($n: Int = 5) { regions(first: $n) { ...F } } fragment F on RegionConnection { nodes { code } }",
        )
        .expect("parses");
        let shape = shape();
        let sizes = Sizes::default();
        assert_eq!(
            shape.estimate(&document, &Variables::default(), &sizes)[0].cost,
            1 + 5 * 2
        );
        let given = Variables::from_json(serde_json::json!({ "n": 7 }));
        assert_eq!(shape.estimate(&document, &given, &sizes)[0].cost, 1 + 7 * 2);
    }

    #[test]
    fn the_actual_cost_counts_the_fields_of_the_answer() {
        let data = Value::from_json(serde_json::json!({
            "regions": { "nodes": [{ "code": "R01" }, { "code": "R02" }] }
        }))
        .expect("json");
        assert_eq!(actual(&data), 1 + 1 + 2);
    }
}
