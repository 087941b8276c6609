//! What every mutation shares: Relay-style payloads with `userErrors`, and global-id decoding.
//!
//! A mutation's outcome goes to one of two places. Errors about the input — invalid values
//! (`BAD_USER_INPUT`) and conflicts with the current state, such as a stale `version`
//! (`CONFLICT`) — are `userErrors` in the payload, with the input field they concern. Errors about
//! the request as a whole — no token (`UNAUTHENTICATED`), an object that does not exist or is
//! hidden (`NOT_FOUND`), an object that is not yours (`FORBIDDEN`), or a failure on our side —
//! are GraphQL errors with `extensions.code`.

use super::context::request;
use super::node::parse_global_id;
use crate::error::{ApiError, ApiResult};
use crate::service::record::{self, Record};
use async_graphql::{Context, ID, MaybeUndefined, SimpleObject};

/// A problem with the input of a mutation.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// The input field concerned, e.g. `name` or `disciplines`; null when it concerns the whole input.
    pub field: Option<String>,
    /// What is wrong, in a sentence fit to show to a user.
    pub message: String,
    /// `BAD_USER_INPUT` or `CONFLICT`.
    pub code: String,
}

/// Splits a service result into the payload's object and its user errors; request-level errors
/// become GraphQL errors.
pub fn outcome<T>(result: ApiResult<T>) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(err @ ApiError::Invalid { .. }) | Err(err @ ApiError::Conflict(_)) => {
            let field = match &err {
                ApiError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            };
            Ok((
                None,
                vec![UserError {
                    field,
                    message: err.to_string(),
                    code: err.code().to_owned(),
                }],
            ))
        }
        Err(err) => Err(err.into()),
    }
}

/// The database id inside a global id of `kind`; anything else is a field error.
pub fn decode_id(field: &str, kind: &str, id: &ID) -> ApiResult<i32> {
    parse_global_id(id)
        .filter(|(k, _)| k == kind)
        .and_then(|(_, key)| key.parse().ok())
        .ok_or_else(|| ApiError::invalid(field, format!("not the id of a {kind}")))
}

/// A nullable input field as a change: absent leaves the value, null clears it.
pub fn clearable<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Declares a mutation payload holding one changed object (or list) and the user errors.
macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// The object as stored after the change; null when the change was refused.
            pub $field: Option<$ty>,
            /// Why the change was refused; empty on success.
            pub user_errors: Vec<$crate::graphql::mutation::UserError>,
        }

        impl $name {
            /// The payload of a service result.
            pub fn of<T: Into<$ty>>(
                result: $crate::error::ApiResult<T>,
            ) -> async_graphql::Result<Self> {
                let (value, user_errors) = $crate::graphql::mutation::outcome(result)?;
                Ok($name {
                    $field: value.map(Into::into),
                    user_errors,
                })
            }
        }
    };
}

pub(crate) use payload;

/// The payload of a deletion.
#[derive(Debug, Clone, SimpleObject)]
pub struct DeletePayload {
    /// The global id of the deleted object; null when the deletion was refused.
    pub deleted_id: Option<ID>,
    /// Why the deletion was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

impl DeletePayload {
    /// The payload of a deletion of `id`.
    pub fn of(id: ID, result: ApiResult<()>) -> async_graphql::Result<Self> {
        let (done, user_errors) = outcome(result)?;
        Ok(DeletePayload {
            deleted_id: done.map(|()| id),
            user_errors,
        })
    }
}

/// Deletes the record of kind `R` named by `input` through the write pipeline, and reports it:
/// every `delete…` mutation is this, for its kind.
pub async fn delete_record<R: Record>(
    ctx: &Context<'_>,
    input: DeleteInput,
) -> async_graphql::Result<DeletePayload> {
    let rc = request(ctx)?;
    let result = match decode_id("id", R::KIND.info().graphql_type, &input.id) {
        Ok(id) => record::delete_one::<R>(&rc.pool, &rc.viewer, id, input.version)
            .await
            .map(drop),
        Err(err) => Err(err),
    };
    DeletePayload::of(input.id, result)
}

/// Input of a deletion: the object and the version read.
#[derive(Debug, async_graphql::InputObject)]
pub struct DeleteInput {
    /// Global id of the object.
    pub id: ID,
    /// The `version` you read; a stale version is a CONFLICT and deletes nothing.
    pub version: i32,
}
