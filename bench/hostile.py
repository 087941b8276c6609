#!/usr/bin/env python3
"""The worst documents the registry admits, at concurrency 8: peak memory and latency.

For each kind of expensive document (aliased pages, fan-out through plain lists, nested seats and
disciplines, the full coverage dashboard) it finds the largest one of at most 32 KiB that the
default limits (MAX_QUERY_COST, MAX_ALIASES, …) still admit, then sends it from 8 clients at once
for a while to a fresh server (response cache off, so every request runs) and reports the
server's peak resident memory (VmHWM), the latencies and the answers' codes. The issue's target:
under 256 MiB and within the request deadline (REQUEST_TIMEOUT_MS, 10 s by default).

    bench/hostile.py --api target/release/api [--seconds 20] [--backend postgres|sqlite]
"""

import argparse
import json
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request

from bench import Server, log, peak_rss_mb, run

MAX_DOCUMENT = 32 * 1024
CONCURRENCY = 8
REGION_FIELDS = "code name populationApprox preferredInsurer mandateMunicipality confidence notes version createdAt updatedAt"
FIGURES = """fragment F on CoverageFigures { regions population
  resvs { regionsWithResv byPhase { phase resvs } }
  vouchers { status vouchers }
  subsidies { kind status applications granted { min max sum } }
  subsidyReach { kind regionsApplied regionsGranted populationApplied populationShareApplied } }"""


def pages(n):
    body = " ".join(f"p{i}: regions(first: {n}) {{ nodes {{ {REGION_FIELDS} }} }}" for i in range(30))
    return "{ " + body + " }"


def fan_out(n):
    return ("{ regions(first: %d) { nodes { code neighbourhoodCollaborations { name region { code "
            "neighbourhoodCollaborations { name region { code name } } } } } } }" % n)


def seats(n):
    seat = "seats { organisation mandateStatus multidisciplinary delegateName disciplines { code name nameNl paramedical } }"
    body = " ".join(f"a{i}: regions(first: {n}) {{ nodes {{ code resv {{ name phase {seat} }} }} }}" for i in range(30))
    return "{ " + body + " }"


def dashboard(n):
    body = " ".join(f"c{i}: coverage {{ byRegion {{ key figures {{ ...F }} }} }}" for i in range(n))
    return "{ " + body + " } " + FIGURES


KINDS = [("30 aliased pages of regions", pages, 100),
         ("fan-out through plain lists, 2 levels", fan_out, 100),
         ("30 aliased pages of RESVs, seats, disciplines", seats, 100),
         ("aliased full coverage dashboards", dashboard, 30)]


def post(url, query):
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def codes(answer):
    return sorted({(e.get("extensions") or {}).get("code", "?") for e in answer.get("errors", [])})


def admitted(url, query):
    status, answer = post(url, query)
    return status == 200 and not any(c in ("QUERY_TOO_COSTLY", "TOO_MANY_ALIASES", "DOCUMENT_TOO_LARGE",
                                           "RESPONSE_TOO_LARGE") for c in codes(answer)), answer


def largest(url, make, most):
    """The largest n in 1..most whose document is at most 32 KiB and admitted."""
    low, high, best = 1, most, None
    while low <= high:
        n = (low + high) // 2
        query = make(n)
        ok = len(query.encode()) <= MAX_DOCUMENT and admitted(url, query)[0]
        if ok:
            best, low = n, n + 1
        else:
            high = n - 1
    return best


def hammer(url, query, seconds):
    latencies, outcomes, lock = [], {}, threading.Lock()
    stop = time.time() + seconds

    def client():
        while time.time() < stop:
            started = time.time()
            status, answer = post(url, query)
            elapsed = time.time() - started
            key = f"{status} {','.join(codes(answer)) or 'ok'}"
            with lock:
                latencies.append(elapsed)
                outcomes[key] = outcomes.get(key, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
    return {"requests": len(latencies), "p50_s": round(p(0.5), 3), "p99_s": round(p(0.99), 3),
            "max_s": round(latencies[-1], 3) if latencies else 0, "outcomes": outcomes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", default="target/release/api")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--port", type=int, default=18090)
    args = parser.parse_args()
    logs = tempfile.mkdtemp(prefix="registry-hostile-")
    if args.backend == "postgres":
        db = "registry_hostile"
        admin = f"{args.pg}/postgres"
        run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
        run(["psql", admin, "-qc", f"CREATE DATABASE {db}"])
        url = f"{args.pg}/{db}?sslmode=disable"
    else:
        url = f"sqlite://{logs}/registry.db?mode=rwc"
    env = dict(os.environ, DATABASE_URL=url, RATE_LIMITS="off", RUST_LOG="warn", LOG_FORMAT="json",
               BIND_ADDR=f"127.0.0.1:{args.port}", RESPONSE_CACHE_ENTRIES="0")
    run([args.api, "migrate"], env)
    run([args.api, "seed"], env)
    base = f"http://127.0.0.1:{args.port}"
    graphql = f"{base}/graphql"
    results = []
    for name, make, most in KINDS:
        server = Server([args.api, "serve"], env, f"{base}/healthz", os.path.join(logs, "api.log"))
        try:
            n = largest(graphql, make, most)
            if n is None:
                log(f"{name}: no size admitted")
                continue
            query = make(n)
            _, answer = post(graphql, query)
            cost = (answer.get("extensions") or {}).get("cost", {})
            log(f"{name}: n={n}, {len(query.encode())} bytes, cost {cost}")
            # A fresh server, so its peak memory is this document's.
            server.stop()
            server = Server([args.api, "serve"], env, f"{base}/healthz", os.path.join(logs, "api.log"))
            outcome = hammer(graphql, query, args.seconds)
            outcome.update(kind=name, n=n, bytes=len(query.encode()), cost=cost,
                           peak_rss_mb=round(peak_rss_mb(server.process.pid) or 0, 1))
            results.append(outcome)
            log(json.dumps(outcome))
        finally:
            server.stop()
    print(f"\n{'document':<48} {'bytes':>6} {'requested':>9} {'actual':>7} {'req':>5} {'p50 s':>6} "
          f"{'p99 s':>6} {'max s':>6} {'peak MiB':>8}  outcomes")
    for r in results:
        print(f"{r['kind']:<48} {r['bytes']:>6} {r['cost'].get('requested', 0):>9} {r['cost'].get('actual', 0):>7} "
              f"{r['requests']:>5} {r['p50_s']:>6} {r['p99_s']:>6} {r['max_s']:>6} {r['peak_rss_mb']:>8}  {r['outcomes']}")


if __name__ == "__main__":
    main()
