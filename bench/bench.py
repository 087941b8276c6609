#!/usr/bin/env python3
"""The registry's read benchmark, side by side with PostGraphile on the same database.

For each scale factor it loads synthetic data (54 x N regions, `api seed --scale N`) into a
PostgreSQL database of its own, starts the API (release build) on loopback, and drives it with
wrk for a bounded time per operation and concurrency, without and with the response cache. It
starts PostGraphile v4 on the same database, checks that both answer the same data, drives it the
same way, and reports throughput, p50/p99 latency, CPU milliseconds per request of the server and
of PostgreSQL (from /proc), SQL statements per request and the server's peak RSS, as a table and
as JSON, with our throughput over theirs.

Run through `bench/run` (it installs wrk and PostGraphile and builds the API); see bench/README.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = 100

# The operations: name, our query, our variables, PostGraphile's query, its variables, and a
# function that reduces either answer to comparable data.
REGION_OURS = """query Region($code: String!) { region(code: $code) { code name
  resv { name phase seats { organisation mandateStatus disciplines { code } } } } }"""
REGION_THEIRS = """query Region($code: String!) { regionByCode(code: $code) { code name
  resvByRegionId { name phase seatsByResvId(orderBy: ID_ASC) { nodes { organisation mandateStatus
    seatDisciplinesBySeatIdAndResvId { nodes { disciplineCode } } } } } } }"""

PAGE_OURS = """{ regions(first: 100) { nodes { code name
  resv { name phase seats { organisation mandateStatus disciplines { code nameNl } } } } } }"""
PAGE_THEIRS = """{ allRegions(first: 100, orderBy: CODE_ASC) { nodes { code name
  resvByRegionId { name phase seatsByResvId(orderBy: ID_ASC) { nodes { organisation mandateStatus
    seatDisciplinesBySeatIdAndResvId { nodes { disciplineByDisciplineCode { code nameNl } } } } } } } } }"""

DASHBOARD_OURS = """{ regions(first: 100) { nodes { code name populationApprox
  resv { name phase seats { organisation mandateStatus } }
  subsidies { kind status amountGranted }
  vouchers { discipline { code } status amount } } } }"""
DASHBOARD_THEIRS = """{ allRegions(first: 100, orderBy: CODE_ASC) { nodes { code name populationApprox
  resvByRegionId { name phase seatsByResvId(orderBy: ID_ASC) { nodes { organisation mandateStatus } } }
  subsidiesByRegionId(condition: { status: "GRANTED" }, orderBy: [APPLIED_ON_ASC, ID_ASC]) {
    nodes { kind status amountGrantedCents } }
  vouchersByRegionId(condition: { status: "GRANTED" }, orderBy: DISCIPLINE_CODE_ASC) {
    nodes { disciplineCode status amountCents } } } } }"""

SEARCH_OURS = """{ learningMaterials(first: 20, filter: { search: "care" }, orderBy: { field: TITLE }) {
  nodes { kind title publishedOn } } }"""
SEARCH_THEIRS = """{ allLearningMaterials(first: 20, orderBy: [TITLE_ASC, ID_ASC], filter: {
  visibility: { equalTo: "PUBLIC" },
  or: [{ title: { includesInsensitive: "care" } }, { summary: { includesInsensitive: "care" } }] }) {
  nodes { kind title publishedOn } } }"""

MUTATION_OURS = """mutation { createNeighbourhoodCollaboration(input: {
  regionCode: "R01", name: "Benchmark", area: "Load", disciplines: [GENERAL_PRACTICE] }) {
  neighbourhoodCollaboration { id } userErrors { message } } }"""


def num(value):
    """A number PostGraphile may send as a string (BigInt)."""
    return None if value is None else int(value)


def cents(money):
    """Our Money ("1250000.00") as cents."""
    if money is None:
        return None
    whole, _, frac = money.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def seats_ours(resv, disciplines=True):
    if not resv:
        return None
    return (resv["name"], resv["phase"], sorted(
        (s["organisation"], s["mandateStatus"],
         tuple(sorted(d["code"] for d in s["disciplines"])) if disciplines else ())
        for s in resv["seats"]))


def seats_theirs(resv, disciplines=True, named=False):
    if not resv:
        return None
    out = []
    for s in resv["seatsByResvId"]["nodes"]:
        codes = ()
        if disciplines:
            links = s["seatDisciplinesBySeatIdAndResvId"]["nodes"]
            codes = tuple(sorted(
                (l["disciplineByDisciplineCode"]["code"] if named else l["disciplineCode"])
                for l in links))
        out.append((s["organisation"], s["mandateStatus"], codes))
    return (resv["name"], resv["phase"], sorted(out))


def reduce_region(side, data):
    r = data["region"] if side == "ours" else data["regionByCode"]
    resv = r["resv"] if side == "ours" else r["resvByRegionId"]
    return (r["code"], r["name"], seats_ours(resv) if side == "ours" else seats_theirs(resv))


def reduce_page(side, data):
    if side == "ours":
        return [(r["code"], r["name"], seats_ours(r["resv"])) for r in data["regions"]["nodes"]]
    return [(r["code"], r["name"], seats_theirs(r["resvByRegionId"], named=True))
            for r in data["allRegions"]["nodes"]]


def reduce_dashboard(side, data):
    out = []
    if side == "ours":
        for r in data["regions"]["nodes"]:
            out.append((r["code"], r["populationApprox"], seats_ours(r["resv"], False),
                        sorted((s["kind"], s["status"], cents(s["amountGranted"])) for s in r["subsidies"]),
                        sorted((v["discipline"]["code"], v["status"], cents(v["amount"])) for v in r["vouchers"])))
    else:
        for r in data["allRegions"]["nodes"]:
            out.append((r["code"], num(r["populationApprox"]), seats_theirs(r["resvByRegionId"], False),
                        sorted((s["kind"], s["status"], num(s["amountGrantedCents"])) for s in r["subsidiesByRegionId"]["nodes"]),
                        sorted((v["disciplineCode"], v["status"], num(v["amountCents"])) for v in r["vouchersByRegionId"]["nodes"])))
    return out


def reduce_search(side, data):
    nodes = data["learningMaterials"]["nodes"] if side == "ours" else data["allLearningMaterials"]["nodes"]
    return sorted((n["kind"], n["title"], n["publishedOn"]) for n in nodes)


OPERATIONS = [
    ("region", REGION_OURS, {"code": "R01"}, REGION_THEIRS, {"code": "R01"}, reduce_region),
    ("page_of_100", PAGE_OURS, {}, PAGE_THEIRS, {}, reduce_page),
    ("dashboard", DASHBOARD_OURS, {}, DASHBOARD_THEIRS, {}, reduce_dashboard),
    ("material_search", SEARCH_OURS, {}, SEARCH_THEIRS, {}, reduce_search),
]


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(cmd, env=None, quiet=True):
    out = subprocess.run(cmd, env=env, capture_output=quiet, text=True)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stdout if quiet else ''}{out.stderr if quiet else ''}")
    return out.stdout if quiet else ""


def post(url, query, variables=None, token=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise SystemExit(f"errors from {url}: {json.dumps(answer['errors'])[:500]}")
    return answer["data"]


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def cpu_ticks(pids):
    """CPU ticks (user + system) used so far, by pid."""
    ticks = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return ticks


def cpu_used(before, after):
    """Ticks used between two samples by the processes alive at the second one (a process started
    in between counts from zero; one that ended in between is left out, never made negative)."""
    return sum(t - before.get(pid, 0) for pid, t in after.items())


def tree(pid):
    """`pid` and its descendants."""
    out = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except FileNotFoundError:
        children = []
    for child in children:
        out.extend(tree(int(child)))
    return out


def postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def statements(base):
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
        text = response.read().decode()
    match = re.search(r"^registry_db_statements_total (\d+)", text, re.M)
    return int(match.group(1)) if match else 0


def wrk(url, query, variables, connections, seconds, token=None):
    """Throughput and latency (ms) of `query` at `connections` for `seconds`."""
    body = json.dumps({"query": query, "variables": variables})
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    script = "wrk.method = 'POST'\nwrk.body = " + json.dumps(body) + "\n" + "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items()) + """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %f %f %f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        threads = min(connections, 2)
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", path, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out, re.M)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{out}")
    requests, bad_status, socket_errors, duration_us, p50, p99, _ = match.groups()
    requests, duration = int(requests), int(duration_us) / 1e6
    return {
        "requests": requests,
        "errors": int(bad_status) + int(socket_errors),
        "rps": requests / duration if duration else 0.0,
        "p50_ms": float(p50) / 1000,
        "p99_ms": float(p99) / 1000,
    }


def measure(name, url, query, variables, connections, seconds, server_pids, base=None, token=None):
    server_before, pg_before = cpu_ticks(server_pids), cpu_ticks(postgres_pids())
    sql_before = statements(base) if base else None
    result = wrk(url, query, variables, connections, seconds, token)
    server_after, pg_after = cpu_ticks(server_pids), cpu_ticks(postgres_pids())
    n = max(result["requests"], 1)
    result["server_cpu_ms_per_request"] = cpu_used(server_before, server_after) * 1000 / CLK_TCK / n
    result["postgres_cpu_ms_per_request"] = cpu_used(pg_before, pg_after) * 1000 / CLK_TCK / n
    if base:
        result["sql_per_request"] = (statements(base) - sql_before) / n
    result["operation"], result["concurrency"] = name, connections
    return result


class Server:
    def __init__(self, cmd, env, url, log_path):
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            wait_for(url)
        except SystemExit:
            self.stop()
            raise

    def pids(self):
        return tree(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", default="1,10,32")
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server (without a database name)")
    parser.add_argument("--api", default=os.path.join(ROOT, "target", "release", "api"))
    parser.add_argument("--postgraphile", default=os.path.join(HERE, ".node", "node_modules", ".bin", "postgraphile"))
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--out", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--smoke", action="store_true", help="a few seconds: scale 1, our API only")
    parser.add_argument("--port", type=int, default=18080, help="our API's port")
    parser.add_argument("--their-port", type=int, default=15000, help="PostGraphile's port")
    args = parser.parse_args()
    if args.smoke:
        args.scales, args.seconds, args.concurrency, args.no_postgraphile = "1", 1, "1,10", True
    scales = [int(s) for s in args.scales.split(",")]
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    seconds = max(1, round(args.seconds))
    ours_port, theirs_port = args.port, args.their_port
    results = {"machine": {"cores": os.cpu_count()}, "seconds": seconds, "runs": []}
    logs = tempfile.mkdtemp(prefix="registry-bench-")
    for scale in scales:
        db = f"registry_bench_s{scale}"
        # Both servers talk to PostgreSQL over loopback without TLS (PostGraphile's default; ours
        # would otherwise negotiate TLS, since sqlx prefers it when the server offers it).
        url = f"{args.pg}/{db}?sslmode=disable"
        log(f"Scale {scale}: {54 * scale} regions into {db}")
        admin = f"{args.pg}/postgres"
        run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
        run(["psql", admin, "-qc", f"CREATE DATABASE {db}"])
        env = dict(os.environ, DATABASE_URL=url, RATE_LIMITS="off", LOG_FORMAT="json", RUST_LOG="warn",
                   BIND_ADDR=f"127.0.0.1:{ours_port}", MAX_QUERY_COST="1000000", REQUEST_TIMEOUT_MS="60000")
        run([args.api, "migrate"], env)
        run([args.api, "seed", "--scale", str(scale)], env)
        run(["psql", url, "-qc", "VACUUM ANALYZE"])
        token = run([args.api, "token", "--role", "admin", "--sub", "bench", "--ttl", "8h"], env).strip().splitlines()[-1]
        base, graphql = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{ours_port}/graphql"
        theirs = None
        if not args.no_postgraphile:
            theirs = Server([args.postgraphile, "-c", url, "--port", str(theirs_port), "--host", "127.0.0.1",
                             "--append-plugins", "postgraphile-plugin-connection-filter",
                             "--disable-query-log", "--no-setof-functions-contain-nulls"],
                            dict(os.environ, NODE_ENV="production"), f"http://127.0.0.1:{theirs_port}/graphql",
                            os.path.join(logs, f"postgraphile-{scale}.log"))
        their_url = f"http://127.0.0.1:{theirs_port}/graphql"
        try:
            for cache in ("uncached", "cached"):
                entries = "0" if cache == "uncached" else "2000"
                ours = Server([args.api, "serve"], dict(env, RESPONSE_CACHE_ENTRIES=entries), f"{base}/healthz",
                              os.path.join(logs, f"api-{scale}-{cache}.log"))
                try:
                    for name, query, variables, their_query, their_variables, reduce in OPERATIONS:
                        answer = reduce("ours", post(graphql, query, variables))
                        if not answer:
                            raise SystemExit(f"{name}: our answer is empty")
                        if theirs and cache == "uncached":
                            other = reduce("theirs", post(their_url, their_query, their_variables))
                            if other != answer:
                                raise SystemExit(f"{name}: the answers differ\nours:   {str(answer)[:400]}\ntheirs: {str(other)[:400]}")
                            log(f"{name}: both answer the same data")
                        for c in concurrencies:
                            r = measure(name, graphql, query, variables, c, seconds, ours.pids(), base)
                            r.update(server="registry", cache=cache, scale=scale)
                            results["runs"].append(r)
                            log(f"registry {cache} {name} c{c}: {r['rps']:.0f}/s p99 {r['p99_ms']:.2f} ms")
                            if theirs and cache == "uncached":
                                t = measure(name, their_url, their_query, their_variables, c, seconds, theirs.pids())
                                t.update(server="postgraphile", cache="none", scale=scale)
                                results["runs"].append(t)
                                log(f"postgraphile {name} c{c}: {t['rps']:.0f}/s p99 {t['p99_ms']:.2f} ms")
                    if cache == "uncached":
                        for c in concurrencies:
                            r = measure("mutation", graphql, MUTATION_OURS, {}, c, seconds, ours.pids(), base, token)
                            r.update(server="registry", cache=cache, scale=scale)
                            results["runs"].append(r)
                            log(f"registry mutation c{c}: {r['rps']:.0f}/s p99 {r['p99_ms']:.2f} ms")
                    results.setdefault("peak_rss_mb", {})[f"{scale}-{cache}"] = peak_rss_mb(ours.process.pid)
                finally:
                    ours.stop()
        finally:
            if theirs:
                theirs.stop()
            run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    report(results)
    errors = sum(r["errors"] for r in results["runs"])
    if errors:
        raise SystemExit(f"{errors} requests failed")


def report(results):
    runs = results["runs"]
    theirs = {(r["scale"], r["operation"], r["concurrency"]): r for r in runs if r["server"] == "postgraphile"}
    print(f"\n{'scale':>5} {'operation':<16} {'cache':<8} {'c':>3} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'cpu ms':>7} {'pg ms':>6} {'sql':>5} {'PostGraphile':>12} {'x':>6}")
    for r in runs:
        if r["server"] != "registry":
            continue
        t = theirs.get((r["scale"], r["operation"], r["concurrency"]))
        ratio = f"{r['rps'] / t['rps']:.1f}" if t and t["rps"] else "-"
        other = f"{t['rps']:.0f}" if t else "-"
        print(f"{r['scale']:>5} {r['operation']:<16} {r['cache']:<8} {r['concurrency']:>3} {r['rps']:>9.0f} "
              f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['server_cpu_ms_per_request']:>7.3f} "
              f"{r['postgres_cpu_ms_per_request']:>6.3f} {r.get('sql_per_request', 0):>5.1f} {other:>12} {ratio:>6}")
    print("\npeak server RSS (MB):", ", ".join(f"{k} {v:.0f}" for k, v in results.get("peak_rss_mb", {}).items()))


if __name__ == "__main__":
    main()
