//! Mutations of LeVEL materials (LeVEL editors and admins).

use super::context::request;
use super::enums::{MaterialKind, Theme, Visibility};
use super::learning::LearningMaterial;
use super::mutation::{DeleteInput, DeletePayload, clearable, decode_id, delete_record, payload};
use super::scalars::Date;
use crate::service::edit_materials::{self, MaterialFields};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

/// Input of `createLearningMaterial`.
#[derive(Debug, InputObject)]
pub struct CreateLearningMaterialInput {
    pub kind: MaterialKind,
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    pub published_on: Date,
    /// Required for an EVENT.
    pub event_starts_at: Option<DateTime<Utc>>,
    #[graphql(default_with = "Visibility::Public")]
    pub visibility: Visibility,
    #[graphql(default)]
    pub themes: Vec<Theme>,
    #[graphql(default)]
    pub region_codes: Vec<String>,
    /// A key of your choosing (1–200 characters) that makes a retry safe: a create repeated
    /// with the same key by the same token subject answers with the first call's result instead
    /// of adding a second one.
    pub idempotency_key: Option<String>,
}

/// Input of `updateLearningMaterial`: absent fields stay, null clears.
#[derive(Debug, InputObject)]
pub struct UpdateLearningMaterialInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<MaterialKind>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub url: MaybeUndefined<String>,
    pub published_on: Option<Date>,
    pub event_starts_at: MaybeUndefined<DateTime<Utc>>,
    pub visibility: Option<Visibility>,
    pub themes: Option<Vec<Theme>>,
    pub region_codes: Option<Vec<String>>,
}

payload!(LearningMaterialPayload, learning_material: LearningMaterial, "The result of a LeVEL material mutation.");

impl From<entity::learning_material::Model> for LearningMaterial {
    fn from(m: entity::learning_material::Model) -> Self {
        LearningMaterial(m)
    }
}

fn themes(t: Vec<Theme>) -> Vec<entity::Theme> {
    t.into_iter().map(Into::into).collect()
}

/// Mutations of LeVEL materials.
#[derive(Default)]
pub struct LearningMutation;

#[Object]
impl LearningMutation {
    /// Publishes a LeVEL material.
    async fn create_learning_material(
        &self,
        ctx: &Context<'_>,
        input: CreateLearningMaterialInput,
    ) -> Result<LearningMaterialPayload> {
        let rc = request(ctx)?;
        let fields = MaterialFields {
            kind: Some(input.kind.into()),
            title: Some(input.title),
            summary: Some(input.summary),
            url: Some(input.url),
            published_on: Some(input.published_on.0),
            event_starts_at: Some(input.event_starts_at),
            visibility: Some(input.visibility.into()),
            themes: Some(themes(input.themes)),
            region_codes: Some(input.region_codes),
        };
        LearningMaterialPayload::of(
            edit_materials::create_material(
                &rc.pool,
                &rc.viewer,
                fields,
                input.idempotency_key.as_deref(),
            )
            .await,
        )
    }

    /// Changes a LeVEL material.
    async fn update_learning_material(
        &self,
        ctx: &Context<'_>,
        input: UpdateLearningMaterialInput,
    ) -> Result<LearningMaterialPayload> {
        let rc = request(ctx)?;
        let result = async {
            let id = decode_id("id", "LearningMaterial", &input.id)?;
            let fields = MaterialFields {
                kind: input.kind.map(Into::into),
                title: input.title,
                summary: input.summary,
                url: clearable(input.url),
                published_on: input.published_on.map(|d| d.0),
                event_starts_at: clearable(input.event_starts_at),
                visibility: input.visibility.map(Into::into),
                themes: input.themes.map(themes),
                region_codes: input.region_codes,
            };
            edit_materials::update_material(&rc.pool, &rc.viewer, id, input.version, fields).await
        };
        LearningMaterialPayload::of(result.await)
    }

    /// Deletes a LeVEL material.
    async fn delete_learning_material(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        delete_record::<crate::service::rules::Material>(ctx, input).await
    }
}
