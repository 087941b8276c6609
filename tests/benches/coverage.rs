//! Benchmark of the coverage dashboards (not a test: these machines are noisy).
//!
//! `cargo bench -p registry-tests --bench coverage` runs the national coverage query, the full
//! dashboard (nation, care-office regions and regions) and an 18-month timeline against the real
//! app over HTTP, at 54 and at 5,400 regions, on SQLite and (with `TEST_DATABASE_URL`) on
//! PostgreSQL, and prints latency percentiles and SQL statements per request.
//! `BENCH_SCALES=1,100` and `BENCH_ROUNDS=200` change what it does.

#[path = "../tests/registry/common/mod.rs"]
mod common;

use common::{Backend, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};

const FIGURES: &str = "
fragment F on CoverageFigures {
  regions population
  resvs { regionsWithResv populationShare minimumCompositionMet
          byPhase { phase resvs designCriteria { criterion met } }
          mainTasks { task notStarted inProgress operational } }
  seats { multidisciplinarySeats byDiscipline { discipline mandated pending withoutMandate empty } }
  subsidies { kind status suppressed applications granted { sum min max } }
  subsidyReach { kind regionsApplied populationShareApplied regionsGranted }
  vouchers { discipline status vouchers }
  neighbourhoods { collaborations population populationShare meetingMinimumComposition }
}";

fn queries() -> Vec<(&'static str, String)> {
    vec![
        (
            "national coverage",
            format!("{{ coverage(asOf: \"2025-07-01\") {{ national {{ ...F }} }} }} {FIGURES}"),
        ),
        (
            "dashboard (nation, care-office regions, regions)",
            format!(
                "{{ coverage(asOf: \"2025-07-01\") {{ national {{ ...F }}
                   byCareOfficeRegion {{ key figures {{ ...F }} }}
                   byRegion {{ key figures {{ ...F }} }} }} }} {FIGURES}"
            ),
        ),
        (
            "timeline, 19 months, national",
            "{ coverageTimeline(from: \"2024-01-01\", to: \"2025-07-01\", interval: MONTH) {
                 asOf national { resvs { regionsWithResv } subsidyReach { kind regionsGranted } } } }"
                .to_owned(),
        ),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn measure(app: &TestApp, label: &str, query: &str, rounds: usize) {
    for _ in 0..3 {
        app.data(query, json!({})).await;
    }
    let mut times = Vec::with_capacity(rounds);
    let mut statements = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let (_, count) = app.counted(query, json!({})).await;
        times.push(start.elapsed());
        statements.push(count);
    }
    times.sort();
    statements.sort();
    println!(
        "  {label:<50} p50 {:>9}  p95 {:>9}  p99 {:>9}  statements {}{}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        statements[0],
        if statements[0] == statements[statements.len() - 1] {
            String::new()
        } else {
            format!("..{}", statements[statements.len() - 1])
        }
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let scales: Vec<u32> = std::env::var("BENCH_SCALES")
        .unwrap_or_else(|_| "1,100".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    runtime.block_on(async {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            if backend == Backend::Postgres && std::env::var_os(common::PG_ENV).is_none() {
                println!("{} is not set: no PostgreSQL figures.", common::PG_ENV);
                continue;
            }
            for &scale in &scales {
                let seeding = Instant::now();
                let app = TestApp::spawn(backend, scale).await;
                println!(
                    "{backend:?}, {} regions (seeded in {:.1} s):",
                    54 * scale,
                    seeding.elapsed().as_secs_f64()
                );
                let rounds = if scale > 10 { rounds / 5 } else { rounds }.max(5);
                for (label, query) in queries() {
                    measure(&app, label, &query, rounds).await;
                }
            }
        }
    });
}
