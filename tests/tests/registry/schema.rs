//! The API contract: the served schema equals the checked-in `schema.graphql`.
//! Run with `UPDATE_SCHEMA=1` to rewrite the file after an intended change.

use std::path::Path;

#[test]
fn schema_graphql_matches_the_served_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let served = api::schema_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &served).expect("write schema.graphql");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == served,
        "schema.graphql differs from the served schema; run `UPDATE_SCHEMA=1 cargo test -p registry-tests --test registry schema` and review the diff"
    );
}
