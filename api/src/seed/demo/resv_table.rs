//! The demonstration RESVs: phase, tasks, design criteria, seats and agreements.

use super::*;

/// Creates the RESV of a region in phase `p` (0..=3) with its seats and agreements.
pub(super) fn resv(
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
    data.resvs.push(entity::new_record!(
        now,
        resv::Model {
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
        }
    ));

    let mut seat = |data: &mut DemoData,
                    organisation: String,
                    disciplines: &[DisciplineCode],
                    status: MandateStatus| {
        let seat_id = next(&mut ids.seat);
        data.seats.push(entity::new_record!(
            now,
            seat::Model {
                id: seat_id,
                resv_id: id,
                organisation,
                mandate_status: status,
                since: (status != MandateStatus::None).then(|| plus_days(established, 30)),
                delegate_name: (status != MandateStatus::None)
                    .then(|| format!("Delegate {seat_id}")),
                delegate_email: (status != MandateStatus::None)
                    .then(|| format!("delegate.{seat_id}@example.org")),
                source: SourceKind::Demonstration,
                source_reference: Some(REFERENCE.to_owned()),
            }
        ));
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
            data.agreements.push(entity::new_record!(
                now,
                agreement::Model {
                    id: agreement_id,
                    resv_id: id,
                    topic: topic.to_owned(),
                    level,
                    status,
                    agreed_on: (status != AgreementStatus::Draft)
                        .then(|| plus_days(established, rng.gen_range(60..=300))),
                    source: SourceKind::Demonstration,
                    source_reference: Some(REFERENCE.to_owned()),
                }
            ));
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
