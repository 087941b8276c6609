//! Helpers shared by the edits of what a region keeps.

use crate::access::Viewer;

/// The provenance reference of a row entered through the API.
pub(crate) fn entered_by(viewer: &Viewer) -> Option<String> {
    Some(format!("entered by {}", viewer.sub().unwrap_or("unknown")))
}
