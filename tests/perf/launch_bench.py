"""`make bench`, launches side by side: (a) bare Flask, (b) a PyLTI1p3 tool, (c) Erbij.

All three run under the same gunicorn settings (gthread, 2 workers × 4 threads) on this
machine; a benchmark platform (an in-process JWKS server and a signing key) signs the
launches; the load generator is a separate process (`--client`) that drives complete
launches as a browser would — login, the platform's redirect (answered by the generator
itself, so only the tool's time is counted), the launch POST and the page it leads to —
and times every request to the tool. Erbij runs as in production: PostgreSQL and Redis
when they answer on 127.0.0.1, else SQLite and its in-process cache.

Prints one table; each figure also as a ratio to (a) and, for launches, to (b). Every loop
is bounded in count and time; only 127.0.0.1 is contacted; every process started is
stopped by its PID.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORKERS, THREADS = 2, 4
LAUNCHES = int(os.environ.get("BENCH_LAUNCHES", 240))
HELLOS = int(os.environ.get("BENCH_HELLOS", 1200))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 4))
PHASE_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- the load generator (separate process)
class Browser:
    """A cookie jar that sends every cookie back (Chromium sends Secure cookies to 127.0.0.1)."""

    def __init__(self):
        import requests

        self.http = requests.Session()
        self.cookies: dict[str, str] = {}
        self.tool_seconds = 0.0

    def request(self, method: str, url: str, **kw):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        start = time.perf_counter()
        resp = self.http.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kw)
        self.tool_seconds += time.perf_counter() - start
        for raw in resp.raw.headers.getlist("Set-Cookie"):
            k, v = raw.split(";", 1)[0].split("=", 1)
            self.cookies[k] = v
        return resp


def _auth_params(location: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def one_launch(kind: str, base: str, platform, browser: Browser, user: str) -> float:
    """One complete launch; returns the seconds spent in requests to the tool."""
    browser.tool_seconds = 0.0
    if kind == "peer":
        # PyLTI1p3's default storage keeps every launch in the Flask session cookie, which
        # outgrows gunicorn's header limit (431) after a few dozen launches in one browser:
        # each peer launch starts from a clean browser (it has no cookie fast path to lose).
        browser.cookies.clear()
    login_path, launch_path = ("/lti/login", "/lti/launch") if kind == "erbij" else ("/login", "/launch")
    resp = browser.request(
        "POST",
        base + login_path,
        data={
            "iss": platform.issuer,
            "login_hint": user,
            "target_link_uri": base + launch_path,
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
            "lti_message_hint": "hint",
        },
    )
    location = resp.headers.get("Location", "")
    if location.startswith("/"):
        location = base + location
    if location.startswith(base):  # Erbij's cookie check on a browser's first launch
        location = browser.request("GET", location).headers.get("Location", "")
    q = _auth_params(location)
    if "state" not in q or "nonce" not in q:
        raise RuntimeError(f"{kind}: login did not lead to the platform ({resp.status_code})")
    claims = platform.claims(nonce=q["nonce"], role="learner", user=user, activity="checkin", locale="nl")
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = base + launch_path
    resp = browser.request("POST", base + launch_path, data={"id_token": platform.sign(claims), "state": q["state"]})
    hops = 0
    while resp.status_code in (301, 302, 303) and hops < 4:
        nxt = resp.headers["Location"]
        resp = browser.request("GET", nxt if nxt.startswith("http") else base + nxt)
        hops += 1
    if resp.status_code != 200:
        raise RuntimeError(f"{kind}: launch ended in {resp.status_code}: {resp.text[:200]}")
    return browser.tool_seconds


def client_main(args) -> None:
    """Run the load and print JSON: seconds per operation and wall time."""
    from tests.platform import FakePlatform

    times: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + PHASE_SECONDS
    if args.kind == "hello":
        import requests

        def work(i: int):
            s = requests.Session()
            for _ in range(args.count // CONCURRENCY):
                if time.monotonic() > deadline:
                    return
                t = time.perf_counter()
                r = s.get(args.base + "/", timeout=30)
                times.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors.append(str(r.status_code))
    else:
        from cryptography.hazmat.primitives import serialization

        platform = FakePlatform(issuer=args.issuer, key_name=args.key_name)
        platform.key = serialization.load_pem_private_key(Path(args.key_file).read_bytes(), password=None)
        # Sign with the key object: parsing the PEM for every token (37 ms) would take the
        # CPU the servers measure with.
        platform.private_pem = lambda key=None: key or platform.key

        def work(i: int):
            browser = Browser()  # one returning student per thread: cookies kept across launches
            for _ in range(args.count // CONCURRENCY):
                if time.monotonic() > deadline:
                    return
                try:
                    times.append(one_launch(args.kind, args.base, platform, browser, f"bench-student-{i}"))
                except Exception as exc:  # counted and shown, never hidden
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(work, range(CONCURRENCY)))
    print(json.dumps({"times": times, "wall": time.perf_counter() - start, "errors": errors[:5], "error_count": len(errors)}))


# ---------------------------------------------------------------- the servers
def gunicorn(app: str, port: int, env: dict, cwd: Path, config: Path) -> subprocess.Popen:
    # The same empty config file for all three: no access log, nothing from gunicorn.conf.py.
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(config),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    return subprocess.Popen(cmd, cwd=cwd, env=env)  # noqa: S603 - our interpreter, fixed arguments


def wait_up(url: str) -> None:
    import requests

    for _ in range(200):
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def peak_rss_mb(master: subprocess.Popen) -> float:
    """The largest peak RSS (VmHWM) among the master's worker processes."""
    peaks = []
    try:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    except OSError:
        children = []
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return max(peaks) if peaks else float("nan")


def run_client(kind: str, base: str, count: int, issuer: str = "", key_file: str = "") -> dict:
    out = subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [
            sys.executable,
            __file__,
            "--client",
            "--kind",
            kind,
            "--base",
            base,
            "--count",
            str(count),
            "--issuer",
            issuer,
            "--key-file",
            key_file,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PHASE_SECONDS + 60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
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
    ports = {k: _free_port() for k in ("hello", "peer", "erbij")}
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL"}}
    pg_name = None
    use_pg = _answers(5432)
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
    if _answers(6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/6"
    try:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )  # noqa: S603
        register = (
            "from lti_tool import create_app; from lti_tool.lti.registrations import upsert_registration;"
            "app = create_app();\nwith app.app_context():\n"
            f" upsert_registration(issuer={platform.issuer!r}, client_id={platform.client_id!r}, auth_login_url={platform.auth_url!r},"
            f" auth_token_url={platform.token_url!r}, key_set_url={platform.jwks_url!r}, deployment_ids=[{platform.deployment_id!r}])"
        )
        subprocess.run([sys.executable, "-c", register], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        peer_env = {
            **base_env,
            "PEER_ISSUER": platform.issuer,
            "PEER_CLIENT_ID": platform.client_id,
            "PEER_JWKS_URL": platform.jwks_url,
            "PEER_DEPLOYMENT_ID": platform.deployment_id,
            "PEER_KEY_FILE": str(key_file),
        }
        config = tmp / "gunicorn-bench.conf.py"
        config.write_text("# the same settings for every server: the command line's\n")
        servers = {
            "hello": gunicorn("hello_app:app", ports["hello"], base_env, ROOT / "tests" / "perf", config),
            "peer": gunicorn("peer_tool:app", ports["peer"], peer_env, ROOT / "tests" / "perf", config),
            "erbij": gunicorn("wsgi:app", ports["erbij"], env, ROOT, config),
        }
        procs.extend(servers.values())
        for name, port in ports.items():
            wait_up(f"http://127.0.0.1:{port}/" + ("healthz" if name == "erbij" else ""))

        results = {"hello": run_client("hello", f"http://127.0.0.1:{ports['hello']}", HELLOS)}
        for kind in ("peer", "erbij"):
            run_client(kind, f"http://127.0.0.1:{ports[kind]}", 4 * CONCURRENCY, platform.issuer, str(key_file))  # warm-up
            results[kind] = run_client(kind, f"http://127.0.0.1:{ports[kind]}", LAUNCHES, platform.issuer, str(key_file))
        rss = {k: peak_rss_mb(p) for k, p in servers.items()}
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

    def rate(r):
        return len(r["times"]) / r["wall"] if r["wall"] else float("nan")

    h, pe, er = results["hello"], results["peer"], results["erbij"]
    hello_ms = statistics.median(h["times"]) * 1000
    rows = [("per second (hello: requests; tools: complete launches)", rate(h), rate(pe), rate(er), "")]
    for p in (50, 95, 99):
        rows.append(
            (f"tool's own time per launch p{p} (ms)", pct(h["times"], p) * 1000, pct(pe["times"], p) * 1000, pct(er["times"], p) * 1000, "")
        )
    rows.append(("peak RSS per worker (MB)", rss["hello"], rss["peer"], rss["erbij"], "< 150"))
    store = "PostgreSQL + Redis" if use_pg else "SQLite"
    print(f"\nLaunches side by side — gunicorn gthread {WORKERS}×{THREADS} each, {CONCURRENCY} concurrent browsers, Erbij on {store}")
    print(f"{'':58} {'(a) hello':>11} {'(b) PyLTI1p3':>13} {'(c) Erbij':>11} {'c/a':>7} {'c/b':>7}")
    for name, a, b, c, _t in rows:
        print(f"{name:58} {a:11.1f} {b:13.1f} {c:11.1f} {c / a if a else float('nan'):7.2f} {c / b if b else float('nan'):7.2f}")
    print(
        f"launches measured: PyLTI1p3 {len(pe['times'])} ({pe['error_count']} errors), Erbij {len(er['times'])} ({er['error_count']} errors); hello median {hello_ms:.2f} ms"
    )
    for name, r in (("PyLTI1p3", pe), ("Erbij", er)):
        for e in r["errors"]:
            print(f"  {name} error: {e}")
    target = pct(er["times"], 50) <= 0.5 * pct(pe["times"], 50)
    print(f"target Erbij p50 ≤ 0.5 × PyLTI1p3 p50: {'met' if target else 'MISSED'} ({pct(er['times'], 50) / pct(pe['times'], 50):.2f}×)")
    print(f"target RSS < 150 MB per worker: {'met' if rss['erbij'] < 150 else 'MISSED'} ({rss['erbij']:.0f} MB)")
    return 0 if not (pe["error_count"] or er["error_count"]) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--kind")
    parser.add_argument("--base")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--issuer", default="")
    parser.add_argument("--key-name", default="bench-platform")
    parser.add_argument("--key-file", default="")
    a = parser.parse_args()
    if a.client:
        client_main(a)
    else:
        sys.exit(main())
