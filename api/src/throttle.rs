//! What admission counts between requests: each viewer's rate-limit quota and the turns to
//! execute. Nothing of HTTP here: the transport turns a refusal into its answer.
//!
//! A quota is a GCRA (generic cell rate algorithm): a viewer with a quota of `n` a minute may
//! spend `n` units at once, and one more comes back every `60 / n` seconds. With `REDIS_URL` the
//! quotas are kept in Redis, one atomic script per take ([`GCRA`]), so all replicas together
//! hold the budget; without it, or while Redis cannot be reached, in this replica's memory.

use crate::access::{Role, Viewer};
use crate::limits::Quotas;
use crate::shared::Shared;
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
    /// The Redis the replicas share the quotas in, if any.
    shared: Option<Arc<Shared>>,
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
    /// One limiter per role (and one for anonymous clients) with the quotas of `quotas`, kept in
    /// `shared` while it answers, else in memory.
    pub fn new(quotas: Quotas, shared: Option<Arc<Shared>>) -> Self {
        let roles = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
        let by_role = roles
            .map(|role| {
                let per_minute = NonZeroU32::new(quotas.of(role)).unwrap_or(NonZeroU32::MIN);
                let limiter = governor::RateLimiter::keyed(Quota::per_minute(per_minute))
                    .with_middleware::<StateInformationMiddleware>();
                (role, limiter)
            })
            .collect();
        RateLimiters {
            quotas,
            by_role,
            shared,
        }
    }

    /// Takes one request from the quota of `viewer` (by subject; an anonymous one by the
    /// client's address); `None` when the viewer's role has no limiter.
    pub async fn take(
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
        if let Some(shared) = &self.shared
            && let Some(taken) = gcra(shared, role, &key, limit, 1, Take::Whole).await
        {
            return taken.map(Some);
        }
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
    pub async fn charge(&self, viewer: &Viewer, client: Option<IpAddr>, units: u32) {
        let role = viewer.role();
        let Some(limiter) = self.by_role.get(&role) else {
            return;
        };
        if units == 0 {
            return;
        }
        let key = key(viewer, client);
        if let Some(shared) = &self.shared {
            let limit = self.quotas.of(role);
            if gcra(shared, role, &key, limit, units, Take::AsFarAsItGoes)
                .await
                .is_some()
            {
                return;
            }
        }
        for _ in 0..units {
            if limiter.check_key(&key).is_err() {
                break;
            }
        }
    }
}

/// How a take treats a quota with less left than it asks for.
#[derive(Clone, Copy)]
enum Take {
    /// Refuse it (admission).
    Whole,
    /// Take what is left (the charge after an answer).
    AsFarAsItGoes,
}

/// GCRA in one atomic step, on Redis's clock (the same for every replica). `KEYS[1]` holds the
/// theoretical arrival time (µs); `ARGV`: the emission interval (µs), the quota, the units to
/// take, and 1 to refuse a take the quota cannot hold whole. Returns whether it was taken, the
/// units left, and the µs until one more is free.
const GCRA_SCRIPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2]) * interval
local units = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local room = math.floor((now + burst - tat) / interval)
if ARGV[4] == '0' and units > room then units = math.max(room, 0) end
if units > room then
  return {0, 0, math.floor(tat + interval - burst - now)}
end
tat = tat + units * interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1)
return {1, room - units, 0}
";

static GCRA: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(GCRA_SCRIPT));

/// Takes `units` from the quota `limit` of `key` in Redis; `None` when Redis cannot be reached.
async fn gcra(
    shared: &Shared,
    role: Option<Role>,
    key: &str,
    limit: u32,
    units: u32,
    take: Take,
) -> Option<Result<Allowance, Exceeded>> {
    let interval_us = 60_000_000 / u64::from(limit.max(1));
    let role = role.map_or("anonymous", Role::as_str);
    let mut call = GCRA.prepare_invoke();
    call.key(shared.key(&format!("rate:{role}:{key}")))
        .arg(interval_us)
        .arg(limit)
        .arg(units)
        .arg(u8::from(matches!(take, Take::Whole)));
    let (taken, remaining, wait_us): (i64, i64, i64) = shared.eval(&call).await?;
    Some(if taken == 1 {
        Ok(Allowance {
            limit,
            remaining: u32::try_from(remaining).unwrap_or(0),
        })
    } else {
        let wait_us = u64::try_from(wait_us).unwrap_or(0);
        Err(Exceeded {
            limit,
            retry_after_seconds: wait_us.div_ceil(1_000_000),
        })
    })
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

    fn anonymous(per_minute: u32) -> Quotas {
        crate::limits::Limits {
            rate_limits: format!("anonymous={per_minute}"),
            ..crate::limits::Limits::default()
        }
        .quotas()
        .expect("valid")
        .expect("on")
    }

    /// A charge of fifty units spends a quota of ten: the next take is refused, another client's
    /// is not.
    async fn a_charge_spends_the_quota(limiters: &RateLimiters) {
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        let first = limiters.take(&Viewer::Anonymous, client).await;
        assert_eq!(first.map(|a| a.map(|a| a.remaining)), Ok(Some(9)));
        limiters.charge(&Viewer::Anonymous, client, 50).await;
        let refused = limiters
            .take(&Viewer::Anonymous, client)
            .await
            .expect_err("spent");
        assert!(
            (1..=6).contains(&refused.retry_after_seconds),
            "{refused:?}"
        );
        // Another client's quota is its own.
        assert!(limiters.take(&Viewer::Anonymous, other).await.is_ok());
    }

    #[tokio::test]
    async fn a_charge_spends_the_quota_the_next_request_needs() {
        a_charge_spends_the_quota(&RateLimiters::new(anonymous(10), None)).await;
    }

    #[tokio::test]
    async fn a_charge_spends_the_quota_the_next_request_needs_in_redis() {
        let shared = Arc::new(crate::shared::test_connection().await);
        a_charge_spends_the_quota(&RateLimiters::new(anonymous(10), Some(shared))).await;
    }

    #[tokio::test]
    async fn a_quota_in_redis_is_one_budget_for_every_limiter_sharing_it() {
        let shared = Arc::new(crate::shared::test_connection().await);
        let replicas: Vec<RateLimiters> = (0..3)
            .map(|_| RateLimiters::new(anonymous(5), Some(shared.clone())))
            .collect();
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        let mut remaining = Vec::new();
        for replica in replicas.iter().cycle().take(5) {
            let taken = replica.take(&Viewer::Anonymous, client).await;
            remaining.push(taken.expect("within the quota").expect("limited").remaining);
        }
        assert_eq!(remaining, [4, 3, 2, 1, 0]);
        assert!(replicas[2].take(&Viewer::Anonymous, client).await.is_err());
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
