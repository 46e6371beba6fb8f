"""`make bench`: every performance figure of Erbij measured in one run, printed as one table.

    .venv/bin/python tests/perf/bench_all.py [--only-launches]

Columns: (a) a bare Flask "hello" endpoint, (b) a PyLTI1p3 tool as its README shows
(tests/perf/peer_tool.py), (c) Erbij — the servers under the same gunicorn settings and the
same measuring config (launch_bench.py), the load from a separate process. Each figure is
also given as a ratio to (a), and for launches to (b), so that runs on noisy machines
compare; the last columns give the target and whether it held.

Rows:
- complete launches per second, and the tool's own time per launch (its server time summed
  over its requests for one launch) p50/p95/p99; also the time the load generator saw. The
  PyLTI1p3 tool and Erbij take turns (BENCH_ROUNDS rounds each), so that a drift of the
  machine's speed during the run weighs on both;
- check-in submissions per second with p50/p95/p99 (PostgreSQL when it answers), and how
  the keep-alive connections fell to the workers. A worker serves every connection it
  accepted, for the whole phase, and which one accepts is a race: the load generator
  places its connections (the launches' browsers and the check-ins' sockets) evenly over
  the workers before the clock starts (launch_bench.spread_over_workers), as many clients
  behind a load balancer would be;
- the teacher dashboard for 40 students × 40 weeks and 300 × 40 (pytest-benchmark,
  tests/perf/test_dashboard_bench.py, in-process on the same database), and 300 × 40's
  first view with no closed week's figures cached;
- the coach's time for a 200-word draft (tests/perf/test_coach_bench.py);
- peak RSS per worker; SQL statements and requests per launch.

Also writes test-artifacts/bench.json. Exit status 1 when an operation failed (never hidden).
"""

from __future__ import annotations

import argparse
import json
import os
import platform as platform_module
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import launch_bench as lb  # noqa: E402

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", 720))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
HELLOS = int(os.environ.get("BENCH_HELLOS", 1200))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", 4000))
CHECKIN_STUDENTS = int(os.environ.get("BENCH_CHECKIN_STUDENTS", 48))
CHECKIN_CONCURRENCY = int(os.environ.get("BENCH_CHECKIN_CONCURRENCY", 16))
ARTIFACT = ROOT / "test-artifacts" / "bench.json"
# Another checkout of Erbij to measure (e.g. an older commit, for a before/after).
ERBIJ_ROOT = Path(os.environ.get("BENCH_ERBIJ_ROOT") or ROOT)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rate(r: dict, key: str = "server") -> float:
    return len(r[key]) / r["wall"] if r.get("wall") else float("nan")


# ---------------------------------------------------------------- servers and load
def run_servers(use_pg: bool, only_launches: bool) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.platform import FakePlatform, JwksServer

    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="erbij-bench-"))
    platform = FakePlatform(issuer="http://127.0.0.1:1", key_name="bench-platform")
    jwks = JwksServer(platform)
    platform.issuer = f"http://127.0.0.1:{jwks.port}"
    key_file = tmp / "peer-tool.pem"
    # The platform's key, for the load generator to sign with; the peer also uses it as its
    # own tool key (it only signs service calls, which a launch does not make).
    key_file.write_bytes(platform.private_pem())
    ports = {k: lb.free_port() for k in ("hello", "peer", "erbij")}
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL"}}
    pg_name = admin = None
    env = {
        **base_env,
        "SECRET_KEY": "bench-secret",
        "ERBIJ_BASE_URL": f"http://127.0.0.1:{ports['erbij']}",
        "ERBIJ_INSTANCE_PATH": str(tmp / "instance"),
        "ERBIJ_ALLOW_LOOPBACK": "1",
        "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": "0",
    }
    if use_pg:
        pg_name = f"erbij_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        env["DATABASE_URL"] = make_url(PG).set(database=pg_name).render_as_string(hide_password=False)
    redis = lb.answers(6379)
    if redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/6"
    results: dict = {"store": ("PostgreSQL" if use_pg else "SQLite") + (" + Redis" if redis else "")}
    try:
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ERBIJ_ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        register = (
            "from lti_tool import create_app; from lti_tool.lti.registrations import upsert_registration;"
            "app = create_app();\nwith app.app_context():\n"
            f" upsert_registration(issuer={platform.issuer!r}, client_id={platform.client_id!r}, auth_login_url={platform.auth_url!r},"
            f" auth_token_url={platform.token_url!r}, key_set_url={platform.jwks_url!r}, deployment_ids=[{platform.deployment_id!r}])"
        )
        subprocess.run([sys.executable, "-c", register], cwd=ERBIJ_ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        peer_env = {
            **base_env,
            "PEER_ISSUER": platform.issuer,
            "PEER_CLIENT_ID": platform.client_id,
            "PEER_JWKS_URL": platform.jwks_url,
            "PEER_DEPLOYMENT_ID": platform.deployment_id,
            "PEER_KEY_FILE": str(key_file),
        }
        config = tmp / "gunicorn-bench.conf.py"
        config.write_text(lb.GUNICORN_CONFIG)
        servers = {
            "hello": lb.gunicorn("hello_app:app", ports["hello"], base_env, ROOT / "tests" / "perf", config),
            "peer": lb.gunicorn("peer_tool:app", ports["peer"], peer_env, ROOT / "tests" / "perf", config),
            "erbij": lb.gunicorn("wsgi:app", ports["erbij"], env, ERBIJ_ROOT, config),
        }
        procs.extend(servers.values())
        for name, port in ports.items():
            lb.wait_up(f"http://127.0.0.1:{port}/" + ("healthz" if name == "erbij" else ""))

        url = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
        results["hello"] = lb.run_client("hello", url["hello"], HELLOS)
        for kind in ("peer", "erbij"):
            lb.run_client(kind, url[kind], 4 * lb.CONCURRENCY, issuer=platform.issuer, key_file=str(key_file))  # warm-up
        # Peer and Erbij take turns, ROUNDS times: a VM that speeds up or slows down during
        # the run (it does, by up to half) weighs on both alike instead of on one.
        for _ in range(ROUNDS):
            for kind in ("peer", "erbij"):
                done = lb.run_client(kind, url[kind], LAUNCHES // ROUNDS, issuer=platform.issuer, key_file=str(key_file))
                results[kind] = _pooled(results.get(kind), done)
        if not only_launches:
            results["checkin"] = lb.run_client(
                "checkin", url["erbij"], SUBMISSIONS, issuer=platform.issuer, key_file=str(key_file),
                concurrency=CHECKIN_CONCURRENCY, students=CHECKIN_STUDENTS,
            )
        results["rss"] = {k: lb.peak_rss_mb(p) for k, p in servers.items()}
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        jwks.server.shutdown()
        if pg_name:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    return results


def _pooled(before: dict | None, more: dict) -> dict:
    """Two runs of the load generator as one: their samples together, their walls summed."""
    if before is None:
        return {**more, "splits": [more.get("connections_per_worker")]}
    pooled = {k: before[k] + more[k] for k in ("wall", "client", "server", "statements", "requests", "error_count")}
    pooled["errors"] = (before["errors"] + more["errors"])[:5]
    pooled["splits"] = before["splits"] + [more.get("connections_per_worker")]  # each round's connections per worker
    return pooled


# ---------------------------------------------------------------- in-process benchmarks (pytest-benchmark)
def run_pytest_benchmarks(use_pg: bool) -> dict:
    """The dashboard and coach benchmarks, as the test suite has them; their JSON read back."""
    out = Path(tempfile.mkdtemp(prefix="erbij-bench-json-")) / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    if use_pg:
        env["TEST_DATABASE_URL"] = PG
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-m", "bench",
        "tests/perf/test_dashboard_bench.py", "tests/perf/test_coach_bench.py",
        "--benchmark-disable-gc", "--benchmark-max-time=0.5", f"--benchmark-json={out}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    found: dict = {"exit": proc.returncode, "failed": [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]}
    if out.exists():
        for b in json.loads(out.read_text())["benchmarks"]:
            found[b["name"]] = {"mean": b["stats"]["mean"], "median": b["stats"]["median"], "max": b["stats"]["max"], **b.get("extra_info", {})}
    return found


# ---------------------------------------------------------------- the table
def build_rows(r: dict, pyb: dict) -> list[dict]:
    h, pe, er = r["hello"], r["peer"], r["erbij"]
    hello_ms = statistics.median(h["server"]) * 1000
    hello_rate = rate(h)
    rows: list[dict] = []

    def row(name, a, b, c, *, ratio_a=None, ratio_b=None, target="", held=None, unit=""):
        rows.append({"name": name, "a": a, "b": b, "c": c, "c/a": ratio_a, "c/b": ratio_b, "target": target, "held": held, "unit": unit})

    ra, rb, rc = rate(h), rate(pe), rate(er)
    row("launches per second (a: hello requests)", ra, rb, rc, ratio_a=rc / ra, ratio_b=rc / rb)
    for p in (50, 95, 99):
        a, b, c = (pct(x["server"], p) * 1000 for x in (h, pe, er))
        target = "c ≤ 0.5 × b" if p == 50 else ""
        row(f"tool's own time per launch p{p} (ms)", a, b, c, ratio_a=c / a, ratio_b=c / b, target=target, held=(c <= 0.5 * b) if p == 50 else None)
    a, b, c = (pct(x["client"], 50) * 1000 for x in (h, pe, er))
    row("time per launch seen by the load generator p50 (ms)", a, b, c, ratio_a=c / a, ratio_b=c / b)
    row("requests to the tool per launch", 1, statistics.median(pe["requests"]), statistics.median(er["requests"]), target="c ≤ 3", held=statistics.median(er["requests"]) <= 3)
    stm = max(er["statements"]) if er["statements"] else float("nan")
    row("SQL statements per launch (returning student, max)", 0, 0, stm, target="≤ 8", held=stm <= 8)
    ci = r.get("checkin")
    if ci:
        n, errs = len(ci["server"]), ci["error_count"]
        cr = n / ci["wall"] if ci["wall"] else float("nan")
        split = "/".join(str(k) for k in ci.get("connections_per_worker", [])) + " spread"
        row(f"check-in submissions per second ({n} sent, {errs} errors; connections per worker {split})", hello_rate, None, cr, ratio_a=cr / hello_rate, target="≥ 500, no error", held=cr >= 500 and errs == 0)
        for p in (50, 95, 99):
            c = pct(ci["server"], p) * 1000
            row(f"check-in submission p{p} (ms)", pct(h["server"], p) * 1000, None, c, ratio_a=c / (pct(h["server"], p) * 1000), target="< 100" if p == 99 else "", held=(c < 100) if p == 99 else None)
        c = pct(ci["client"], 99) * 1000
        row("check-in submission p99 seen by the load generator (ms)", pct(h["client"], 99) * 1000, None, c, ratio_a=c / (pct(h["client"], 99) * 1000))
        if ci["statements"]:
            row(
                f"SQL statements per submission (median; a student's first of the week: {max(ci['statements'])})",
                0, None, statistics.median(ci["statements"]),
            )
    for students in (40, 300):
        means = [v for k, v in pyb.items() if isinstance(v, dict) and k.startswith("test_dashboard") and v.get("students") == students and not v.get("cold")]
        if means:
            worst = max(means, key=lambda v: v["mean"])
            c = worst["mean"] * 1000
            row(f"dashboard {students}×40 render, mean, worst mode ({worst['mode']}, {worst['queries']} statements) (ms)", hello_ms, None, c, ratio_a=c / hello_ms, target="< 150", held=c < 150)
    cold = [v for k, v in pyb.items() if isinstance(v, dict) and v.get("cold")]
    if cold:
        c = cold[0]["mean"] * 1000
        row("dashboard 300×40 first view, no closed week cached, mean (ms)", hello_ms, None, c, ratio_a=c / hello_ms)
    coach = [v for k, v in pyb.items() if isinstance(v, dict) and k.startswith("test_review")]
    if coach:
        c = max(v["mean"] for v in coach) * 1000
        row("coach, 200-word draft with 30 others, mean (cold cache worst) (ms)", hello_ms, None, c, ratio_a=c / hello_ms, target="< 5", held=c < 5)
    rss = r["rss"]
    row("peak RSS per worker (MB)", rss["hello"], rss["peer"], rss["erbij"], ratio_a=rss["erbij"] / rss["hello"], ratio_b=rss["erbij"] / rss["peer"], target="< 150", held=rss["erbij"] < 150)
    return rows


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v != v:
        return "n/a"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e6):
        return f"{int(v)}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"


def print_table(rows: list[dict], header: str) -> None:
    print()
    print(header)
    w = max(len(r["name"]) for r in rows)
    print(f"{'':{w}}  {'(a) hello':>10} {'(b) PyLTI1p3':>12} {'(c) Erbij':>10} {'c/a':>7} {'c/b':>6}  {'target':<16} held")
    for r in rows:
        held = "" if r["held"] is None else ("held" if r["held"] else "MISSED")
        print(
            f"{r['name']:{w}}  {_fmt(r['a']):>10} {_fmt(r['b']):>12} {_fmt(r['c']):>10} {_fmt(r['c/a']):>7} {_fmt(r['c/b']):>6}  {r['target']:<16} {held}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only-launches", action="store_true")
    parser.add_argument("--servers-only", action="store_true", help="no in-process benchmarks (e.g. with BENCH_ERBIJ_ROOT)")
    args = parser.parse_args()
    started = time.monotonic()
    use_pg = lb.answers(5432)
    results = run_servers(use_pg, args.only_launches)
    pyb = {} if args.only_launches or args.servers_only else run_pytest_benchmarks(use_pg)
    rows = build_rows(results, pyb)
    header = (
        f"make bench — one run on {platform_module.node()} ({os.cpu_count()} cores), gunicorn gthread {lb.WORKERS}×{lb.THREADS} for each "
        f"server, load from a separate process ({lb.CONCURRENCY} browsers for launches, PyLTI1p3 and Erbij taking turns in {ROUNDS} rounds, and {CHECKIN_CONCURRENCY} keep-alive connections for check-ins, each spread evenly over the workers); "
        f"Erbij on {results['store']}; times are the servers' own unless said otherwise"
    )
    print_table(rows, header)
    failures = []
    for kind in ("peer", "erbij", "checkin"):
        r = results.get(kind)
        if r and r["error_count"]:
            failures.append(f"{kind}: {r['error_count']} errors, e.g. {r['errors'][:2]}")
    if pyb.get("failed"):
        failures.append(f"benchmarks failed their assertions: {pyb['failed']}")
    for f in failures:
        print("  ERROR", f)
    print(f"({time.monotonic() - started:.0f} s)")
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    raw = {k: ({kk: vv for kk, vv in v.items() if kk not in ("client", "server", "statements", "requests")} if isinstance(v, dict) else v) for k, v in results.items()}
    ARTIFACT.write_text(json.dumps({"header": header, "rows": rows, "runs": raw, "pytest_benchmark": pyb, "failures": failures}, indent=1, default=str))
    print(f"written: {ARTIFACT.relative_to(ROOT)}")
    errors = any(results.get(k, {}).get("error_count") for k in ("peer", "erbij", "checkin"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
