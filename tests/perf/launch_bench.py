"""The servers and the load generator of `make bench` (the table: bench_all.py).

(a) bare Flask, (b) a PyLTI1p3 tool and (c) Erbij run under the same gunicorn settings
(gthread, 2 workers × 4 threads) and the same gunicorn config file. That file wraps every
server's WSGI app alike: each response says in `X-Bench-Server-Us` how long the server
spent on it (from the WSGI call until its body was complete) and, where SQLAlchemy is
used, in `X-Bench-Statements` how many SQL statements it sent. "The tool's own time per
launch" is the sum of the first over the tool's requests for one launch — measured the
same way for every server, without the load generator's own time.

The load generator is a separate process (`--client`) that drives complete launches as a
browser would — login, the platform's redirect (answered by the generator itself: only
the tool's time is counted), the launch POST and the page it leads to — or check-in
submissions: students launched first (not timed), then their POSTs, built beforehand as raw
bytes, sent over keep-alive connections from one event loop, so that the generator takes
little of the CPU it shares with the servers (http.client threads took 0.75 ms of CPU per
submission, a sixth of Erbij's own). A benchmark platform (a JWKS server on 127.0.0.1 and a signing key) signs the
launches. Every loop is bounded in count and time; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ports import answers, free_port  # noqa: E402,F401 - also used as lb.answers / lb.free_port

WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_THREADS", 4))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 4))
PHASE_SECONDS = 90

# The one gunicorn config file of all three servers: the command line's settings, plus
# the same measuring wrapper around each app.
GUNICORN_CONFIG = '''
import os
import threading
import time

_local = threading.local()


def _count_statements():
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:  # a server without SQLAlchemy sends no statements
        return

    def count(*_args, **_kw):
        _local.statements = getattr(_local, "statements", 0) + 1

    event.listen(Engine, "before_cursor_execute", count)


def post_worker_init(worker):
    app = worker.wsgi
    _count_statements()

    def timed(environ, start_response):
        _local.statements = 0
        started = time.perf_counter()
        captured = []
        body = app(environ, lambda status, headers, exc_info=None: captured.append((status, headers, exc_info)))
        try:
            chunks = [bytes(c) for c in body]
        finally:
            if hasattr(body, "close"):
                body.close()
        spent = time.perf_counter() - started
        status, headers, exc_info = captured[-1]
        headers = list(headers) + [
            ("X-Bench-Server-Us", str(int(spent * 1e6))),
            ("X-Bench-Statements", str(_local.statements)),
            ("X-Bench-Worker", str(os.getpid())),
        ]
        start_response(status, headers, exc_info)
        return chunks

    worker.wsgi = timed
'''


# ---------------------------------------------------------------- the load generator (separate process)
class Browser:
    """A cookie jar that sends every cookie back (Chromium sends Secure cookies to 127.0.0.1)."""

    def __init__(self):
        import requests

        self.http = requests.Session()
        self.cookies: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        self.client_seconds = 0.0
        self.server_seconds = 0.0
        self.statements = 0
        self.requests = 0

    def request(self, method: str, url: str, **kw):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        start = time.perf_counter()
        resp = self.http.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kw)
        self.client_seconds += time.perf_counter() - start
        self.server_seconds += int(resp.headers.get("X-Bench-Server-Us", 0)) / 1e6
        self.statements += int(resp.headers.get("X-Bench-Statements", 0))
        self.requests += 1
        for raw in resp.raw.headers.getlist("Set-Cookie"):
            k, v = raw.split(";", 1)[0].split("=", 1)
            self.cookies[k] = v
        return resp


def _auth_params(location: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def one_launch(kind: str, base: str, platform, browser: Browser, user: str):
    """One complete launch; returns the page's response (the browser holds the times)."""
    browser.reset()
    if kind == "peer":
        # PyLTI1p3's default storage keeps every launch in the Flask session cookie, which
        # outgrows gunicorn's header limit (431) after a few dozen launches in one browser:
        # each peer launch starts from a clean browser (it has no cookie fast path to lose).
        browser.cookies.clear()
    login_path, launch_path = ("/lti/login", "/lti/launch") if kind != "peer" else ("/login", "/launch")
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
    return resp


def _platform(args):
    from cryptography.hazmat.primitives import serialization

    from tests.platform import FakePlatform

    platform = FakePlatform(issuer=args.issuer, key_name="bench-platform")
    platform.key = serialization.load_pem_private_key(Path(args.key_file).read_bytes(), password=None)
    # Sign with the key object: parsing the PEM for every token (37 ms) would take the
    # CPU the servers measure with.
    platform.private_pem = lambda key=None: key or platform.key
    return platform


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="checkin-form"')
SCALE_ITEMS = ("B1", "B2", "S1", "P1", "C1", "P2", "A1")


def _checkin_students(args, platform, count: int) -> list[dict]:
    """Launch `count` students (not timed) and keep what their browsers would post with."""
    students = []
    for i in range(count):
        browser = Browser()
        page = one_launch("erbij", args.base, platform, browser, f"bench-checkin-{i}")
        csrf, action = _CSRF.search(page.text), _ACTION.search(page.text)
        if not (csrf and action):
            raise RuntimeError("the check-in form has no csrf token or action")
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        students.append({"cookie": cookie, "csrf": csrf.group(1).replace("&#34;", '"'), "action": action.group(1)})
    return students


def _submission_requests(host: str, port: int, student: dict, rng: random.Random, variants: int = 6) -> list[bytes]:
    """A student's check-in POSTs as raw HTTP/1.1 bytes, built before the clock starts."""
    built = []
    for _ in range(variants):
        form = {item: str(rng.randint(1, 5)) for item in SCALE_ITEMS}
        form.update(csrf_token=student["csrf"], O1="yes" if rng.random() < 0.2 else "", Q="Meer oefenen met bronnen." if rng.random() < 0.3 else "")
        body = urlencode(form).encode()
        head = (
            f"POST {student['action']} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {student['cookie']}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        built.append(head.encode() + body)
    return built


class _Conn:
    """One keep-alive connection of the check-in load: sends a prepared request, reads the answer."""

    def __init__(self, sock, worker: str, requests_: list[bytes]):
        self.sock = sock
        self.sock.setblocking(False)
        self.requests = requests_
        self.sent = 0
        self.buf = b""
        self.started = 0.0
        self.worker = worker  # the server process that accepted this connection (and serves all of it)

    def send_next(self) -> None:
        self.buf = b""
        self.started = time.perf_counter()
        self.sock.sendall(self.requests[self.sent % len(self.requests)])  # small: fits the socket buffer
        self.sent += 1

    def read(self) -> tuple[int, dict[str, str]] | None:
        """Feed what arrived; the status and headers once a whole response is in, else None."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed a keep-alive connection")
        self.buf += chunk
        return _whole_response(self.buf)


def _whole_response(buf: bytes) -> tuple[int, dict[str, str]] | None:
    """The status and headers (lower-case names) of the HTTP response in `buf`, once all of
    it (its Content-Length) is there; None before."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = buf[:head_end].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if len(buf) - head_end - 4 < int(headers.get("content-length", 0)):
        return None
    return int(lines[0].split()[1]), headers


def _worker_of(sock, host: str, port: int) -> str:
    """Which server process holds this keep-alive connection (a GET of the health check)."""
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    buf, done = b"", None
    while done is None:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed a new connection")
        buf += chunk
        done = _whole_response(buf)
    return done[1].get("x-bench-worker", "")


def spread_over_workers(n: int, workers: int, connect, close, attempts: int = 200) -> tuple[list, int]:
    """`n` keep-alive connections split evenly over the server's `workers`, as many clients
    behind a load balancer would be: returns [(connection, worker)] and how many were tried.

    A keep-alive connection stays with the worker that accepted it, and which worker
    accepts is a race: 16 connections opened at once have all gone to one worker (one core
    serving, the other idle), and 4 browsers were split 4/0 as often as 2/2. Connections
    are opened one at a time here (`connect() -> (connection, worker)`), and one that lands
    on a worker already holding its share is closed (`close(connection)`) and opened again,
    at most `attempts` times; what could not be spread is used as it fell (the split is
    reported)."""
    share = -(-n // workers)
    kept: list[tuple[object, str]] = []
    extra: list[tuple[object, str]] = []
    tried = 0
    while len(kept) < n and tried < attempts:
        tried += 1
        conn, worker = connect()
        (kept if sum(1 for _c, w in kept if w == worker) < share else extra).append((conn, worker))
    while len(kept) < n and extra:
        kept.append(extra.pop())
    for conn, _w in extra:
        close(conn)
    return kept, tried


def _socket_connect(host: str, port: int):
    import socket

    def connect():
        sock = socket.create_connection((host, port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, _worker_of(sock, host, port)

    return connect


def checkin_main(args, out: dict) -> None:
    """Check-in submissions: `concurrency` keep-alive connections in one event loop (a closed
    loop: each sends its next submission when the last was answered), every request built
    beforehand, so that the load generator spends little CPU of the machine it measures."""
    import selectors

    platform = _platform(args)
    students = _checkin_students(args, platform, args.students)
    host, port = urlsplit(args.base).hostname, urlsplit(args.base).port
    rng = random.Random(7)
    spread, tried = spread_over_workers(args.concurrency, WORKERS, _socket_connect(host, port), lambda sock: sock.close())
    conns = [
        _Conn(sock, worker, [r for st in students[i :: args.concurrency] for r in _submission_requests(host, port, st, rng)])
        for i, (sock, worker) in enumerate(spread)
    ]
    rows: list[tuple[float, float, int]] = []
    errors: list[str] = []
    selector = selectors.DefaultSelector()
    start = time.perf_counter()
    deadline = time.monotonic() + PHASE_SECONDS / 3
    budget = args.count
    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        conn.send_next()
        budget -= 1
    in_flight = len(conns)
    while in_flight:
        if time.monotonic() > deadline + 30:
            errors.append(f"{in_flight} submissions unanswered after the deadline")
            break
        for key, _ in selector.select(timeout=1):
            conn = key.data
            done = conn.read()
            if done is None:
                continue
            status, headers = done
            conn.worker = conn.worker or headers.get("x-bench-worker", "")
            client = time.perf_counter() - conn.started
            if status == 302 and "/week/done" in headers.get("location", ""):
                rows.append((client, int(headers.get("x-bench-server-us", 0)) / 1e6, int(headers.get("x-bench-statements", 0))))
            else:
                errors.append(f"{status} {headers.get('location')}")
            if budget > 0 and time.monotonic() < deadline:
                conn.send_next()
                budget -= 1
            else:
                selector.unregister(conn.sock)
                in_flight -= 1
    wall = time.perf_counter() - start
    for conn in conns:
        conn.sock.close()
    out.update(
        wall=wall,
        client=[r[0] for r in rows],
        server=[r[1] for r in rows],
        statements=[r[2] for r in rows],
        errors=errors[:5],
        error_count=len(errors),
        # Keep-alive connections stay with the worker that accepted them: spread evenly
        # before the clock starts (spread_over_workers); the table shows the split.
        connections_per_worker=sorted(Counter(conn.worker for conn in conns).values(), reverse=True),
        connections_tried=tried,
    )


def _browser_connect(probe: str):
    """A new browser and the worker its keep-alive connection landed on (a GET of `probe`)."""

    def connect():
        browser = Browser()
        return browser, browser.http.get(probe, timeout=30).headers.get("X-Bench-Worker", "")

    return connect


def client_main(args) -> None:
    """Run the load and print JSON: per operation the client's and the server's seconds."""
    out: dict = {}
    if args.kind == "checkin":
        checkin_main(args, out)
        print(json.dumps(out))
        return
    client_t: list[float] = []
    server_t: list[float] = []
    statements: list[int] = []
    requests_per_op: list[int] = []
    errors: list[str] = []
    deadline = time.monotonic() + PHASE_SECONDS
    platform = _platform(args) if args.kind != "hello" else None

    # One returning student per thread, cookies kept across launches; each browser's
    # keep-alive connection placed before the clock starts, evenly over the workers.
    probe = args.base + ("/healthz" if args.kind == "erbij" else "/")
    spread, _tried = spread_over_workers(args.concurrency, WORKERS, _browser_connect(probe), lambda browser: browser.http.close(), attempts=100)
    browsers = [browser for browser, _worker in spread]
    placed = sorted(Counter(worker for _browser, worker in spread).values(), reverse=True)

    def work(i: int):
        browser = browsers[i]
        for _ in range(args.count // args.concurrency):
            if time.monotonic() > deadline:
                return
            try:
                if args.kind == "hello":
                    browser.reset()
                    if browser.request("GET", args.base + "/").status_code != 200:
                        raise RuntimeError("hello answered an error")
                else:
                    one_launch(args.kind, args.base, platform, browser, f"bench-student-{i}")
            except Exception as exc:  # counted and shown, never hidden
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            client_t.append(browser.client_seconds)
            server_t.append(browser.server_seconds)
            statements.append(browser.statements)
            requests_per_op.append(browser.requests)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(work, range(args.concurrency)))
    out.update(
        wall=time.perf_counter() - start,
        client=client_t,
        server=server_t,
        statements=statements,
        requests=requests_per_op,
        errors=errors[:5],
        error_count=len(errors),
        connections_per_worker=placed,
    )
    print(json.dumps(out))


def run_client(kind: str, base: str, count: int, *, issuer: str = "", key_file: str = "", concurrency: int = CONCURRENCY, students: int = 0) -> dict:
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
            "--concurrency",
            str(concurrency),
            "--students",
            str(students),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PHASE_SECONDS + 120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"load generator {kind} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the servers
def gunicorn(app: str, port: int, env: dict, cwd: Path, config: Path) -> subprocess.Popen:
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
    return subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.DEVNULL)  # noqa: S603 - our interpreter, fixed arguments


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


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", action="store_true")
    parser.add_argument("--kind")
    parser.add_argument("--base")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--issuer", default="")
    parser.add_argument("--key-file", default="")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--students", type=int, default=0)
    a = parser.parse_args()
    if a.client:
        client_main(a)
    else:  # the launches alone are part of the whole table
        os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("bench_all.py")), "--only-launches"])
