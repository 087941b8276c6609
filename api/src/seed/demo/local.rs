//! What the demonstration regions keep besides their RESV: regional tables, neighbourhood
//! collaborations, vouchers, and LeVEL's materials.

use super::*;

pub(super) fn regional_table(
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
        data.parties.push(entity::new_record!(
            now,
            regional_table_party::Model {
                id: next(&mut ids.party),
                region_id: region.id,
                kind,
                organisation,
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
            }
        ));
    }
}

/// Neighbourhood collaborations of 10,000–20,000 inhabitants covering part of the region.
pub(super) fn collaborations(
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
        data.collaborations.push(entity::new_record!(
            now,
            neighbourhood_collaboration::Model {
                id,
                region_id: region.id,
                name: format!("Wijkverband {} {n}", region.name),
                area: format!("Demonstration neighbourhood {n} of {}", region.name),
                population: Some(population),
                status,
                established_on: Some(plus_days(date(2024, 1, 15), rng.gen_range(0..=530))),
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
            }
        ));
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
pub(super) fn vouchers(
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
        data.vouchers.push(entity::new_record!(
            now,
            voucher::Model {
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
            }
        ));
    }
}

/// LeVEL materials, published from the network's start on 1 March 2025.
pub(super) fn materials(data: &mut DemoData, rng: &mut ChaCha8Rng, regions: &[DemoRegion]) {
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
        data.materials.push(entity::new_record!(
            now,
            learning_material::Model {
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
            }
        ));
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
