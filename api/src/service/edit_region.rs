//! Helpers shared by the edits of what a region keeps.

use crate::access::Viewer;
use crate::error::{ApiError, ApiResult};
use entity::DisciplineCode;
use std::collections::BTreeSet;

/// The provenance reference of a row entered through the API.
pub(crate) fn entered_by(viewer: &Viewer) -> Option<String> {
    Some(format!("entered by {}", viewer.sub().unwrap_or("unknown")))
}

/// A set of disciplines without repeats, in code order.
pub(crate) fn disciplines_set(
    field: &str,
    disciplines: &[DisciplineCode],
) -> ApiResult<Vec<DisciplineCode>> {
    let unique: BTreeSet<DisciplineCode> = disciplines.iter().copied().collect();
    if unique.len() != disciplines.len() {
        return Err(ApiError::invalid(field, "each discipline at most once"));
    }
    Ok(unique.into_iter().collect())
}
