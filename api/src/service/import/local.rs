//! Importing what a region keeps besides its RESV (the regional table, neighbourhood
//! collaborations), ZonMw's subsidies and vouchers, and LeVEL materials; see [`super::registry`].

use super::row::{Columns, Row};
use super::write::{Ctx, checked, grouped, region_of, regions_by_code, write_rows};
use crate::access;
use crate::error::ApiResult;
use crate::service::rules::{Collaboration, Material, new_party, new_subsidy};
use crate::service::write::now;
use entity::*;
use std::collections::HashMap;

// --- Regional table ----------------------------------------------------------------------------

pub const TABLE_COLUMNS: Columns = Columns {
    required: &["region_code", "kind", "organisation"],
    optional: &["source", "source_reference", "version"],
    ignored: &["imported_at", "imported_by"],
};

pub async fn regional_table(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let stored: HashMap<(i32, TablePartyKind, String), regional_table_party::Model> =
        access::regional_table_parties(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|p| ((p.region_id, p.kind, p.organisation.clone()), p))
            .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code, kind, organisation", |row| {
        let region = region_of(row, &regions)?;
        let kind = row.required_one_of(
            "kind",
            TablePartyKind::ALL,
            TablePartyKind::as_str,
            TablePartyKind::VALUES,
        )?;
        let organisation = row.required("organisation");
        let existing = stored.get(&(region.id, kind, organisation.trim().to_owned()));
        let mut m = existing
            .cloned()
            .unwrap_or_else(|| new_party(region.id, kind, organisation.clone(), None));
        m.source = row.source(SourceKind::RegionalReport);
        m.source_reference = row.source_reference(&file_name);
        Some((
            format!("{} {} {organisation}", region.code, kind.as_str()),
            (existing.cloned(), m),
        ))
    });
    write_rows(ctx, rows).await
}

// --- Neighbourhood collaborations --------------------------------------------------------------

pub const COLLABORATION_COLUMNS: Columns = Columns {
    required: &["region_code", "name", "area"],
    optional: &[
        "population",
        "status",
        "established_on",
        "disciplines",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["meets_minimum_composition", "imported_at", "imported_by"],
};

pub async fn collaborations(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let mut links = grouped(
        access::nc_disciplines(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|l| (l.collaboration_id, l.discipline_code)),
    );
    let stored: HashMap<(i32, String), Collaboration> =
        access::neighbourhood_collaborations(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|row| {
                let disciplines = links.remove(&row.id).unwrap_or_default();
                (
                    (row.region_id, row.name.clone()),
                    Collaboration { row, disciplines },
                )
            })
            .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code, name", |row| {
        let region = region_of(row, &regions)?;
        let name = row.required("name");
        let existing = stored.get(&(region.id, name.clone()));
        let mut c = existing
            .cloned()
            .unwrap_or_else(|| Collaboration::new(region.id, name.clone(), None));
        let m = &mut c.row;
        m.area = row.required("area");
        row.set("population", &mut m.population, |row, c| {
            row.int(c, i64::MIN, i64::MAX)
        });
        row.set("status", &mut m.status, |row, c| {
            row.one_of(
                c,
                CollaborationStatus::ALL,
                CollaborationStatus::as_str,
                CollaborationStatus::VALUES,
            )
        });
        row.set("established_on", &mut m.established_on, |row, c| {
            row.opt_date(c)
        });
        m.source = row.source(SourceKind::RegionalReport);
        m.source_reference = row.source_reference(&file_name);
        row.set("disciplines", &mut c.disciplines, |row, c| {
            Some(row.discipline_list(c))
        });
        Some((format!("{} {name}", region.code), (existing.cloned(), c)))
    });
    write_rows(ctx, rows).await
}

// --- Vouchers ----------------------------------------------------------------------------------

pub const VOUCHER_COLUMNS: Columns = Columns {
    required: &["region_code", "discipline", "status", "applied_on"],
    optional: &[
        "applicant",
        "amount",
        "decided_on",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["imported_at", "imported_by"],
};

pub async fn vouchers(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let stored: HashMap<(i32, DisciplineCode), voucher::Model> = access::vouchers(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|v| ((v.region_id, v.discipline_code), v))
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "region_code, discipline", |row| {
        let region = region_of(row, &regions)?;
        let discipline = row.required_one_of(
            "discipline",
            DisciplineCode::ALL,
            DisciplineCode::as_str,
            DisciplineCode::VALUES,
        )?;
        let status = row.required_one_of(
            "status",
            ApplicationStatus::ALL,
            ApplicationStatus::as_str,
            ApplicationStatus::VALUES,
        )?;
        let existing = stored.get(&(region.id, discipline));
        let at = now();
        let applied_on = row.date("applied_on");
        let mut m = existing.cloned().unwrap_or(entity::new_record!(
            at,
            voucher::Model {
                id: 0,
                region_id: region.id,
                discipline_code: discipline,
                status,
                applicant: None,
                amount_cents: None,
                applied_on,
                decided_on: None,
                source: SourceKind::ZonmwDecision,
                source_reference: None,
            }
        ));
        m.status = status;
        m.applied_on = applied_on;
        row.set("applicant", &mut m.applicant, |row, c| {
            Some(Some(row.required(c)).filter(|a| !a.is_empty()))
        });
        row.set("amount", &mut m.amount_cents, |row, c| row.any_euros(c));
        row.set("decided_on", &mut m.decided_on, |row, c| row.opt_date(c));
        m.source = row.source(SourceKind::ZonmwDecision);
        m.source_reference = row.source_reference(&file_name);
        Some((
            format!("{} {}", region.code, discipline.as_str()),
            (existing.cloned(), m),
        ))
    });
    write_rows(ctx, rows).await
}

// --- Subsidies --------------------------------------------------------------------------------

pub const SUBSIDY_COLUMNS: Columns = Columns {
    required: &[
        "region_code",
        "kind",
        "status",
        "applied_on",
        "zonmw_reference",
    ],
    optional: &[
        "applicant",
        "amount_requested",
        "amount_granted",
        "decided_on",
        "period_start",
        "period_end",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["imported_at", "imported_by"],
};

pub async fn subsidies(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let stored: HashMap<String, subsidy::Model> = access::subsidies(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.zonmw_reference.clone()?, s)))
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "zonmw_reference", |row| {
        let kind = row.required_one_of(
            "kind",
            SubsidyKind::ALL,
            SubsidyKind::as_str,
            SubsidyKind::VALUES,
        );
        let status = row.required_one_of(
            "status",
            ApplicationStatus::ALL,
            ApplicationStatus::as_str,
            ApplicationStatus::VALUES,
        );
        // A research subsidy is national: its region code may be empty.
        let region_id = match row.cell("region_code") {
            "" => None,
            _ => Some(region_of(row, &regions)?.id),
        };
        let applied_on = row.date("applied_on");
        let reference = row.required("zonmw_reference");
        if reference.is_empty() {
            row.bad("zonmw_reference", "is empty");
        }
        let (kind, status) = (kind?, status?);
        let existing = stored.get(&reference);
        let mut m = existing
            .cloned()
            .unwrap_or_else(|| new_subsidy(region_id, kind, applied_on, None));
        m.region_id = region_id;
        m.kind = kind;
        m.status = status;
        m.applied_on = applied_on;
        m.zonmw_reference = Some(reference.clone());
        row.set("applicant", &mut m.applicant, |row, c| {
            Some(row.optional(c))
        });
        row.set(
            "amount_requested",
            &mut m.amount_requested_cents,
            |row, c| row.any_euros(c),
        );
        row.set("amount_granted", &mut m.amount_granted_cents, |row, c| {
            row.any_euros(c)
        });
        row.set("decided_on", &mut m.decided_on, |row, c| row.opt_date(c));
        row.set("period_start", &mut m.period_start, |row, c| {
            row.opt_date(c)
        });
        row.set("period_end", &mut m.period_end, |row, c| row.opt_date(c));
        m.source = row.source(SourceKind::ZonmwDecision);
        m.source_reference = row.source_reference(&file_name);
        Some((reference, (existing.cloned(), m)))
    });
    write_rows(ctx, rows).await
}

// --- LeVEL materials ---------------------------------------------------------------------------

pub const MATERIAL_COLUMNS: Columns = Columns {
    required: &["kind", "title", "summary", "published_on"],
    optional: &[
        "url",
        "event_starts_at",
        "visibility",
        "themes",
        "region_codes",
        "source",
        "source_reference",
        "version",
    ],
    ignored: &["imported_at", "imported_by"],
};

pub async fn materials(ctx: &mut Ctx<'_>) -> ApiResult<()> {
    let regions = regions_by_code(ctx).await?;
    let mut themes = grouped(
        access::material_themes(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|l| (l.material_id, l.theme)),
    );
    let mut places = grouped(
        access::material_regions(ctx.viewer)
            .all(ctx.txn)
            .await?
            .into_iter()
            .map(|l| (l.material_id, l.region_id)),
    );
    let stored: HashMap<(MaterialKind, String), Material> = access::learning_materials(ctx.viewer)
        .all(ctx.txn)
        .await?
        .into_iter()
        .map(|row| {
            let material = Material {
                themes: themes.remove(&row.id).unwrap_or_default(),
                region_ids: places.remove(&row.id).unwrap_or_default(),
                row,
            };
            ((material.row.kind, material.row.title.clone()), material)
        })
        .collect();
    let file_name = ctx.file_name.to_owned();
    let rows = checked(ctx, "kind, title", |row: &Row<'_>| {
        let kind = row.required_one_of(
            "kind",
            MaterialKind::ALL,
            MaterialKind::as_str,
            MaterialKind::VALUES,
        )?;
        let title = row.required("title");
        let existing = stored.get(&(kind, title.clone()));
        let mut material = existing
            .cloned()
            .unwrap_or_else(|| Material::new(kind, title.clone(), None));
        let m = &mut material.row;
        m.summary = row.required("summary");
        m.published_on = row.date("published_on");
        row.set("url", &mut m.url, |row, c| Some(row.optional(c)));
        row.set("event_starts_at", &mut m.event_starts_at, |row, c| {
            row.opt_moment(c)
        });
        row.set("visibility", &mut m.visibility, |row, c| {
            row.one_of(c, Visibility::ALL, Visibility::as_str, Visibility::VALUES)
        });
        m.source = row.source(SourceKind::OfficialList);
        m.source_reference = row.source_reference(&file_name);
        row.set("themes", &mut material.themes, |row, c| {
            Some(row.enum_list(c, Theme::ALL, Theme::as_str, Theme::VALUES))
        });
        row.set("region_codes", &mut material.region_ids, |row, c| {
            Some(
                row.list(c)
                    .iter()
                    .filter_map(|code| {
                        let found = regions.get(code).map(|r| r.id);
                        if found.is_none() {
                            row.bad(c, format!("no region with code `{code}`"));
                        }
                        found
                    })
                    .collect(),
            )
        });
        Some((
            format!("{} {title}", kind.as_str()),
            (existing.cloned(), material),
        ))
    });
    write_rows(ctx, rows).await
}
