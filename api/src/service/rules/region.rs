//! A region (*regio*): one of the ~54 areas the RESVs cover, from an official list.

use super::{Keepers, Rules};
use crate::access;
use crate::error::ApiResult;
use crate::service::kinds::Kind;
use crate::service::record::{Problems, Record, Writer};
use entity::{SourceKind, region};

/// The inhabitants a region may have: at most the whole country.
pub const REGION_POPULATION: (i64, i64) = (0, 20_000_000);

/// A new region with `code`, from an official list, with nothing else known yet, before the rules.
pub fn new_region(code: String, source_reference: Option<String>) -> region::Model {
    let now = crate::service::write::now();
    entity::new_record!(
        now,
        region::Model {
            id: 0,
            code,
            name: String::new(),
            population_approx: None,
            preferred_insurer: None,
            mandate_municipality: None,
            care_office_region_id: 0,
            iza_region_id: None,
            confidence: None,
            notes: None,
            source: SourceKind::OfficialList,
            source_reference,
            retired_on: None,
        }
    )
}

super::single_row_record!(region, Kind::Region, {
    scope: access::regions,
    keepers: |row| Keepers::Code(&row.code),

    fn check(&mut self) -> Problems {
        let mut rules = Rules::default();
        rules.text("code", &mut self.code, 16);
        if !self
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            rules.bad("code", "letters, digits and hyphens only");
        }
        rules.text("name", &mut self.name, 200);
        rules.count(
            "population_approx",
            self.population_approx,
            REGION_POPULATION,
        );
        rules.optional_text("preferred_insurer", &mut self.preferred_insurer, 100);
        rules.optional_text("mandate_municipality", &mut self.mandate_municipality, 100);
        rules.optional_text("notes", &mut self.notes, 5000);
        rules.optional_text("source_reference", &mut self.source_reference, 1000);
        rules.done()
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_letters_digits_and_hyphens() {
        let problems = |code: &str| new_region(code.to_owned(), None).check();
        let mut region = new_region(" R04-05 ".to_owned(), None);
        region.name = "Regio".to_owned();
        assert_eq!(region.check(), Vec::new());
        assert_eq!(region.code, "R04-05");
        let field = |code: &str| {
            problems(code)
                .into_iter()
                .map(|p| p.field)
                .collect::<Vec<_>>()
        };
        assert!(field("R 04").contains(&"code"));
        assert!(field("").contains(&"code"));
    }
}
