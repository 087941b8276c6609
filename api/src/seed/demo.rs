//! Deterministic demonstration data, generated with a fixed seed so that the national figures match
//! the published mid-2025 state of the programme (minister's progress letter, `seeds/002_*`):
//! 52 of the 54 regions applied for an implementation subsidy, 48 were granted (EUR 0.5–2 million),
//! the applicants cover about 98% of the population, almost 200 vouchers were granted.
//!
//! Every generated row has `source = DEMONSTRATION`. The generator is pure: it assigns ids itself
//! and touches no database, so its figures can be checked in unit tests.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seed of the generator; changing it changes every demonstration row.
pub const SEED: u64 = 20_250_701;
/// Number of implementation-subsidy applications per 54 regions (published: 52).
pub const IMPLEMENTATION_APPLIED: usize = 52;
/// Number of implementation subsidies granted per 54 regions (published: 48).
pub const IMPLEMENTATION_GRANTED: usize = 48;
/// Number of preparation subsidies granted per 54 regions (published: 43 regions).
pub const PREPARATION_GRANTED: usize = 43;
/// Population share of the regions with a preparation subsidy (published: about 85%).
pub const PREPARATION_SHARE: f64 = 0.85;
/// Number of vouchers granted per 54 regions (published: "almost 200").
pub const VOUCHERS_GRANTED: usize = 197;
/// Lowest and highest implementation grant in cents (published: EUR 500,000 to 2 million).
pub const IMPLEMENTATION_RANGE_CENTS: (i64, i64) = (50_000_000, 200_000_000);

const REFERENCE: &str = "generated demonstration data (seed 20250701); not real";

/// A region the generator fills, as stored.
#[derive(Debug, Clone)]
pub struct DemoRegion {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub population: i64,
    pub mandate_municipality: String,
    pub preferred_insurer: String,
}

/// Everything the generator makes, with ids assigned from 1.
#[derive(Debug, Default)]
pub struct DemoData {
    pub resvs: Vec<resv::Model>,
    pub seats: Vec<seat::Model>,
    pub seat_disciplines: Vec<seat_discipline::Model>,
    pub parties: Vec<regional_table_party::Model>,
    pub subsidies: Vec<subsidy::Model>,
    pub vouchers: Vec<voucher::Model>,
    pub collaborations: Vec<neighbourhood_collaboration::Model>,
    pub collaboration_disciplines: Vec<nc_discipline::Model>,
    pub agreements: Vec<agreement::Model>,
    pub agreement_disciplines: Vec<agreement_discipline::Model>,
    pub materials: Vec<learning_material::Model>,
    pub material_themes: Vec<material_theme::Model>,
    pub material_regions: Vec<material_region::Model>,
}

/// The moment every demonstration row says it was recorded.
pub fn recorded_at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_751_328_000, 0).unwrap_or_default() // 2025-07-01T00:00:00Z
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// The two regions that do not apply: the pair whose joint population is closest to 2% of the
/// total, so the 52 applicants cover about 98% (the published share).
fn non_applicants(regions: &[DemoRegion]) -> (usize, usize) {
    let total: i64 = regions.iter().map(|r| r.population).sum();
    let target = total / 50;
    let mut best = (0, 1, i64::MAX);
    for i in 0..regions.len() {
        for j in i + 1..regions.len() {
            let gap = (regions[i].population + regions[j].population - target).abs();
            if gap < best.2 {
                best = (i, j, gap);
            }
        }
    }
    (best.0, best.1)
}

/// Picks `count` regions at random, then swaps members in and out until they hold about `share`
/// of the population (within half a percentage point, where the regions allow it).
fn choose_by_share(
    rng: &mut ChaCha8Rng,
    regions: &[DemoRegion],
    count: usize,
    share: f64,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.shuffle(rng);
    let count = count.min(order.len());
    let rest = order.split_off(count);
    let (mut chosen, mut rest) = (order, rest);
    let total: i64 = regions.iter().map(|r| r.population).sum();
    let target = (total as f64 * share) as i64;
    let tolerance = total / 200;
    for _ in 0..100 {
        let sum: i64 = chosen.iter().map(|&i| regions[i].population).sum();
        let gap = target - sum;
        if gap.abs() <= tolerance {
            break;
        }
        let mut best: Option<(usize, usize, i64)> = None;
        for (a, &i) in chosen.iter().enumerate() {
            for (b, &j) in rest.iter().enumerate() {
                let after = (gap - (regions[j].population - regions[i].population)).abs();
                if after < best.map_or(gap.abs(), |(_, _, g)| g) {
                    best = Some((a, b, after));
                }
            }
        }
        let Some((a, b, _)) = best else { break };
        std::mem::swap(&mut chosen[a], &mut rest[b]);
    }
    chosen
}

/// Counters handing out ids per table.
#[derive(Debug, Default)]
struct Ids {
    resv: i32,
    seat: i32,
    party: i32,
    subsidy: i32,
    voucher: i32,
    collaboration: i32,
    agreement: i32,
}

fn next(counter: &mut i32) -> i32 {
    *counter += 1;
    *counter
}

/// What a phase index (0 = network … 3 = deepening) makes likely.
fn task_status(rng: &mut ChaCha8Rng, phase: usize, head_start: usize) -> TaskStatus {
    let level = phase + head_start;
    let roll: f64 = rng.r#gen();
    match level {
        0 => {
            if roll < 0.8 {
                TaskStatus::NotStarted
            } else {
                TaskStatus::InProgress
            }
        }
        1 => {
            if roll < 0.3 {
                TaskStatus::NotStarted
            } else {
                TaskStatus::InProgress
            }
        }
        2 => {
            if roll < 0.6 {
                TaskStatus::InProgress
            } else {
                TaskStatus::Operational
            }
        }
        _ => {
            if roll < 0.2 {
                TaskStatus::InProgress
            } else {
                TaskStatus::Operational
            }
        }
    }
}

fn mandate(rng: &mut ChaCha8Rng, phase: usize, core: bool) -> MandateStatus {
    let mandated = if core {
        [0.55, 0.8, 0.95, 1.0]
    } else {
        [0.2, 0.45, 0.7, 0.85]
    }[phase];
    let roll: f64 = rng.r#gen();
    if roll < mandated {
        MandateStatus::Mandated
    } else if roll < mandated + (1.0 - mandated) * 0.7 {
        MandateStatus::Pending
    } else {
        MandateStatus::None
    }
}

/// Generates the demonstration data for `regions`, which come in replicas of the 54 base regions
/// (`regions.len()` must be a multiple of `base`): each replica gets the published figures.
pub fn generate(regions: &[DemoRegion], base: usize) -> DemoData {
    let mut data = DemoData::default();
    let mut ids = Ids::default();
    if base == 0 {
        return data;
    }
    let (skip_a, skip_b) = non_applicants(&regions[..base]);
    for (replica, chunk) in regions.chunks(base).enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ replica as u64);
        replica_data(
            &mut data,
            &mut ids,
            &mut rng,
            chunk,
            (skip_a, skip_b),
            replica,
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    materials(&mut data, &mut rng, &regions[..base]);
    data
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Granted,
    InReview,
    Rejected,
    Withdrawn,
    NotApplied,
}

fn replica_data(
    data: &mut DemoData,
    ids: &mut Ids,
    rng: &mut ChaCha8Rng,
    regions: &[DemoRegion],
    skip: (usize, usize),
    replica: usize,
) {
    let now = recorded_at();
    // Implementation-subsidy outcome per region.
    let mut applicants: Vec<usize> = (0..regions.len())
        .filter(|i| *i != skip.0 && *i != skip.1)
        .collect();
    applicants.shuffle(rng);
    let mut outcome = vec![Outcome::NotApplied; regions.len()];
    for (rank, &i) in applicants.iter().enumerate() {
        outcome[i] = match rank {
            r if r < IMPLEMENTATION_GRANTED => Outcome::Granted,
            r if r < IMPLEMENTATION_GRANTED + 2 => Outcome::InReview,
            r if r == IMPLEMENTATION_GRANTED + 2 => Outcome::Rejected,
            _ => Outcome::Withdrawn,
        };
    }
    // Phases of the granted regions: 7 deepening, 15 organisation, 18 agreements, 8 network.
    let mut granted: Vec<usize> = (0..regions.len())
        .filter(|&i| outcome[i] == Outcome::Granted)
        .collect();
    granted.shuffle(rng);
    let mut phase_of: Vec<Option<usize>> = vec![None; regions.len()];
    for (rank, &i) in granted.iter().enumerate() {
        phase_of[i] = Some(match rank {
            r if r < 7 => 3,
            r if r < 22 => 2,
            r if r < 40 => 1,
            _ => 0,
        });
    }
    // Regions in review formed a network already, and one region started without a subsidy.
    for i in 0..regions.len() {
        if outcome[i] == Outcome::InReview || i == skip.0 {
            phase_of[i] = Some(0);
        }
    }

    // Preparation subsidies: 43 regions with about 85% of the population (published), first
    // round decided 30 October 2023.
    let prepared = choose_by_share(rng, regions, PREPARATION_GRANTED, PREPARATION_SHARE);
    for (rank, &i) in prepared
        .iter()
        .take(PREPARATION_GRANTED.min(regions.len()))
        .enumerate()
    {
        let region = &regions[i];
        let first_round = rank < 30;
        let (applied, decided) = if first_round {
            (date(2023, 9, 1), date(2023, 10, 30))
        } else {
            (date(2024, 1, 15), date(2024, 3, 28))
        };
        let granted_cents = rng.gen_range(60..=150) * 100_000;
        data.subsidies.push(subsidy::Model {
            id: next(&mut ids.subsidy),
            region_id: Some(region.id),
            kind: SubsidyKind::Preparation,
            status: ApplicationStatus::Granted,
            applicant: Some(format!(
                "Huisartsenorganisatie {} (namens RHO, VVT en {})",
                region.name, region.preferred_insurer
            )),
            amount_requested_cents: Some(granted_cents),
            amount_granted_cents: Some(granted_cents),
            applied_on: applied,
            decided_on: Some(decided),
            period_start: Some(plus_days(decided, 2)),
            period_end: Some(plus_days(decided, 365)),
            zonmw_reference: Some(format!("DEMO-PREP-{}", region.code)),
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }

    let deadlines = [date(2024, 7, 3), date(2024, 9, 25), date(2024, 12, 4)];
    for (i, region) in regions.iter().enumerate() {
        let phase = phase_of[i];
        // Implementation subsidy.
        if outcome[i] != Outcome::NotApplied {
            let applied = match outcome[i] {
                Outcome::InReview => date(2025, 5, 14),
                _ => pick(rng, &deadlines),
            };
            let (lo, hi) = IMPLEMENTATION_RANGE_CENTS;
            let base = (25_000_000 + region.population * 190).clamp(lo, hi);
            let jitter = rng.gen_range(-40..=40) * 100_000;
            let granted_cents = (base + jitter).clamp(lo, hi) / 100_000 * 100_000;
            let requested = granted_cents + rng.gen_range(0..=12) * 1_000_000;
            let decided = plus_days(applied, rng.gen_range(70..=120));
            let (status, decided_on, granted_amount, period) = match outcome[i] {
                Outcome::Granted => (
                    ApplicationStatus::Granted,
                    Some(decided),
                    Some(granted_cents),
                    Some(plus_days(decided, 14)),
                ),
                Outcome::InReview => (ApplicationStatus::InReview, None, None, None),
                Outcome::Rejected => (ApplicationStatus::Rejected, Some(decided), None, None),
                _ => (ApplicationStatus::Withdrawn, None, None, None),
            };
            data.subsidies.push(subsidy::Model {
                id: next(&mut ids.subsidy),
                region_id: Some(region.id),
                kind: SubsidyKind::Implementation,
                status,
                applicant: Some(format!(
                    "Huisartsenorganisatie {} (namens RHO, VVT en {})",
                    region.name, region.preferred_insurer
                )),
                // Requests stay within the programme's maximum, as the API requires.
                amount_requested_cents: Some(requested.min(hi)),
                amount_granted_cents: granted_amount,
                applied_on: applied,
                decided_on,
                period_start: period,
                period_end: period.map(|_| date(2026, 12, 31)),
                zonmw_reference: Some(format!("DEMO-IMP-{}", region.code)),
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }

        let resv_id = phase.map(|p| resv(data, ids, rng, region, p));
        regional_table(
            data,
            ids,
            region,
            resv_id.map(|_| format!("Eerstelijnssamenwerking {}", region.name)),
        );
        collaborations(data, ids, rng, region, phase);
    }

    vouchers(data, ids, rng, regions, &phase_of);

    if replica == 0 {
        let decided = date(2024, 11, 1);
        data.subsidies.push(subsidy::Model {
            id: next(&mut ids.subsidy),
            region_id: None,
            kind: SubsidyKind::Research,
            status: ApplicationStatus::Granted,
            applicant: Some(
                "Onderzoeksconsortium wijkverbanden en RESV's (demonstration)".to_owned(),
            ),
            amount_requested_cents: Some(150_000_000),
            amount_granted_cents: Some(120_000_000),
            applied_on: date(2024, 6, 1),
            decided_on: Some(decided),
            period_start: Some(date(2025, 1, 1)),
            period_end: Some(date(2026, 12, 31)),
            zonmw_reference: Some("DEMO-RES-1".to_owned()),
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
}

/// Creates the RESV of a region in phase `p` (0..=3) with its seats and agreements.
fn resv(
    data: &mut DemoData,
    ids: &mut Ids,
    rng: &mut ChaCha8Rng,
    region: &DemoRegion,
    p: usize,
) -> i32 {
    let now = recorded_at();
    let id = next(&mut ids.resv);
    let phase = Phase::ALL[p];
    let established = plus_days(
        date(2024, 3, 1),
        rng.gen_range(0..=200) + (3 - p as u64) * 60,
    );
    let legal_form = if p >= 2 {
        pick(
            rng,
            &[
                LegalForm::Association,
                LegalForm::Foundation,
                LegalForm::Cooperative,
            ],
        )
    } else {
        LegalForm::Network
    };
    let treasurer = (legal_form == LegalForm::Network).then(|| {
        if rng.gen_bool(0.7) {
            format!("Huisartsenorganisatie {} (RHO)", region.name)
        } else {
            format!("VVT-organisatie {}", region.name)
        }
    });
    let criterion = |rng: &mut ChaCha8Rng, note: &str| {
        let met = rng.gen_bool([0.25, 0.5, 0.75, 0.95][p]);
        (met, (!met).then(|| note.to_owned()))
    };
    let core = criterion(
        rng,
        "Not all core disciplines are party to the agreements yet.",
    );
    let mandated = criterion(
        rng,
        "Some delegates have no mandate of their regional organisation yet.",
    );
    let governance = criterion(rng, "Governance is not yet multidisciplinary.");
    let agenda = criterion(
        rng,
        "Agreements are not yet tied to the regiobeeld/regioplan.",
    );
    let citizens = criterion(rng, "No form of citizen participation yet.");
    data.resvs.push(resv::Model {
        id,
        region_id: region.id,
        name: format!("Eerstelijnssamenwerking {}", region.name),
        legal_form,
        treasurer,
        phase,
        established_on: Some(established),
        contracted_from: (p == 3).then(|| date(2027, 1, 1)),
        task_mandate: task_status(rng, p, 1),
        task_capacity_access: task_status(rng, p, 0),
        task_care_agreements: task_status(rng, p, 0),
        task_neighbourhood_support: task_status(rng, p, 1),
        task_facilitation: task_status(rng, p, 0),
        criterion_core_disciplines_met: core.0,
        criterion_core_disciplines_note: core.1,
        criterion_mandated_representation_met: mandated.0,
        criterion_mandated_representation_note: mandated.1,
        criterion_multidisciplinary_governance_met: governance.0,
        criterion_multidisciplinary_governance_note: governance.1,
        criterion_regional_agenda_met: agenda.0,
        criterion_regional_agenda_note: agenda.1,
        criterion_citizen_participation_met: citizens.0,
        criterion_citizen_participation_note: citizens.1,
        citizen_participation: citizens
            .0
            .then(|| "A patients' panel advises the RESV board.".to_owned()),
        website: Some(format!(
            "https://example.org/resv/{}",
            region.code.to_lowercase()
        )),
        contact_name: Some(format!("Coordinator {}", region.name)),
        contact_email: Some(format!(
            "coordinator.{}@example.org",
            region.code.to_lowercase()
        )),
        internal_notes: Some(
            "Demonstration: the next board meeting discusses the mandates.".to_owned(),
        ),
        source: SourceKind::Demonstration,
        source_reference: Some(REFERENCE.to_owned()),
        imported_at: None,
        imported_by: None,
        version: 1,
        created_at: now,
        updated_at: now,
    });

    let mut seat = |data: &mut DemoData,
                    organisation: String,
                    disciplines: &[DisciplineCode],
                    status: MandateStatus| {
        let seat_id = next(&mut ids.seat);
        data.seats.push(seat::Model {
            id: seat_id,
            resv_id: id,
            organisation,
            mandate_status: status,
            since: (status != MandateStatus::None).then(|| plus_days(established, 30)),
            delegate_name: (status != MandateStatus::None).then(|| format!("Delegate {seat_id}")),
            delegate_email: (status != MandateStatus::None)
                .then(|| format!("delegate.{seat_id}@example.org")),
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        for &d in disciplines {
            data.seat_disciplines.push(seat_discipline::Model {
                seat_id,
                discipline_code: d,
                resv_id: id,
            });
        }
    };
    let name = &region.name;
    use DisciplineCode as D;
    seat(
        data,
        format!("Huisartsenorganisatie {name} (RHO)"),
        &[D::GeneralPractice],
        mandate(rng, p, true),
    );
    seat(
        data,
        format!("Wijkverpleging {name}"),
        &[D::DistrictNursing],
        mandate(rng, p, true),
    );
    seat(
        data,
        format!("Apothekerscoöperatie {name}"),
        &[D::Pharmacy],
        mandate(rng, p, true),
    );
    if rng.gen_bool(0.5 + 0.15 * p as f64) {
        seat(
            data,
            format!("Sociaal Werk {name}"),
            &[D::SocialWork],
            mandate(rng, p, false),
        );
    }
    if rng.gen_bool(0.3 + 0.15 * p as f64) {
        seat(
            data,
            format!("Specialisten ouderengeneeskunde {name}"),
            &[D::ElderlyCareMedicine],
            mandate(rng, p, false),
        );
    }
    if rng.gen_bool(0.15 + 0.1 * p as f64) {
        seat(
            data,
            format!("AVG-artsen {name}"),
            &[D::IntellectualDisabilityMedicine],
            mandate(rng, p, false),
        );
    }
    let mut paramedics: Vec<DisciplineCode> = DisciplineCode::ALL
        .iter()
        .copied()
        .filter(|d| d.is_paramedical())
        .collect();
    paramedics.shuffle(rng);
    if rng.gen_bool(0.45) {
        // A multidisciplinary paramedical network: one seat for several disciplines.
        let size = rng.gen_range(3..=paramedics.len());
        let (network, rest) = paramedics.split_at(size);
        let mut network = network.to_vec();
        network.sort();
        seat(
            data,
            format!("Paramedisch Netwerk {name}"),
            &network,
            mandate(rng, p, false),
        );
        for &d in rest {
            if rng.gen_bool(0.25) {
                seat(
                    data,
                    format!("{} {name}", monodisciplinary_name(d)),
                    &[d],
                    mandate(rng, p, false),
                );
            }
        }
    } else {
        for &d in &paramedics {
            if rng.gen_bool(0.25 + 0.15 * p as f64) {
                seat(
                    data,
                    format!("{} {name}", monodisciplinary_name(d)),
                    &[d],
                    mandate(rng, p, false),
                );
            }
        }
    }

    if p >= 1 {
        let mut topics: Vec<usize> = (0..AGREEMENTS.len()).collect();
        topics.shuffle(rng);
        for &t in topics.iter().take(1 + 2 * p) {
            let (topic, level, disciplines) = AGREEMENTS[t];
            let agreement_id = next(&mut ids.agreement);
            let status = match p {
                1 => pick(rng, &[AgreementStatus::Draft, AgreementStatus::Agreed]),
                2 => pick(
                    rng,
                    &[
                        AgreementStatus::Draft,
                        AgreementStatus::Agreed,
                        AgreementStatus::Implemented,
                    ],
                ),
                _ => pick(
                    rng,
                    &[AgreementStatus::Agreed, AgreementStatus::Implemented],
                ),
            };
            data.agreements.push(agreement::Model {
                id: agreement_id,
                resv_id: id,
                topic: topic.to_owned(),
                level,
                status,
                agreed_on: (status != AgreementStatus::Draft)
                    .then(|| plus_days(established, rng.gen_range(60..=300))),
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
            for &d in disciplines {
                data.agreement_disciplines
                    .push(agreement_discipline::Model {
                        agreement_id,
                        discipline_code: d,
                    });
            }
        }
    }
    id
}

fn monodisciplinary_name(d: DisciplineCode) -> &'static str {
    match d {
        DisciplineCode::Physiotherapy => "Fysiotherapie",
        DisciplineCode::Dietetics => "Diëtisten",
        DisciplineCode::ExerciseTherapy => "Oefentherapie",
        DisciplineCode::OccupationalTherapy => "Ergotherapie",
        DisciplineCode::SkinTherapy => "Huidtherapie",
        DisciplineCode::SpeechTherapy => "Logopedie",
        DisciplineCode::Optometry => "Optometrie",
        _ => "Regionale organisatie",
    }
}

/// Example agreements from the source documents, with their level and disciplines.
const AGREEMENTS: [(&str, AgreementLevel, &[DisciplineCode]); 12] = {
    use AgreementLevel::*;
    use DisciplineCode as D;
    [
        (
            "Interpreter phone line (tolkentelefoon)",
            PrimaryCare,
            &[D::GeneralPractice, D::DistrictNursing, D::Pharmacy],
        ),
        (
            "Multidisciplinary meetings (MDO)",
            PrimaryCare,
            &[
                D::GeneralPractice,
                D::DistrictNursing,
                D::ElderlyCareMedicine,
            ],
        ),
        (
            "Frail-elderly guideline (kwetsbare ouderen)",
            PrimaryCare,
            &[
                D::GeneralPractice,
                D::DistrictNursing,
                D::Pharmacy,
                D::Physiotherapy,
                D::ElderlyCareMedicine,
            ],
        ),
        (
            "Fall prevention (valpreventie)",
            PrimaryCare,
            &[
                D::GeneralPractice,
                D::Physiotherapy,
                D::ExerciseTherapy,
                D::OccupationalTherapy,
            ],
        ),
        (
            "Combined lifestyle intervention (GLI)",
            SocialDomain,
            &[
                D::GeneralPractice,
                D::Dietetics,
                D::Physiotherapy,
                D::SocialWork,
            ],
        ),
        (
            "Welfare on Prescription (Welzijn op Recept)",
            SocialDomain,
            &[D::GeneralPractice, D::SocialWork],
        ),
        (
            "Medication safety and palliative kit",
            PrimaryCare,
            &[D::GeneralPractice, D::Pharmacy, D::DistrictNursing],
        ),
        (
            "One front desk for care and welfare",
            SocialDomain,
            &[D::GeneralPractice, D::DistrictNursing, D::SocialWork],
        ),
        (
            "Short-stay primary-care beds (ELV)",
            HospitalMentalHealth,
            &[
                D::GeneralPractice,
                D::ElderlyCareMedicine,
                D::DistrictNursing,
            ],
        ),
        (
            "Care coordination in acute care",
            HospitalMentalHealth,
            &[D::GeneralPractice, D::DistrictNursing],
        ),
        (
            "Home monitoring",
            HospitalMentalHealth,
            &[D::GeneralPractice, D::DistrictNursing, D::Physiotherapy],
        ),
        (
            "Mental-health network (1.5-line care)",
            HospitalMentalHealth,
            &[D::GeneralPractice, D::SocialWork],
        ),
    ]
};

fn regional_table(
    data: &mut DemoData,
    ids: &mut Ids,
    region: &DemoRegion,
    resv_name: Option<String>,
) {
    let now = recorded_at();
    let name = &region.name;
    let mut parties = vec![
        (TablePartyKind::Hospital, format!("Ziekenhuis {name}")),
        (TablePartyKind::Vvt, format!("VVT-organisatie {name}")),
        (TablePartyKind::Ggz, format!("GGZ {name}")),
        (
            TablePartyKind::MunicipalitySocialWork,
            format!("Gemeente {}", region.mandate_municipality),
        ),
        (TablePartyKind::Insurer, region.preferred_insurer.clone()),
    ];
    if let Some(resv_name) = resv_name {
        parties.push((TablePartyKind::Resv, resv_name));
    }
    for (kind, organisation) in parties {
        data.parties.push(regional_table_party::Model {
            id: next(&mut ids.party),
            region_id: region.id,
            kind,
            organisation,
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
}

/// Neighbourhood collaborations of 10,000–20,000 inhabitants covering part of the region.
fn collaborations(
    data: &mut DemoData,
    ids: &mut Ids,
    rng: &mut ChaCha8Rng,
    region: &DemoRegion,
    phase: Option<usize>,
) {
    let now = recorded_at();
    let share = match phase {
        None => 0.08,
        Some(p) => [0.2, 0.4, 0.6, 0.8][p],
    };
    let mut left = (region.population as f64 * share) as i64;
    let mut n = 0;
    while left >= 10_000 {
        n += 1;
        let population = rng.gen_range(10_000..=20_000).min(left.max(10_000));
        left -= population;
        let id = next(&mut ids.collaboration);
        let roll: f64 = rng.r#gen();
        let status = if roll < 0.75 {
            CollaborationStatus::Active
        } else if roll < 0.95 {
            CollaborationStatus::Forming
        } else {
            CollaborationStatus::Stopped
        };
        data.collaborations
            .push(neighbourhood_collaboration::Model {
                id,
                region_id: region.id,
                name: format!("Wijkverband {} {n}", region.name),
                area: format!("Demonstration neighbourhood {n} of {}", region.name),
                population: Some(population),
                status,
                established_on: Some(plus_days(date(2024, 1, 15), rng.gen_range(0..=530))),
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
                imported_at: None,
                imported_by: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        use DisciplineCode as D;
        let odds = [
            (D::GeneralPractice, 1.0),
            (D::DistrictNursing, 1.0),
            (D::Pharmacy, 0.9),
            (D::SocialWork, 0.75),
            (D::Physiotherapy, 0.5),
            (D::Dietetics, 0.3),
            (D::ElderlyCareMedicine, 0.25),
            (D::SpeechTherapy, 0.1),
            (D::OccupationalTherapy, 0.1),
        ];
        for (d, chance) in odds {
            if rng.gen_bool(chance) {
                data.collaboration_disciplines.push(nc_discipline::Model {
                    collaboration_id: id,
                    discipline_code: d,
                });
            }
        }
    }
}

/// Vouchers: one per discipline per region, for regions with an RESV, disciplines at the table
/// first; exactly [`VOUCHERS_GRANTED`] granted, a few pending and rejected.
fn vouchers(
    data: &mut DemoData,
    ids: &mut Ids,
    rng: &mut ChaCha8Rng,
    regions: &[DemoRegion],
    phase_of: &[Option<usize>],
) {
    let now = recorded_at();
    let region_of: std::collections::HashMap<i32, i32> =
        data.resvs.iter().map(|r| (r.id, r.region_id)).collect();
    let seated: std::collections::HashSet<(i32, DisciplineCode)> = data
        .seat_disciplines
        .iter()
        .filter_map(|sd| {
            region_of
                .get(&sd.resv_id)
                .map(|region| (*region, sd.discipline_code))
        })
        .collect();
    let mut first = Vec::new();
    let mut later = Vec::new();
    for (i, region) in regions.iter().enumerate() {
        if phase_of[i].is_none() {
            continue;
        }
        // GPs are organised regionally already (the RHO); vouchers go to the other disciplines.
        for &d in DisciplineCode::ALL
            .iter()
            .filter(|d| **d != DisciplineCode::GeneralPractice)
        {
            if seated.contains(&(region.id, d)) {
                first.push((region.id, d))
            } else {
                later.push((region.id, d))
            }
        }
    }
    first.shuffle(rng);
    later.shuffle(rng);
    first.extend(later);
    let statuses = std::iter::repeat_n(ApplicationStatus::Granted, VOUCHERS_GRANTED)
        .chain([ApplicationStatus::Applied; 5])
        .chain([ApplicationStatus::InReview; 4])
        .chain([ApplicationStatus::Rejected; 3]);
    for ((region_id, discipline), status) in first.into_iter().zip(statuses) {
        let applied = plus_days(date(2024, 4, 1), rng.gen_range(0..=400));
        let decided = plus_days(applied, rng.gen_range(28..=56));
        let pending = matches!(
            status,
            ApplicationStatus::Applied | ApplicationStatus::InReview
        );
        data.vouchers.push(voucher::Model {
            id: next(&mut ids.voucher),
            region_id,
            discipline_code: discipline,
            status,
            applicant: Some(format!(
                "Regional organisation for {}",
                discipline.as_str().to_lowercase().replace('_', " ")
            )),
            amount_cents: (status == ApplicationStatus::Granted)
                .then(|| rng.gen_range(150..=500) * 10_000),
            applied_on: if pending {
                plus_days(date(2025, 5, 1), rng.gen_range(0..=50))
            } else {
                applied
            },
            decided_on: (!pending).then_some(decided.min(date(2025, 6, 30))),
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
}

/// LeVEL materials, published from the network's start on 1 March 2025.
fn materials(data: &mut DemoData, rng: &mut ChaCha8Rng, regions: &[DemoRegion]) {
    let now = recorded_at();
    use MaterialKind as K;
    use Theme as T;
    let items: [(K, &str, &str, &[Theme]); 24] = [
        (
            K::Guide,
            "Guide: setting up an RESV",
            "Steps from network to organisation phase, with model statutes for an association, foundation or cooperative.",
            &[T::TaskMandate, T::LegalFinancial],
        ),
        (
            K::Guide,
            "Mandating a delegate",
            "How a monodisciplinary regional organisation mandates its delegate at the RESV table.",
            &[T::TaskMandate],
        ),
        (
            K::GoodPractice,
            "Paramedical network with one seat",
            "How seven paramedical disciplines share one mandated seat at the RESV table.",
            &[T::TaskMandate, T::InterdisciplinaryWork],
        ),
        (
            K::Tool,
            "Neighbourhood coverage map",
            "A template to map which neighbourhoods have a close-knit collaboration (hecht wijkverband).",
            &[T::TaskNeighbourhoodSupport],
        ),
        (
            K::Event,
            "LeVEL kick-off meeting",
            "The national start of the learning network for regions and neighbourhoods.",
            &[T::InterdisciplinaryWork],
        ),
        (
            K::Webinar,
            "Data exchange between GP and district nursing",
            "Practical options for sharing care plans across disciplines.",
            &[T::DataExchange, T::Digitalisation],
        ),
        (
            K::Expert,
            "Expert group legal and financial questions",
            "Ask the expert group about legal forms, treasurer (kassier) arrangements and VAT.",
            &[T::LegalFinancial],
        ),
        (
            K::GoodPractice,
            "Welfare on Prescription in practice",
            "A region links GP practices with social work through Welzijn op Recept.",
            &[T::TaskCareAgreements, T::EqualChances],
        ),
        (
            K::Guide,
            "Frail elderly: regional care agreement",
            "Building blocks for a regional agreement on care for frail elderly people.",
            &[T::TaskCareAgreements, T::FrailElderly],
        ),
        (
            K::Tool,
            "Capacity dashboard template",
            "Track access and capacity of primary care per discipline in your region.",
            &[T::TaskCapacityAccess],
        ),
        (
            K::Event,
            "Learning community citizen participation",
            "Regions share how they involve citizens and patients in the RESV.",
            &[T::CitizenParticipation],
        ),
        (
            K::Webinar,
            "Youth health care (JGZ) in the neighbourhood",
            "How youth health care joins the close-knit neighbourhood collaboration.",
            &[T::YouthHealth, T::TaskNeighbourhoodSupport],
        ),
        (
            K::GoodPractice,
            "One front desk for care and welfare",
            "A single entry point for questions about care and welfare in a neighbourhood.",
            &[T::TaskNeighbourhoodSupport, T::EqualChances],
        ),
        (
            K::Guide,
            "Housing and HR support for practices",
            "How an RESV facilitates providers with housing, HR and purchasing.",
            &[T::TaskFacilitation],
        ),
        (
            K::Expert,
            "Expert group data exchange",
            "Experts think along about data exchange and digital collaboration.",
            &[T::DataExchange, T::Digitalisation],
        ),
        (
            K::Event,
            "Regional table meeting: hospital and primary care",
            "Working session on 1.5-line care and acute care coordination.",
            &[T::TaskCareAgreements, T::ChronicCare],
        ),
        (
            K::Tool,
            "Regiobeeld checklist",
            "Check whether agreements fit the regional agenda (regiobeeld and regioplan).",
            &[T::TaskMandate],
        ),
        (
            K::Webinar,
            "Chronic care programmes in the region",
            "Care programmes for chronic conditions beyond the GP practice.",
            &[T::ChronicCare, T::TaskCareAgreements],
        ),
        (
            K::GoodPractice,
            "Fall prevention with physiotherapy and GPs",
            "A neighbourhood programme against falls among older people.",
            &[T::FrailElderly],
        ),
        (
            K::Guide,
            "Equal chances in primary care",
            "Reaching people with low health literacy in every neighbourhood.",
            &[T::EqualChances],
        ),
        (
            K::Event,
            "National LeVEL day",
            "The yearly meeting of regions, neighbourhoods and experts.",
            &[T::InterdisciplinaryWork, T::CitizenParticipation],
        ),
        (
            K::Tool,
            "Interdisciplinary meeting (MDO) format",
            "A format for multidisciplinary meetings in the neighbourhood.",
            &[T::InterdisciplinaryWork],
        ),
        (
            K::Webinar,
            "From subsidy to contract: 2027 onwards",
            "What changes when the preferred insurer contracts the RESV from 2027.",
            &[T::LegalFinancial, T::TaskMandate],
        ),
        (
            K::Event,
            "Learning community digitalisation",
            "Sharing experience with digital tools in primary care.",
            &[T::Digitalisation],
        ),
    ];
    let start = date(2025, 3, 1);
    for (i, (kind, title, summary, themes)) in items.iter().enumerate() {
        let id = i as i32 + 1;
        let published = plus_days(start, i as u64 * 26 + rng.gen_range(0..10));
        let event_starts_at = matches!(kind, K::Event | K::Webinar).then(|| {
            let day = plus_days(published, rng.gen_range(21..=45));
            day.and_hms_opt(14, 0, 0).unwrap_or_default().and_utc()
        });
        data.materials.push(learning_material::Model {
            id,
            kind: *kind,
            title: (*title).to_owned(),
            summary: (*summary).to_owned(),
            url: Some(format!("https://example.org/level/{id}")),
            published_on: published,
            event_starts_at,
            visibility: if i % 4 == 3 {
                Visibility::Members
            } else {
                Visibility::Public
            },
            source: SourceKind::Demonstration,
            source_reference: Some(REFERENCE.to_owned()),
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        for &theme in themes.iter() {
            data.material_themes.push(material_theme::Model {
                material_id: id,
                theme,
            });
        }
        if !regions.is_empty() && i % 3 == 1 {
            let mut chosen: Vec<i32> = (0..2)
                .map(|_| regions[rng.gen_range(0..regions.len())].id)
                .collect();
            chosen.sort();
            chosen.dedup();
            for region_id in chosen {
                data.material_regions.push(material_region::Model {
                    material_id: id,
                    region_id,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn base_regions() -> Vec<DemoRegion> {
        crate::seed::reference::regions()
            .unwrap_or_default()
            .into_iter()
            .zip(1..)
            .map(|(row, id)| DemoRegion {
                id,
                code: row.code,
                name: row.name,
                population: row.population_approx,
                mandate_municipality: row.mandate_municipality,
                preferred_insurer: row.preferred_insurer,
            })
            .collect()
    }

    fn regions_with(data: &DemoData, kind: SubsidyKind, granted_only: bool) -> HashSet<i32> {
        data.subsidies
            .iter()
            .filter(|s| s.kind == kind && (!granted_only || s.status == ApplicationStatus::Granted))
            .filter_map(|s| s.region_id)
            .collect()
    }

    #[test]
    fn the_generated_figures_are_the_published_ones() {
        let regions = base_regions();
        assert_eq!(regions.len(), 54);
        let data = generate(&regions, 54);
        let total: i64 = regions.iter().map(|r| r.population).sum();
        let population = |ids: &HashSet<i32>| {
            regions
                .iter()
                .filter(|r| ids.contains(&r.id))
                .map(|r| r.population)
                .sum::<i64>() as f64
                / total as f64
        };

        let applied = regions_with(&data, SubsidyKind::Implementation, false);
        let granted = regions_with(&data, SubsidyKind::Implementation, true);
        assert_eq!((applied.len(), granted.len()), (52, 48));
        assert!(
            (0.975..0.985).contains(&population(&applied)),
            "{}",
            population(&applied)
        );
        let (lo, hi) = IMPLEMENTATION_RANGE_CENTS;
        for s in data
            .subsidies
            .iter()
            .filter(|s| s.kind == SubsidyKind::Implementation)
        {
            if let Some(amount) = s.amount_granted_cents {
                assert!((lo..=hi).contains(&amount), "{amount}");
            }
            assert_eq!(
                s.amount_granted_cents.is_some(),
                s.status == ApplicationStatus::Granted
            );
        }
        let prepared = regions_with(&data, SubsidyKind::Preparation, true);
        assert_eq!(prepared.len(), 43);
        assert!(
            (0.84..0.86).contains(&population(&prepared)),
            "{}",
            population(&prepared)
        );

        let vouchers = data
            .vouchers
            .iter()
            .filter(|v| v.status == ApplicationStatus::Granted)
            .count();
        assert_eq!(vouchers, VOUCHERS_GRANTED);
        let phases: HashSet<Phase> = data.resvs.iter().map(|r| r.phase).collect();
        assert_eq!(phases.len(), 4, "RESVs in all four phases");
        assert!(
            data.materials
                .iter()
                .all(|m| m.published_on >= date(2025, 3, 1))
        );
        assert!(
            data.collaborations
                .iter()
                .all(|c| c.population.is_some_and(|p| (10_000..=20_000).contains(&p)))
        );
    }

    #[test]
    fn seats_respect_the_table_rules() {
        let data = generate(&base_regions(), 54);
        let mut seated = HashSet::new();
        for sd in &data.seat_disciplines {
            assert!(
                seated.insert((sd.resv_id, sd.discipline_code)),
                "a discipline in two seats"
            );
        }
        let mut per_seat: std::collections::HashMap<i32, Vec<DisciplineCode>> = Default::default();
        for sd in &data.seat_disciplines {
            per_seat
                .entry(sd.seat_id)
                .or_default()
                .push(sd.discipline_code);
        }
        let networks: Vec<_> = per_seat.values().filter(|d| d.len() > 1).collect();
        assert!(
            !networks.is_empty(),
            "some multidisciplinary paramedical seats"
        );
        assert!(
            networks
                .iter()
                .all(|d| d.iter().all(|c| c.is_paramedical()))
        );
        let statuses: HashSet<MandateStatus> =
            data.seats.iter().map(|s| s.mandate_status).collect();
        assert_eq!(statuses.len(), 3, "mixed mandate status");
    }

    #[test]
    fn generation_is_deterministic_and_scales_per_replica() {
        let base = base_regions();
        let once = generate(&base, 54);
        let again = generate(&base, 54);
        assert_eq!(once.subsidies, again.subsidies);
        assert_eq!(once.seats, again.seats);
        let mut doubled = base.clone();
        doubled.extend(base.iter().map(|r| DemoRegion {
            id: r.id + 100,
            code: format!("{}-S002", r.code),
            ..r.clone()
        }));
        let twice = generate(&doubled, 54);
        let granted = twice
            .subsidies
            .iter()
            .filter(|s| {
                s.kind == SubsidyKind::Implementation && s.status == ApplicationStatus::Granted
            })
            .count();
        assert_eq!(granted, 96);
    }
}
