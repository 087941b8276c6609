//! A neighbourhood collaboration (*hecht wijkverband*) of a region, with its disciplines.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{
    CollaborationStatus, DisciplineCode, SourceKind, nc_discipline,
    neighbourhood_collaboration as collaboration,
};

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
        let now = crate::service::write::now();
        let row = entity::new_record!(
            now,
            collaboration::Model {
                id: 0,
                region_id,
                name,
                area: String::new(),
                population: None,
                status: CollaborationStatus::Forming,
                established_on: None,
                source: SourceKind::RegionalReport,
                source_reference,
            }
        );
        Collaboration {
            row,
            disciplines: Vec::new(),
        }
    }
}

super::linked_record!(Collaboration, collaboration, Kind::NeighbourhoodCollaboration, {
    scope: access::neighbourhood_collaborations,
    keepers: |row| Keepers::Region(row.region_id),
    links: {
        disciplines: nc_discipline(
            collaboration_id: CollaborationId, discipline_code: DisciplineCode
        ) in access::nc_disciplines,
    },

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.text("name", &mut self.row.name, 200);
        rules.text("area", &mut self.row.area, 200);
        rules.count("population", self.row.population, POPULATION);
        rules.disciplines("disciplines", &mut self.disciplines);
        rules.done()
    }
});
