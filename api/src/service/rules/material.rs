//! A material of the LeVEL learning network, with its themes and the regions it concerns.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{
    MaterialKind, SourceKind, Theme, Visibility, learning_material as material, material_region,
    material_theme,
};

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
        let now = crate::service::write::now();
        let row = entity::new_record!(
            now,
            material::Model {
                id: 0,
                kind,
                title,
                summary: String::new(),
                url: None,
                published_on: now.date_naive(),
                event_starts_at: None,
                visibility: Visibility::Public,
                source: SourceKind::OfficialList,
                source_reference,
            }
        );
        Material {
            row,
            themes: Vec::new(),
            region_ids: Vec::new(),
        }
    }
}

super::linked_record!(Material, material, Kind::LearningMaterial, {
    scope: access::learning_materials,
    // LeVEL's editors keep the materials of every region.
    keepers: |_| Keepers::National,
    links: {
        themes: material_theme(material_id: MaterialId, theme: Theme) in access::material_themes,
        region_ids: material_region(
            material_id: MaterialId, region_id: RegionId
        ) in access::material_regions,
    },

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
