//! A neighbourhood collaboration (*hecht wijkverband*) of a region, with its disciplines.

use super::Rules;
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{
    CollaborationStatus, DisciplineCode, SourceKind, nc_discipline,
    neighbourhood_collaboration as collaboration,
};
use sea_orm::{ColumnTrait, QueryFilter};

/// The inhabitants a neighbourhood collaboration may serve: a neighbourhood, not a city.
pub const POPULATION: (i64, i64) = (1, 500_000);

/// A collaboration with its disciplines, as the pipeline writes it and the audit trail records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Collaboration {
    #[serde(flatten)]
    pub row: collaboration::Model,
    pub disciplines: Vec<DisciplineCode>,
}

impl Collaboration {
    /// A new, forming collaboration `name` in region `region_id`, reported by the region, before
    /// the rules.
    pub fn new(region_id: i32, name: String, source_reference: Option<String>) -> Self {
        let at = crate::service::write::now();
        Collaboration {
            row: collaboration::Model {
                id: 0,
                region_id,
                name,
                area: String::new(),
                population: None,
                status: CollaborationStatus::Forming,
                established_on: None,
                source: SourceKind::RegionalReport,
                source_reference,
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
            disciplines: Vec::new(),
        }
    }

    async fn store_links(&self, w: &Writer<'_>) -> ApiResult<()> {
        let collaboration_id = self.row.id;
        super::replace::<nc_discipline::ActiveModel, _>(
            w,
            (nc_discipline::Column::CollaborationId, collaboration_id),
            &self.disciplines,
            |discipline_code| nc_discipline::Model {
                collaboration_id,
                discipline_code,
            },
        )
        .await
    }
}

super::linked_record!(
    Collaboration,
    collaboration,
    Kind::NeighbourhoodCollaboration,
    {
        async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
            let Some(row) = access::neighbourhood_collaborations(w.viewer)
                .filter(collaboration::Column::Id.eq(id))
                .one(w.txn)
                .await?
            else {
                return Ok(None);
            };
            let disciplines = super::links_of(
                w,
                access::nc_disciplines(w.viewer),
                (nc_discipline::Column::CollaborationId, id),
                nc_discipline::Column::DisciplineCode,
                |d| d.discipline_code,
            )
            .await?;
            Ok(Some(Collaboration { row, disciplines }))
        }

        async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
            super::region_code(w, self.row.region_id).await.map(Some)
        }

        fn check(&mut self) -> Problems {
            let mut rules = Rules::default();
            rules.text("name", &mut self.row.name, 200);
            rules.text("area", &mut self.row.area, 200);
            rules.count("population", self.row.population, POPULATION);
            rules.disciplines("disciplines", &mut self.disciplines);
            rules.done()
        }
    }
);
