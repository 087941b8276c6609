//! Deterministic demonstration data, generated with a fixed seed so that the national figures match
//! the published mid-2025 state of the programme (minister's progress letter, `seeds/002_*`):
//! 52 of the 54 regions applied for an implementation subsidy, 48 were granted (EUR 0.5–2 million),
//! the applicants cover about 98% of the population, almost 200 vouchers were granted.
//!
//! Every generated row has `source = DEMONSTRATION`. The generator is pure: it assigns ids itself
//! and touches no database, so its figures can be checked in unit tests.

mod local;
mod resv_table;

use local::{collaborations, materials, regional_table, vouchers};
use resv_table::resv;

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
        data.subsidies.push(entity::new_record!(
            now,
            subsidy::Model {
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
            }
        ));
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
            data.subsidies.push(entity::new_record!(
                now,
                subsidy::Model {
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
                }
            ));
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
        data.subsidies.push(entity::new_record!(
            now,
            subsidy::Model {
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
            }
        ));
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
