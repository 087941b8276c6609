//! What admission counts between requests: each viewer's rate-limit quota and the turns to
//! execute. Nothing of HTTP here: the transport turns a refusal into its answer.

use crate::access::{Role, Viewer};
use crate::limits::Quotas;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

type Limiter = DefaultKeyedRateLimiter<String, StateInformationMiddleware>;

/// The per-minute quotas of every role (and of anonymous clients, by address).
pub struct RateLimiters {
    quotas: Quotas,
    by_role: HashMap<Option<Role>, Limiter>,
}

/// A request taken from its quota: the quota and what is left of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub limit: u32,
    pub remaining: u32,
}

/// A request over its quota: the quota, and the whole seconds until the next one is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: u32,
    pub retry_after_seconds: u64,
}

impl RateLimiters {
    /// One limiter per role (and one for anonymous clients) with the quotas of `quotas`.
    pub fn new(quotas: Quotas) -> Self {
        let roles = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
        let by_role = roles
            .map(|role| {
                let per_minute = NonZeroU32::new(quotas.of(role)).unwrap_or(NonZeroU32::MIN);
                let limiter = governor::RateLimiter::keyed(Quota::per_minute(per_minute))
                    .with_middleware::<StateInformationMiddleware>();
                (role, limiter)
            })
            .collect();
        RateLimiters { quotas, by_role }
    }

    /// Takes one request from the quota of `viewer` (by subject; an anonymous one by the
    /// client's address); `None` when the viewer's role has no limiter.
    pub fn take(
        &self,
        viewer: &Viewer,
        client: Option<IpAddr>,
    ) -> Result<Option<Allowance>, Exceeded> {
        let role = viewer.role();
        let key = key(viewer, client);
        let Some(limiter) = self.by_role.get(&role) else {
            return Ok(None);
        };
        let limit = self.quotas.of(role);
        match limiter.check_key(&key) {
            Ok(state) => Ok(Some(Allowance {
                limit,
                remaining: state.remaining_burst_capacity(),
            })),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(Exceeded {
                    limit,
                    retry_after_seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                })
            }
        }
    }
}

/// Fields of an answer (or rows of an export) that one unit of quota pays for: a request costs
/// one unit per hundred, at least one.
pub const FIELDS_PER_UNIT: usize = 100;

/// The units of quota an answer of `fields` fields costs.
pub fn units(fields: usize) -> u32 {
    u32::try_from(fields.div_ceil(FIELDS_PER_UNIT).max(1)).unwrap_or(u32::MAX)
}

/// The key a viewer's quota is kept under: its subject, or an anonymous client's address.
fn key(viewer: &Viewer, client: Option<IpAddr>) -> String {
    match (viewer.sub(), client) {
        (Some(sub), _) => format!("sub:{sub}"),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "ip:unknown".to_owned(),
    }
}

impl RateLimiters {
    /// Takes `units` more from the quota of `viewer`, as far as the quota goes: what an
    /// admitted request cost beyond the one unit its admission took. A quota an expensive
    /// request spent refuses the requests that follow.
    pub fn charge(&self, viewer: &Viewer, client: Option<IpAddr>, units: u32) {
        let Some(limiter) = self.by_role.get(&viewer.role()) else {
            return;
        };
        let key = key(viewer, client);
        for _ in 0..units {
            if limiter.check_key(&key).is_err() {
                break;
            }
        }
    }
}

/// Turns to execute: at most so many operations run at once, the others wait in line. On a few
/// cores more at once only add memory (every operation builds its answer in full), not
/// throughput.
#[derive(Clone)]
pub struct Turns(Arc<tokio::sync::Semaphore>);

/// A turn to execute; it ends when dropped.
pub type Turn = tokio::sync::OwnedSemaphorePermit;

impl Turns {
    /// `slots` turns at once (at least one).
    pub fn new(slots: usize) -> Self {
        Turns(Arc::new(tokio::sync::Semaphore::new(slots.max(1))))
    }

    /// A turn if one is free now.
    pub fn try_turn(&self) -> Option<Turn> {
        self.0.clone().try_acquire_owned().ok()
    }

    /// Waits for a turn, counted in `waiting` meanwhile; the turn ends when it drops.
    pub async fn turn(&self, waiting: &prometheus::IntGauge) -> Turn {
        if let Some(turn) = self.try_turn() {
            return turn;
        }
        let _waiting = Waiting::new(waiting);
        self.0
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

/// Counts one waiting operation while it lives: also one dropped while waiting (its deadline
/// passed) stops being counted.
struct Waiting<'a>(&'a prometheus::IntGauge);

impl<'a> Waiting<'a> {
    fn new(gauge: &'a prometheus::IntGauge) -> Self {
        gauge.inc();
        Waiting(gauge)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_pays_a_unit_per_hundred_fields_and_at_least_one() {
        assert_eq!(units(0), 1);
        assert_eq!(units(100), 1);
        assert_eq!(units(101), 2);
        assert_eq!(units(2_700), 27);
    }

    #[test]
    fn a_charge_spends_the_quota_the_next_request_needs() {
        let quotas = crate::limits::Limits {
            rate_limits: "anonymous=10".to_owned(),
            ..crate::limits::Limits::default()
        }
        .quotas()
        .expect("valid")
        .expect("on");
        let limiters = RateLimiters::new(quotas);
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(limiters.take(&Viewer::Anonymous, client).is_ok());
        limiters.charge(&Viewer::Anonymous, client, 50);
        assert!(limiters.take(&Viewer::Anonymous, client).is_err());
        // Another client's quota is its own.
        assert!(limiters.take(&Viewer::Anonymous, other).is_ok());
    }

    #[tokio::test]
    async fn operations_beyond_the_slots_wait_their_turn() {
        let turns = Turns::new(1);
        let waiting = prometheus::IntGauge::new("waiting", "waiting").expect("gauge");
        let first = turns.turn(&waiting).await;
        let mut second = Box::pin(turns.turn(&waiting));
        let wait = std::time::Duration::from_millis(20);
        assert!(tokio::time::timeout(wait, &mut second).await.is_err());
        assert_eq!(waiting.get(), 1);
        // One that gives up waiting (its deadline passed) stops being counted.
        let third = tokio::time::timeout(wait, turns.turn(&waiting)).await;
        assert!(third.is_err());
        assert_eq!(waiting.get(), 1);
        drop(first);
        let second = tokio::time::timeout(std::time::Duration::from_secs(5), second)
            .await
            .expect("the second gets the turn the first gave up");
        assert_eq!(waiting.get(), 0);
        drop(second);
        assert!(turns.0.try_acquire().is_ok());
    }
}
