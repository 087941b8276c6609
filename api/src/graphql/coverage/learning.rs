//! The LeVEL learning network on a date, counted with the viewer's own rights.

use super::Coverage;
use crate::graphql::context::request;
use crate::graphql::enums::{MaterialKind, Theme};
use crate::graphql::learning::LearningMaterial;
use async_graphql::{Context, Object, Result, SimpleObject};

/// Learning materials of one theme and kind.
#[derive(SimpleObject)]
pub struct MaterialCount {
    pub theme: Theme,
    pub kind: MaterialKind,
    pub materials: i64,
}

/// Learning materials of one kind.
#[derive(SimpleObject)]
pub struct MaterialKindCount {
    pub kind: MaterialKind,
    pub materials: i64,
}

/// The LeVEL learning network on a date.
pub struct LearningCoverage(pub(super) Coverage);

#[Object]
impl LearningCoverage {
    /// Materials per theme and kind (a material with several themes counts under each).
    async fn by_theme_and_kind(&self) -> Result<Vec<MaterialCount>> {
        let grid = self.0.set.learning().await?;
        Ok(grid
            .rows(self.0.point, "")
            .iter()
            .filter_map(|r| {
                Some(MaterialCount {
                    theme: r.theme?.into(),
                    kind: r.kind.into(),
                    materials: r.materials,
                })
            })
            .collect())
    }

    /// Materials per kind, each counted once.
    async fn by_kind(&self) -> Result<Vec<MaterialKindCount>> {
        let grid = self.0.set.learning().await?;
        let rows = grid.rows(self.0.point, "");
        Ok(entity::MaterialKind::ALL
            .iter()
            .map(|&kind| MaterialKindCount {
                kind: kind.into(),
                materials: rows
                    .iter()
                    .filter(|r| r.theme.is_none() && r.kind == kind)
                    .map(|r| r.materials)
                    .sum(),
            })
            .collect())
    }

    /// Events and webinars starting after this date, soonest first (at most 20).
    async fn upcoming_events(&self, ctx: &Context<'_>) -> Result<Vec<LearningMaterial>> {
        let grid = self.0.set.events().await?;
        let ids: Vec<i32> = grid
            .rows(self.0.point, "")
            .iter()
            .filter_map(|e| i32::try_from(e.material_id).ok())
            .collect();
        let loaded = request(ctx)?
            .loaders
            .material()
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| loaded.get(id).cloned().map(LearningMaterial))
            .collect())
    }
}
