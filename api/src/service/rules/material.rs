//! A material of the LeVEL learning network, with its themes and the regions it concerns.

use super::Rules;
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{
    MaterialKind, SourceKind, Theme, Visibility, learning_material as material, material_region,
    material_theme,
};
use sea_orm::{ColumnTrait, QueryFilter};

/// A material with its themes and regions, as the pipeline writes it and the audit trail records
/// it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Material {
    #[serde(flatten)]
    pub row: material::Model,
    pub themes: Vec<Theme>,
    pub region_ids: Vec<i32>,
}

impl Material {
    /// A new public material of `kind` titled `title`, published today, before the rules.
    pub fn new(kind: MaterialKind, title: String, source_reference: Option<String>) -> Self {
        let at = crate::service::write::now();
        Material {
            row: material::Model {
                id: 0,
                kind,
                title,
                summary: String::new(),
                url: None,
                published_on: at.date_naive(),
                event_starts_at: None,
                visibility: Visibility::Public,
                source: SourceKind::OfficialList,
                source_reference,
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
            themes: Vec::new(),
            region_ids: Vec::new(),
        }
    }

    async fn store_links(&self, w: &Writer<'_>) -> ApiResult<()> {
        let material_id = self.row.id;
        super::replace::<material_theme::ActiveModel, _>(
            w,
            (material_theme::Column::MaterialId, material_id),
            &self.themes,
            |theme| material_theme::Model { material_id, theme },
        )
        .await?;
        super::replace::<material_region::ActiveModel, _>(
            w,
            (material_region::Column::MaterialId, material_id),
            &self.region_ids,
            |region_id| material_region::Model {
                material_id,
                region_id,
            },
        )
        .await
    }
}

super::linked_record!(Material, material, Kind::LearningMaterial, {
    async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
        let Some(row) = access::learning_materials(w.viewer)
            .filter(material::Column::Id.eq(id))
            .one(w.txn)
            .await?
        else {
            return Ok(None);
        };
        let themes = super::links_of(
            w,
            access::material_themes(w.viewer),
            (material_theme::Column::MaterialId, id),
            material_theme::Column::Theme,
            |t| t.theme,
        )
        .await?;
        let region_ids = super::links_of(
            w,
            access::material_regions(w.viewer),
            (material_region::Column::MaterialId, id),
            material_region::Column::RegionId,
            |r| r.region_id,
        )
        .await?;
        Ok(Some(Material {
            row,
            themes,
            region_ids,
        }))
    }

    async fn region_code(&self, _w: &Writer<'_>) -> ApiResult<Option<String>> {
        // LeVEL's editors keep the materials of every region.
        Ok(None)
    }

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        let row = &mut self.row;
        rules.text("title", &mut row.title, 300);
        rules.text("summary", &mut row.summary, 5000);
        rules.url("url", &mut row.url);
        if row.kind == MaterialKind::Event && row.event_starts_at.is_none() {
            rules.bad("event_starts_at", "an event needs its start");
        }
        rules.set("themes", &mut self.themes, "each theme at most once");
        self.region_ids.sort();
        self.region_ids.dedup();
        rules.done()
    }
});
