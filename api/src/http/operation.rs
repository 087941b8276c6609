//! A GraphQL request classified once, before anything runs: what kind of operation it selects,
//! under which name, whether it came as a persisted query or in a batch. Everything downstream
//! (GET's refusal of mutations, the response cache, the read replica, the metrics) asks the
//! [`Operation`] instead of looking at the document again.

use crate::limits::{self, Limit, Limits};
use async_graphql::parser::types::OperationType;

/// What kind of operation a request selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Mutation,
    Subscription,
}

/// One request of a body, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The kind of the selected operation (a document that does not parse counts as a query:
    /// the engine reports it).
    pub kind: Kind,
    /// The operation's name: the one asked for, or that of the document's only operation.
    pub name: Option<String>,
    /// Whether the request named its document by a persisted-query hash.
    pub persisted: bool,
    /// Whether the request came in a batch.
    pub batch: bool,
}

impl Operation {
    /// Whether the operation changes data.
    pub fn is_mutation(&self) -> bool {
        self.kind == Kind::Mutation
    }

    /// The name the metrics and the access log know the operation by.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or("anonymous")
    }
}

/// Checks a request's document against the size, token and alias limits, then classifies it.
/// The parsed document stays in the request, so the engine does not parse it again.
pub fn classify(
    limits: &Limits,
    request: &mut async_graphql::Request,
    persisted: bool,
    batch: bool,
) -> Result<Operation, (Limit, String)> {
    let query = &request.query;
    if query.len() > limits.max_document_bytes {
        return Err((
            Limit::DocumentBytes,
            format!(
                "the query document has {} bytes; at most {} are accepted",
                query.len(),
                limits.max_document_bytes
            ),
        ));
    }
    let tokens = limits::count_tokens(query);
    if tokens > limits.max_tokens {
        return Err((
            Limit::Tokens,
            format!(
                "the query document has {tokens} tokens; at most {} are accepted",
                limits.max_tokens
            ),
        ));
    }
    let wanted = request.operation_name.clone();
    let mut operation = Operation {
        kind: Kind::Query,
        name: wanted.clone(),
        persisted,
        batch,
    };
    // A document that does not parse is left to the schema, which reports it properly.
    let Ok(document) = request.parsed_query() else {
        return Ok(operation);
    };
    let aliases = limits::count_aliases(document);
    if aliases > limits.max_aliases {
        return Err((
            Limit::Aliases,
            format!(
                "the query uses {aliases} aliases; at most {} are accepted",
                limits.max_aliases
            ),
        ));
    }
    let selected = document
        .operations
        .iter()
        .filter(|(name, _)| match (&wanted, name) {
            (Some(wanted), Some(name)) => wanted.as_str() == name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        })
        .map(|(_, operation)| operation.node.ty);
    // Without a name every operation counts: one mutation among them makes it a mutation.
    for ty in selected {
        let kind = match ty {
            OperationType::Query => Kind::Query,
            OperationType::Mutation => Kind::Mutation,
            OperationType::Subscription => Kind::Subscription,
        };
        if operation.kind != Kind::Mutation {
            operation.kind = kind;
        }
    }
    if operation.name.is_none() {
        let mut names = document
            .operations
            .iter()
            .map(|(name, _)| name.map(|n| n.to_string()));
        if let (Some(name), None) = (names.next(), names.next()) {
            operation.name = name;
        }
    }
    Ok(operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classified(query: &str, name: Option<&str>) -> Operation {
        let mut request = async_graphql::Request::new(query);
        if let Some(name) = name {
            request = request.operation_name(name);
        }
        classify(&Limits::default(), &mut request, false, false).expect("within the limits")
    }

    #[test]
    fn documents_are_checked_against_the_limits() {
        let limits = Limits {
            max_document_bytes: 100,
            max_tokens: 20,
            max_aliases: 1,
            ..Limits::default()
        };
        let check = |query: &str| {
            classify(
                &limits,
                &mut async_graphql::Request::new(query),
                false,
                false,
            )
            .map_err(|e| e.0)
        };
        assert!(check("{ a }").is_ok());
        assert_eq!(
            check(&format!("{{ a }} #{}", "x".repeat(100))),
            Err(Limit::DocumentBytes)
        );
        assert_eq!(
            check("{ a b c d e f g h i j k l m n o p q r s t }"),
            Err(Limit::Tokens)
        );
        assert_eq!(check("{ x: a y: a }"), Err(Limit::Aliases));
    }

    #[test]
    fn the_selected_operation_gives_kind_and_name() {
        let one = classified("query Dashboard { a }", None);
        assert_eq!(
            (one.kind, one.label()),
            (Kind::Query, "Dashboard"),
            "the only operation names the request"
        );
        assert_eq!(classified("mutation { a }", None).kind, Kind::Mutation);
        assert_eq!(classified("{ a }", None).label(), "anonymous");
        let two = "query Read { a } mutation Write { b }";
        assert_eq!(classified(two, Some("Read")).kind, Kind::Query);
        assert_eq!(classified(two, Some("Write")).kind, Kind::Mutation);
        // Unnamed, a mutation among the operations counts (the engine refuses the ambiguity).
        assert_eq!(classified(two, None).kind, Kind::Mutation);
        assert_eq!(classified(two, None).name, None);
        assert_eq!(classified("{ a", None).kind, Kind::Query);
    }
}
