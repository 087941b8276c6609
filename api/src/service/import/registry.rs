//! Importing the registry's own kinds: regions, RESVs, seats, agreements, the regional table,
//! neighbourhood collaborations, vouchers and LeVEL materials, with the columns of their exports.
//!
//! Each kind has a natural key (region code; region and disciplines of a seat; region and topic
//! of an agreement; ...). A file is checked whole inside one transaction; with any problem, or in
//! a dry run, the transaction is rolled back, so nothing is written.

use super::row::{Columns, Row};
use super::write::{Ctx, checked, grouped, region_of, regions_by_code, write_rows};
use crate::access;
use crate::error::ApiResult;
use crate::service::rules::{Agreement, Seat, new_region, new_resv};
use entity::*;
use std::collections::HashMap;

// --- Regions -----------------------------------------------------------------------------------

pub const REGION_COLUMNS: Columns = Columns {
    required: &["code", "name", "care_office_region_code"],
    optional: &[
        "population_approx",
        "preferred_insurer",
        "mandate_municipality",
        "iza_region_code",
        "confidence",
        "notes",
        "source",
        "source_reference",
        "retired_on",
        "version",
    ],
    ignored: &[
        "care_office_region_name",
        "resv_name",
        "resv_phase",
        "resv_legal_form",
        "resv_established_on",
        "resv_contact_email",
        "implementation_subsidy_statuses",
        "imported_at",
        "imported_by",
    ],
};

pub async fn regions(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let offices: HashMap<String, i32> = access::care_office_regions(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    let izas: HashMap<String, i32> = access::iza_regions(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    let existing = regions_by_code(ctx).await?;
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "code", |row| {
        let code = row.required("code");
        let stored = existing.get(&code);
        let mut m = stored
            .cloned()
            .unwrap_or_else(|| new_region(code.clone(), None));
        m.name = row.required("name");
        let office = row.required("care_office_region_code");
        match offices.get(&office) {
            Some(id) => m.care_office_region_id = *id,
            None if !office.is_empty() => {
                row.bad(
                    "care_office_region_code",
                    format!("no care-office region `{office}`"),
                );
            }
            None => row.bad("care_office_region_code", "is empty"),
        }
        row.set("iza_region_code", &mut m.iza_region_id, |row, c| {
            let code = row.cell(c);
            if code.is_empty() {
                return Some(None);
            }
            let id = izas.get(code).copied();
            if id.is_none() {
                row.bad(c, format!("no IZA region `{code}`"));
            }
            Some(id)
        });
        row.set("population_approx", &mut m.population_approx, |row, c| {
            row.int(c, i64::MIN, i64::MAX)
        });
        for (column, text) in [
            ("preferred_insurer", &mut m.preferred_insurer),
            ("mandate_municipality", &mut m.mandate_municipality),
            ("notes", &mut m.notes),
        ] {
            row.set(column, text, |row, c| Some(row.optional(c)));
        }
        row.set("confidence", &mut m.confidence, |row, c| {
            Some(row.one_of(c, Confidence::ALL, Confidence::as_str, Confidence::VALUES))
        });
        row.set("retired_on", &mut m.retired_on, |row, c| row.opt_date(c));
        m.source = row.source(SourceKind::OfficialList);
        m.source_reference = row.source_reference(&file_name);
        Some((code, (stored.cloned(), m)))
    });
    write_rows(ctx, rows).await
}

// --- RESVs -------------------------------------------------------------------------------------

pub const RESV_COLUMNS: Columns = Columns {
    required: &["region_code", "name"],
    optional: &[
        "legal_form",
        "treasurer",
        "phase",
        "established_on",
        "contracted_from",
        "task_mandate",
        "task_capacity_access",
        "task_care_agreements",
        "task_neighbourhood_support",
        "task_facilitation",
        "criteria_met",
        "criterion_core_disciplines_note",
        "criterion_mandated_representation_note",
        "criterion_multidisciplinary_governance_note",
        "criterion_regional_agenda_note",
        "criterion_citizen_participation_note",
        "citizen_participation",
        "website",
        "contact_name",
        "contact_email",
        "internal_notes",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["imported_at", "imported_by"],
};

pub async fn resvs(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let existing: HashMap<i32, resv::Model> = access::resvs(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|r| (r.region_id, r))
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code", |row| {
        let region = region_of(row, &regions)?;
        let stored = existing.get(&region.id);
        let mut m = stored.cloned().unwrap_or_else(|| new_resv(region.id, None));
        m.name = row.required("name");
        row.set("legal_form", &mut m.legal_form, |row, c| {
            row.one_of(c, LegalForm::ALL, LegalForm::as_str, LegalForm::VALUES)
        });
        row.set("phase", &mut m.phase, |row, c| {
            row.one_of(c, Phase::ALL, Phase::as_str, Phase::VALUES)
        });
        row.set("treasurer", &mut m.treasurer, |row, c| {
            Some(row.optional(c))
        });
        row.set("established_on", &mut m.established_on, |row, c| {
            row.opt_date(c)
        });
        row.set("contracted_from", &mut m.contracted_from, |row, c| {
            row.opt_date(c)
        });
        for &task in MainTask::ALL {
            row.set(task.column(), m.task_mut(task), |row, c| {
                row.one_of(c, TaskStatus::ALL, TaskStatus::as_str, TaskStatus::VALUES)
            });
        }
        if row.has("criteria_met") {
            let met = row.list("criteria_met");
            for item in &met {
                if DesignCriterion::from_value(&item.to_ascii_uppercase()).is_none() {
                    row.bad(
                        "criteria_met",
                        format!(
                            "`{item}` is not one of {}",
                            DesignCriterion::VALUES.join(", ")
                        ),
                    );
                }
            }
            for &criterion in DesignCriterion::ALL {
                let (flag, _) = m.criterion_mut(criterion);
                *flag = met
                    .iter()
                    .any(|i| i.eq_ignore_ascii_case(criterion.as_str()));
            }
        }
        for &criterion in DesignCriterion::ALL {
            let (_, note) = m.criterion_mut(criterion);
            row.set(criterion.note_column(), note, |row, c| {
                Some(row.optional(c))
            });
        }
        for (column, text) in [
            ("citizen_participation", &mut m.citizen_participation),
            ("website", &mut m.website),
            ("contact_name", &mut m.contact_name),
            ("contact_email", &mut m.contact_email),
            ("internal_notes", &mut m.internal_notes),
        ] {
            row.set(column, text, |row, c| Some(row.optional(c)));
        }
        m.source = row.source(SourceKind::RegionalReport);
        m.source_reference = row.source_reference(&file_name);
        Some((region.code.clone(), (stored.cloned(), m)))
    });
    write_rows(ctx, rows).await
}

/// The RESVs by region code, for the kinds that hang below them.
async fn resvs_by_code(ctx: &Ctx<'_>) -> ApiResult<HashMap<String, resv::Model>> {
    let regions: HashMap<i32, String> = regions_by_code(ctx)
        .await?
        .into_values()
        .map(|r| (r.id, r.code))
        .collect();
    Ok(access::resvs(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .filter_map(|r| regions.get(&r.region_id).cloned().map(|code| (code, r)))
        .collect())
}

fn resv_of<'m>(row: &Row<'_>, resvs: &'m HashMap<String, resv::Model>) -> Option<&'m resv::Model> {
    let code = row.text("region_code", 16);
    let found = resvs.get(&code);
    if found.is_none() && !code.is_empty() {
        row.bad(
            "region_code",
            format!("region `{code}` has no RESV (import the RESVs first)"),
        );
    }
    found
}

fn codes(disciplines: &[DisciplineCode]) -> String {
    disciplines
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

// --- Seats -------------------------------------------------------------------------------------

pub const SEAT_COLUMNS: Columns = Columns {
    required: &["region_code", "organisation", "disciplines"],
    optional: &[
        "mandate_status",
        "since",
        "delegate_name",
        "delegate_email",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["multidisciplinary", "imported_at", "imported_by"],
};

pub async fn seats(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let resvs = resvs_by_code(ctx).await?;
    let mut links = grouped(
        access::seat_disciplines(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|l| (l.seat_id, l.discipline_code)),
    );
    // Each RESV's seats by their (sorted) disciplines.
    let stored: HashMap<(i32, Vec<DisciplineCode>), Seat> = access::seats(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|row| {
            let disciplines = links.remove(&row.id).unwrap_or_default();
            (
                (row.resv_id, disciplines.clone()),
                Seat { row, disciplines },
            )
        })
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code, disciplines", |row| {
        let resv = resv_of(row, &resvs)?;
        let mut disciplines = row.discipline_list("disciplines");
        let key = format!("{} {}", row.cell("region_code"), codes(&disciplines));
        disciplines.sort();
        let existing = stored.get(&(resv.id, disciplines.clone()));
        let mut seat = existing.cloned().unwrap_or_else(|| {
            let mut new = Seat::new(resv.id, String::new(), None);
            new.row.mandate_status = MandateStatus::None;
            new.disciplines = disciplines;
            new
        });
        let m = &mut seat.row;
        m.organisation = row.required("organisation");
        row.set("mandate_status", &mut m.mandate_status, |row, c| {
            row.one_of(
                c,
                MandateStatus::ALL,
                MandateStatus::as_str,
                MandateStatus::VALUES,
            )
        });
        row.set("since", &mut m.since, |row, c| row.opt_date(c));
        row.set("delegate_name", &mut m.delegate_name, |row, c| {
            Some(row.optional(c))
        });
        row.set("delegate_email", &mut m.delegate_email, |row, c| {
            Some(row.optional(c))
        });
        m.source = row.source(SourceKind::RegionalReport);
        m.source_reference = row.source_reference(&file_name);
        Some((key, (existing.cloned(), seat)))
    });
    write_rows(ctx, rows).await
}

// --- Agreements --------------------------------------------------------------------------------

pub const AGREEMENT_COLUMNS: Columns = Columns {
    required: &["region_code", "topic"],
    optional: &[
        "level",
        "status",
        "agreed_on",
        "disciplines",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["imported_at", "imported_by"],
};

pub async fn agreements(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let resvs = resvs_by_code(ctx).await?;
    let stored: HashMap<(i32, String), agreement::Model> = access::agreements(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|a| ((a.resv_id, a.topic.clone()), a))
        .collect();
    let mut links = grouped(
        access::agreement_disciplines(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|l| (l.agreement_id, l.discipline_code)),
    );
    let stored: HashMap<(i32, String), Agreement> = stored
        .into_iter()
        .map(|(key, row)| {
            let disciplines = links.remove(&row.id).unwrap_or_default();
            (key, Agreement { row, disciplines })
        })
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code, topic", |row| {
        let resv = resv_of(row, &resvs)?;
        let topic = row.required("topic");
        let existing = stored.get(&(resv.id, topic.trim().to_owned()));
        let mut a = existing
            .cloned()
            .unwrap_or_else(|| Agreement::new(resv.id, topic.clone(), None));
        let m = &mut a.row;
        row.set("level", &mut m.level, |row, c| {
            row.one_of(
                c,
                AgreementLevel::ALL,
                AgreementLevel::as_str,
                AgreementLevel::VALUES,
            )
        });
        row.set("status", &mut m.status, |row, c| {
            row.one_of(
                c,
                AgreementStatus::ALL,
                AgreementStatus::as_str,
                AgreementStatus::VALUES,
            )
        });
        row.set("agreed_on", &mut m.agreed_on, |row, c| row.opt_date(c));
        m.source = row.source(SourceKind::RegionalReport);
        m.source_reference = row.source_reference(&file_name);
        row.set("disciplines", &mut a.disciplines, |row, c| {
            Some(row.discipline_list(c))
        });
        let key = format!("{} {topic}", row.cell("region_code"));
        Some((key, (existing.cloned(), a)))
    });
    write_rows(ctx, rows).await
}
