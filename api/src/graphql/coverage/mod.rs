//! Coverage dashboards (*landelijk beeld*): how far the country is on a date, nationally and per
//! care-office region, preferred insurer and region, and how that changed over time.
//!
//! A `Coverage` is one date of a [`service::Coverage`] set; the figures of a set are fetched once,
//! on first use, for all its dates, so a timeline costs no more statements than a single date.
//! The figures of a group are in `figures.rs`, the learning network's in `learning.rs`.

mod figures;
mod learning;

pub use figures::CoverageFigures;
pub use learning::LearningCoverage;

use super::context::request;
use super::reference::CareOfficeRegion;
use super::region::Region;
use super::scalars::Date;
use crate::access;
use crate::service::coverage::{self as service, Disclosure, Grouping, RegionTotals};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use std::sync::Arc;

/// The step between the dates of a timeline.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl From<Interval> for service::Interval {
    fn from(value: Interval) -> Self {
        match value {
            Interval::Day => service::Interval::Day,
            Interval::Week => service::Interval::Week,
            Interval::Month => service::Interval::Month,
            Interval::Quarter => service::Interval::Quarter,
            Interval::Year => service::Interval::Year,
        }
    }
}

/// `part` as a share of `whole` (0–1), zero of nothing.
pub(crate) fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// Coverage queries.
#[derive(Default)]
pub struct CoverageQuery;

#[Object]
impl CoverageQuery {
    /// How far the country is on `asOf` (default: today), as the registry recorded it by the end
    /// of that day (UTC). Non-public counts are subject to disclosure control for viewers who
    /// may not read them (see `disclosure`).
    async fn coverage(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Coverage> {
        let day = match as_of {
            Some(day) => service::check_date("asOf", day.0)?,
            None => chrono::Utc::now().date_naive(),
        };
        Ok(Coverage::set(ctx, vec![day])?.remove(0))
    }

    /// The coverage on `from` and every `interval` after it up to `to` (at most 120 dates), for
    /// charts. All dates are computed together: asking for more dates costs no extra statements.
    async fn coverage_timeline(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default_with = "Interval::Month")] interval: Interval,
    ) -> Result<Vec<Coverage>> {
        let dates = service::timeline(from.0, to.0, interval.into())?;
        Coverage::set(ctx, dates)
    }
}

/// The figures of one date.
#[derive(Clone)]
pub struct Coverage {
    set: Arc<service::Coverage>,
    point: usize,
    disclosure: Disclosure,
}

impl Coverage {
    /// One `Coverage` per date, sharing their figures.
    fn set(ctx: &Context<'_>, dates: Vec<chrono::NaiveDate>) -> Result<Vec<Coverage>> {
        let request = request(ctx)?;
        let aggregate = crate::db::reader(&request.read_pool, access::aggregate_claims());
        let include_internal = access::can_see_member_materials(&request.viewer);
        let count = dates.len();
        let set = Arc::new(service::Coverage::new(
            dates,
            aggregate,
            request.db.clone(),
            include_internal,
        ));
        let disclosure = Disclosure {
            controlled: !access::can_read_every_status(&request.viewer),
        };
        Ok((0..count)
            .map(|point| Coverage {
                set: set.clone(),
                point,
                disclosure,
            })
            .collect())
    }

    fn figures(&self, grouping: Grouping, key: String) -> CoverageFigures {
        CoverageFigures {
            coverage: self.clone(),
            grouping,
            key,
        }
    }

    async fn groups(&self, grouping: Grouping) -> Result<Vec<CoverageGroup>> {
        let regions = self.set.figure::<RegionTotals>(grouping).await?;
        Ok(regions
            .groups(self.point)
            .into_iter()
            .map(|key| CoverageGroup {
                figures: self.figures(grouping, key),
            })
            .collect())
    }
}

/// Whether and how figures were suppressed for this viewer.
#[derive(SimpleObject)]
pub struct DisclosureControl {
    /// Whether the figures are controlled: true for viewers who may not read every status
    /// (anonymous viewers, regional coordinators, LeVEL editors).
    pub controlled: bool,
    /// What suppression means, in words.
    pub explanation: String,
}

#[Object]
impl Coverage {
    /// The date of these figures.
    async fn as_of(&self) -> Date {
        Date(self.set.dates()[self.point])
    }

    /// The disclosure control applied: a suppressed cell is null and flagged `suppressed`.
    async fn disclosure(&self) -> DisclosureControl {
        DisclosureControl {
            controlled: self.disclosure.controlled,
            explanation: if self.disclosure.controlled {
                "Counts of subsidy applications and vouchers that are not granted (and so not \
                 public) are suppressed in every group and at every date, whatever their value, \
                 so that which cells are suppressed tells nothing: they are null with \
                 suppressed = true. Nationally, the regions that applied for each kind of \
                 subsidy are published all the same (as ZonMw reports them)."
                    .to_owned()
            } else {
                "Your role reads every status: nothing is suppressed.".to_owned()
            },
        }
    }

    /// The whole country.
    async fn national(&self) -> CoverageFigures {
        self.figures(Grouping::National, String::new())
    }

    /// Per care-office region (*zorgkantoorregio*), in the order of their ids.
    async fn by_care_office_region(&self) -> Result<Vec<CoverageGroup>> {
        let mut groups = self.groups(Grouping::CareOfficeRegion).await?;
        groups.sort_by_key(|g| g.figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(groups)
    }

    /// Per preferred insurer (*preferente zorgverzekeraar*); regions without one form the group
    /// with the empty key.
    async fn by_insurer(&self) -> Result<Vec<CoverageGroup>> {
        self.groups(Grouping::Insurer).await
    }

    /// Per region, in the order of their ids.
    async fn by_region(&self) -> Result<Vec<CoverageGroup>> {
        let mut groups = self.groups(Grouping::Region).await?;
        groups.sort_by_key(|g| g.figures.key.parse::<i64>().unwrap_or(i64::MAX));
        Ok(groups)
    }

    /// The LeVEL learning network, counted with your own rights (materials for members only for
    /// signed-in viewers).
    async fn learning(&self) -> LearningCoverage {
        LearningCoverage(self.clone())
    }
}

/// A group of regions and its figures.
pub struct CoverageGroup {
    figures: CoverageFigures,
}

#[Object]
impl CoverageGroup {
    /// The group's key: the care-office region's or region's database id, or the insurer's name.
    async fn key(&self) -> &str {
        &self.figures.key
    }

    /// The care-office region, when grouped by it.
    async fn care_office_region(&self, ctx: &Context<'_>) -> Result<Option<CareOfficeRegion>> {
        if self.figures.grouping != Grouping::CareOfficeRegion {
            return Ok(None);
        }
        let Ok(id) = self.figures.key.parse::<i32>() else {
            return Ok(None);
        };
        let table = request(ctx)?.care_office_regions().await?;
        Ok(table.get(&id).cloned().map(CareOfficeRegion))
    }

    /// The region, when grouped by region (as it is now; it may since have been renamed).
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        if self.figures.grouping != Grouping::Region {
            return Ok(None);
        }
        let Ok(id) = self.figures.key.parse::<i32>() else {
            return Ok(None);
        };
        Ok(request(ctx)?
            .loaders
            .region()
            .load_one(id)
            .await?
            .map(Region::from))
    }

    /// The preferred insurer, when grouped by insurer (null for regions without one).
    async fn insurer(&self) -> Option<&str> {
        (self.figures.grouping == Grouping::Insurer && !self.figures.key.is_empty())
            .then_some(self.figures.key.as_str())
    }

    /// The group's figures.
    async fn figures(&self) -> &CoverageFigures {
        &self.figures
    }
}
