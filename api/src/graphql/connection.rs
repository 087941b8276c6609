//! Relay cursor connections. Every list of the API is one: `edges`, `nodes`, `pageInfo` and
//! `totalCount`, with `first`/`after`/`last`/`before` (at most 100 per page). Cursors are keyset
//! positions bound to their list, order and filter (see [`crate::service::page`]).

use crate::service::Page;
use async_graphql::SimpleObject;

/// Where a page sits in its list (Relay `PageInfo`).
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether rows follow this page.
    pub has_next_page: bool,
    /// Whether rows precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first row of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last row of the page.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of `page`.
    pub fn of<T>(page: &Page<T>) -> Self {
        PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
        }
    }
}

/// Declares a connection type and its edge type for a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        pub struct $connection(pub $crate::service::Page<$node>);

        #[doc = concat!("A page of ", $what, ".")]
        #[async_graphql::Object]
        impl $connection {
            /// The rows of this page with their cursors.
            async fn edges(&self) -> Vec<$edge> {
                self.0
                    .items
                    .iter()
                    .map(|(cursor, node)| $edge {
                        cursor: cursor.clone(),
                        node: node.clone(),
                    })
                    .collect()
            }

            /// The rows of this page.
            async fn nodes(&self) -> Vec<$node> {
                self.0.items.iter().map(|(_, node)| node.clone()).collect()
            }

            /// Where this page sits in the list.
            async fn page_info(&self) -> $crate::graphql::connection::PageInfo {
                $crate::graphql::connection::PageInfo::of(&self.0)
            }

            /// The number of rows in the whole filtered list (all pages).
            async fn total_count(&self) -> async_graphql::Result<u64> {
                self.0
                    .total_count
                    .ok_or_else(|| async_graphql::Error::new("totalCount was not computed"))
            }
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque cursor of this row, for `after` and `before` of the same list: a cursor of
            /// another list, order or filter is refused.
            pub cursor: String,
            /// The row.
            pub node: $node,
        }
    };
}

pub(crate) use connection;
