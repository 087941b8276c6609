//! The reference data shipped with the binary: care-office regions, IZA regions, the
//! demonstration regions (CSV files in `api/seed-data/`, copied from the project's shared data with
//! their provenance) and the thirteen disciplines.

use entity::{Confidence, DisciplineCode};
use serde::Deserialize;

const CARE_OFFICE_REGIONS: &str = include_str!("../../seed-data/care_office_regions.csv");
const IZA_REGIONS: &str = include_str!("../../seed-data/iza_regions.csv");
const REGIONS: &str = include_str!("../../seed-data/regions.csv");

/// A row of `care_office_regions.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct CareOfficeRow {
    pub code: String,
    pub name: String,
    pub care_office_insurer: String,
    pub population_approx: Option<i64>,
    pub source: String,
    pub notes: Option<String>,
}

/// A row of `iza_regions.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct IzaRow {
    pub code: String,
    pub name: String,
    pub mandate_municipality: String,
    pub spuk_iza_2025_eur: Option<i64>,
    pub spuk_iza_2026_eur: Option<i64>,
    pub care_office_region_code: String,
    pub population_approx: Option<i64>,
    pub source: String,
    pub note: Option<String>,
}

/// A row of `regions.csv` (the demonstration subdivision).
#[derive(Debug, Clone, Deserialize)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub iza_region_code: String,
    pub care_office_region_code: String,
    pub mandate_municipality: String,
    pub preferred_insurer: String,
    pub population_approx: i64,
    pub provenance: String,
    pub confidence: String,
    pub notes: Option<String>,
}

impl RegionRow {
    /// The `confidence` column as stored.
    pub fn confidence(&self) -> Option<Confidence> {
        match self.confidence.as_str() {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            "low" => Some(Confidence::Low),
            _ => None,
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> anyhow::Result<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.map_err(|e| anyhow::anyhow!("{name}, data row {}: {e}", i + 1)))
        .collect()
}

/// The 31 care-office regions.
pub fn care_office_regions() -> anyhow::Result<Vec<CareOfficeRow>> {
    parse("care_office_regions.csv", CARE_OFFICE_REGIONS)
}

/// The 42 IZA regions.
pub fn iza_regions() -> anyhow::Result<Vec<IzaRow>> {
    parse("iza_regions.csv", IZA_REGIONS)
}

/// The 54 demonstration regions.
pub fn regions() -> anyhow::Result<Vec<RegionRow>> {
    parse("regions.csv", REGIONS)
}

/// A discipline: code, English name, Dutch name (*Nederlandse naam*).
pub const DISCIPLINES: [(DisciplineCode, &str, &str); 13] = [
    (
        DisciplineCode::GeneralPractice,
        "General practitioners",
        "Huisartsen",
    ),
    (
        DisciplineCode::DistrictNursing,
        "District nursing",
        "Wijkverpleging",
    ),
    (DisciplineCode::Pharmacy, "Pharmacists", "Apothekers"),
    (
        DisciplineCode::Physiotherapy,
        "Physiotherapists",
        "Fysiotherapeuten",
    ),
    (DisciplineCode::Dietetics, "Dietitians", "Diëtisten"),
    (
        DisciplineCode::ExerciseTherapy,
        "Exercise therapists",
        "Oefentherapeuten",
    ),
    (
        DisciplineCode::OccupationalTherapy,
        "Occupational therapists",
        "Ergotherapeuten",
    ),
    (
        DisciplineCode::SkinTherapy,
        "Skin therapists",
        "Huidtherapeuten",
    ),
    (
        DisciplineCode::SpeechTherapy,
        "Speech therapists",
        "Logopedisten",
    ),
    (DisciplineCode::Optometry, "Optometrists", "Optometristen"),
    (
        DisciplineCode::ElderlyCareMedicine,
        "Elderly-care physicians",
        "Specialisten ouderengeneeskunde",
    ),
    (
        DisciplineCode::IntellectualDisabilityMedicine,
        "Physicians for people with intellectual disabilities",
        "Artsen verstandelijk gehandicapten",
    ),
    (DisciplineCode::SocialWork, "Social work", "Sociaal werk"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_shipped_files_parse_and_their_keys_resolve() -> anyhow::Result<()> {
        let offices = care_office_regions()?;
        let iza = iza_regions()?;
        let regions = regions()?;
        assert_eq!((offices.len(), iza.len(), regions.len()), (31, 42, 54));
        let office_codes: HashSet<_> = offices.iter().map(|o| o.code.as_str()).collect();
        let iza_codes: HashSet<_> = iza.iter().map(|i| i.code.as_str()).collect();
        assert!(
            iza.iter()
                .all(|i| office_codes.contains(i.care_office_region_code.as_str()))
        );
        assert!(
            regions
                .iter()
                .all(|r| iza_codes.contains(r.iza_region_code.as_str())
                    && office_codes.contains(r.care_office_region_code.as_str()))
        );
        assert_eq!(
            regions.iter().map(|r| r.population_approx).sum::<i64>(),
            17_900_000
        );
        assert!(regions.iter().all(|r| r.confidence().is_some()));
        Ok(())
    }

    #[test]
    fn every_discipline_is_listed_once() {
        let codes: HashSet<_> = DISCIPLINES.iter().map(|d| d.0).collect();
        assert_eq!(codes.len(), DisciplineCode::ALL.len());
    }
}
