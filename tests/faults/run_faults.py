"""`make faults`: Erbij under the faults of a real deployment, counted.

Erbij runs as in production — gunicorn (the repository's gunicorn.conf.py), a private
PostgreSQL cluster and a private Redis, each on a free 127.0.0.1 port, an outbox worker
process — and a fake LMS on 127.0.0.1 signs real launches and keeps a gradebook. Five
scenarios, one table row each:

1. PostgreSQL restarted while students submit check-ins;
2. Redis stopped and started while students launch;
3. the LMS's score endpoint down for a while after a teacher publishes;
4. the outbox worker killed with SIGKILL while it sends a score (the LMS made slow);
5. 50 identical check-in submits of one student at the same moment.

Columns: attempted (requests or scores tried), confirmed (the user was told it worked),
stored (what the database or the LMS gradebook holds afterwards, counted there), lost
(confirmed but not stored) and duplicated (stored twice, or delivered twice with a
different effect). A scenario fails on anything lost or duplicated, on a 5xx other than
the translated 503 "try again" page, or when its check (e.g. /readyz) does not hold.

FAULTS_SHORT=1 (or CI=true): fewer students and shorter outages, under two minutes.
Every loop is bounded in count and time, only 127.0.0.1 is contacted, and only the
processes started here are stopped, by their PID; the temporary directory is removed
even on failure. Exit status 1 when any scenario fails.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess  # noqa: S404
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.faults import services  # noqa: E402
from tests.faults.fake_lms import FakeLms  # noqa: E402
from tests.perf.launch_bench import Browser  # noqa: E402
from tests.platform import FakePlatform  # noqa: E402

SHORT = os.environ.get("FAULTS_SHORT") == "1" or os.environ.get("CI", "").lower() == "true"
SCALE = {"B1": "4", "B2": "3", "S1": "4", "P1": "2", "C1": "5", "P2": "3", "A1": "4"}
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CONCURRENCY = 8


@dataclass
class Row:
    scenario: str
    attempted: int = 0
    confirmed: int = 0
    stored: int = 0
    lost: int | None = 0
    duplicated: int | None = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.lost and not self.duplicated

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "FAIL: " + "; ".join(self.problems or ["lost or duplicated"])


# ---------------------------------------------------------------- the browser side
def _lid(url: str) -> str | None:
    m = re.search(r"/l/([^/?#]+)/", url)
    return m.group(1) if m else None


def launch(h: Harness, browser: Browser, user: str, *, role: str = "learner", activity: str = "checkin", link: str = "link-checkin", claims=None):
    """A complete launch as a browser makes it; returns (final response, launch id)."""
    base, p = h.base, h.platform
    resp = browser.request(
        "POST",
        base + "/lti/login",
        data={"iss": p.issuer, "login_hint": user, "target_link_uri": base + "/lti/launch", "client_id": p.client_id, "lti_deployment_id": p.deployment_id},
    )
    location = resp.headers.get("Location", "")
    if location.startswith("/"):
        location = base + location
    if location.startswith(base):  # the cookie check on a browser's first launch
        resp = browser.request("GET", location)
        location = resp.headers.get("Location", "")
    q = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    if "state" not in q:
        return resp, None
    c = p.claims(nonce=q["nonce"], role=role, user=user, activity=activity, link=link, locale="nl" if role == "learner" else "en")
    c["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = base + "/lti/launch"
    c.update(claims or {})
    resp = browser.request("POST", base + "/lti/launch", data={"id_token": p.sign(c), "state": q["state"]})
    lid = None
    for _ in range(6):
        # The launch answers with its page and names the page's address (Content-Location).
        lid = _lid(resp.headers.get("Content-Location") or "") or _lid(resp.url) or lid
        if resp.status_code not in (301, 302, 303):
            break
        nxt = resp.headers["Location"]
        resp = browser.request("GET", nxt if nxt.startswith("http") else base + nxt)
    return resp, _lid(resp.url) or lid


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'name="csrf-token" content="([^"]+)"', html)
    if not m:
        raise RuntimeError("no CSRF token on the page")
    return m.group(1)


def is_clear_refusal(resp) -> bool:
    """A translated error page (errors/error.html), not a bare 500."""
    return 'class="card error-page"' in resp.text


def is_try_again(resp) -> bool:
    """The translated 503 of a database outage: 'try again', with Retry-After."""
    text = resp.text
    return resp.status_code == 503 and "Retry-After" in resp.headers and ("even niet bereikbaar" in text or "briefly unavailable" in text)


# ---------------------------------------------------------------- the harness
class Harness:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="erbij-faults-"))
        os.chmod(self.tmp, 0o755)  # the postgres user reaches its cluster directory inside
        self.procs: list = []
        self.pg: services.PrivatePostgres | None = None
        self.redis: services.PrivateRedis | None = None
        self.lms: FakeLms | None = None
        self.web = None
        self.workers: list = []
        self._closed = False
        atexit.register(self.close)
        # A SIGTERM (a CI time-out) unwinds through `finally` like Ctrl-C: the servers stop.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def start(self) -> None:
        self.platform = FakePlatform(issuer="http://127.0.0.1:1", key_name="faults-platform")
        key = self.platform.key
        self.platform.private_pem = lambda k=None: k or key  # sign with the parsed key: PEM parsing per token is slow
        self.lms = FakeLms(self.platform)
        self.platform.issuer = self.lms.url
        self.pg = services.PrivatePostgres(self.tmp / "pg")
        self.pg.init()
        self.pg.create_database()
        self.redis = services.PrivateRedis(self.tmp)
        self.redis.start()
        port = services.free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.env = services.erbij_env(base_url=self.base, database_url=self.pg.url, redis_url=self.redis.url, instance=self.tmp / "instance")
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)  # noqa: S603
        p = self.platform
        register = (
            "from lti_tool import create_app; from lti_tool.lti.registrations import upsert_registration;"
            "app = create_app();\nwith app.app_context():\n"
            f" upsert_registration(issuer={p.issuer!r}, client_id={p.client_id!r}, auth_login_url={p.auth_url!r},"
            f" auth_token_url={self.lms.url + '/token'!r}, key_set_url={p.jwks_url!r}, deployment_ids=[{p.deployment_id!r}])"
        )
        subprocess.run([sys.executable, "-c", register], cwd=ROOT, env=self.env, check=True, capture_output=True)  # noqa: S603
        self.web = services.gunicorn(self.env, self.tmp / "erbij.log")
        services.wait_http(self.base + "/healthz")
        from sqlalchemy import create_engine

        self.db = create_engine(self.pg.url, pool_pre_ping=True)

    def sql(self, query: str, **params):
        from sqlalchemy import text

        with self.db.connect() as conn:
            return conn.execute(text(query), params).all()

    def web_processes(self) -> tuple[int, ...]:
        """gunicorn's master and worker PIDs: unchanged means Erbij was not restarted."""
        try:
            children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        except OSError:
            children = []
        return (self.web.pid if self.web.poll() is None else -1, *sorted(int(c) for c in children))

    def start_worker(self):
        w = services.flask(self.env, "worker", log=self.tmp / "worker.log")
        self.workers.append(w)
        return w

    def stop_workers(self) -> None:
        for w in self.workers:
            services.stop_process(w)
        self.workers = []

    def erbij_log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join((self.tmp / "erbij.log").read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for step in (
            self.stop_workers,
            lambda: services.stop_process(self.web),
            lambda: self.db.dispose() if hasattr(self, "db") else None,
            lambda: self.redis and self.redis.stop(),
            lambda: self.pg and self.pg.stop("immediate"),
            lambda: self.lms and self.lms.close(),
        ):
            try:
                step()
            except Exception as exc:  # cleaning up the rest matters more
                print(f"cleanup: {type(exc).__name__}: {exc}", file=sys.stderr)
        keep = ROOT / "test-artifacts" / "faults"  # the servers' logs, for reading a failure
        keep.mkdir(parents=True, exist_ok=True)
        for name in ("erbij.log", "worker.log", "pg/postgres.log"):
            if (self.tmp / name).exists():
                shutil.copy(self.tmp / name, keep / name.replace("/", "-"))
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pool(fn, items, workers: int = CONCURRENCY) -> list:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def _checkin_form(resp) -> dict:
    html = resp.text
    week = re.search(r'name="week" value="([^"]+)"', html)
    return {"csrf_token": csrf_of(html), **SCALE, **({"week": week.group(1)} if week else {})}


def _student(h: Harness, user: str) -> tuple[Browser, str, dict]:
    browser = Browser()
    resp, lid = launch(h, browser, user)
    if resp.status_code != 200 or not lid:
        raise RuntimeError(f"launch of {user} ended in {resp.status_code}: {resp.text[:300]}")
    form = _checkin_form(resp if "/checkin/week" in resp.url else browser.request("GET", f"{h.base}/l/{lid}/checkin/week"))
    return browser, lid, form


# ---------------------------------------------------------------- 1. PostgreSQL restarted
def scenario_postgres_restart(h: Harness) -> Row:
    row = Row("1. PostgreSQL restarted during check-in load")
    n_students = 24 if SHORT else 60
    duration = 8.0 if SHORT else 20.0
    outage = 1.5 if SHORT else 4.0
    max_rounds = 400
    users = [f"pg-student-{i}" for i in range(n_students)]
    students = dict(zip(users, _pool(lambda u: _student(h, u), users), strict=True))
    lock = threading.Lock()
    history: dict[str, list[tuple[str, str]]] = {u: [] for u in users}  # (token, outcome) in order
    stop = threading.Event()
    counts = {"attempted": 0, "confirmed": 0, "refused": 0}

    def student_loop(user: str) -> None:
        browser, lid, form = students[user]
        for i in range(max_rounds):
            if stop.is_set():
                return
            token = f"{user}-{i}-{uuid.uuid4().hex[:6]}"
            try:
                resp = browser.request("POST", f"{h.base}/l/{lid}/checkin/week", data={**form, "Q": token})
            except Exception as exc:  # connection trouble is not a clear answer
                outcome = f"no answer ({type(exc).__name__})"
            else:
                if resp.status_code in (302, 303) and "/checkin/week/done" in resp.headers.get("Location", ""):
                    outcome = "confirmed"
                elif is_try_again(resp):
                    outcome = "refused"
                else:
                    outcome = f"status {resp.status_code}"
            with lock:
                counts["attempted"] += 1
                history[user].append((token, outcome))
                if outcome == "confirmed":
                    counts["confirmed"] += 1
                elif outcome == "refused":
                    counts["refused"] += 1
                else:
                    row.problems.append(f"{user}: {outcome}")
            time.sleep(0.3 if outcome == "refused" else 0.05)

    def restart() -> None:
        time.sleep(duration / 3)
        h.pg.stop("fast")  # every connection is cut, in the middle of whatever it was doing
        time.sleep(outage)
        h.pg.start()

    restarter = threading.Thread(target=restart)
    threads = [threading.Thread(target=student_loop, args=(u,)) for u in users]
    restarter.start()
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    restarter.join(timeout=60)

    stored_rows = {
        sub: (answer, revision, n)
        for sub, answer, revision, n in h.sql(
            "SELECT u.sub, max(r.open_answer), max(r.revision), count(*) FROM checkin_responses r JOIN users u ON u.id = r.user_id"
            " WHERE u.sub LIKE 'pg-student-%' GROUP BY u.sub"
        )
    }
    lost = dup = stored = 0
    for user, events in history.items():
        confirmed = [i for i, (_t, o) in enumerate(events) if o == "confirmed"]
        if not confirmed:
            continue
        answer, revision, n = stored_rows.get(user, (None, 0, 0))
        dup += max(n - 1, 0)
        # The last confirmed answer must be what is stored, unless a later refused save
        # made it to the database after all (refused-but-saved is allowed; the student's
        # retry overwrites it). Every confirmed save counts a revision.
        later = {t for t, _o in events[confirmed[-1] :]}
        final_ok = answer in later
        kept = min(len(confirmed), revision or 0) - (0 if final_ok else 1)
        stored += max(kept, 0)
        lost += len(confirmed) - max(kept, 0)
    row.attempted, row.confirmed, row.stored, row.lost, row.duplicated = counts["attempted"], counts["confirmed"], stored, lost, dup
    row.notes.append(f"{counts['refused']} refused with the translated 503 'try again' page; restart outage {outage:.1f} s")
    if not counts["refused"]:
        row.problems.append("the restart refused no submission: the outage missed the load")
    row.problems = row.problems[:5]
    return row


# ---------------------------------------------------------------- 2. Redis stopped and started
def scenario_redis_restart(h: Harness) -> Row:
    """Students launch without pause while Redis is stopped (a third of the way) and started
    again (two thirds): each launch reaches its page (the cache falls back to the database)
    or is refused with a clear page; /readyz says Redis is down, then ready again — the
    same Erbij processes throughout."""
    import requests

    row = Row("2. Redis stopped and started during launches")
    duration = 9.0 if SHORT else 24.0
    max_launches = 400 if SHORT else 1000
    lock = threading.Lock()
    stop = threading.Event()
    refused = {"n": 0}
    phase = {"now": "before"}
    by_phase: dict[str, int] = {}

    def readyz() -> tuple[int, dict]:
        r = requests.get(h.base + "/readyz", timeout=10)
        try:
            return r.status_code, r.json()
        except ValueError:  # not /readyz's JSON: an error page
            return r.status_code, {}

    def loop(t: int) -> None:
        for i in range(max_launches // 4):
            if stop.is_set():
                return
            now = phase["now"]
            browser = Browser()
            user = f"redis-student-{t}-{i % 5}"  # returning and new students
            time.sleep(0.15)  # paced: the load spans the whole scenario
            with lock:
                row.attempted += 1
                by_phase[now] = by_phase.get(now, 0) + 1
            try:
                resp, lid = launch(h, browser, user)
                again = browser.request("GET", f"{h.base}/l/{lid}/checkin/week") if resp.status_code == 200 and lid else None
            except Exception as exc:
                with lock:
                    row.problems.append(f"{now}: a launch without an answer ({type(exc).__name__})")
                continue
            with lock:
                if again is not None:
                    row.confirmed += 1
                    if again.status_code == 200:  # the launch session was stored: the page opens again
                        row.stored += 1
                    else:
                        row.lost += 1
                elif is_clear_refusal(resp) and resp.status_code in (400, 401, 403, 409, 429, 503):
                    refused["n"] += 1
                else:
                    row.problems.append(f"{now}: a launch answered {resp.status_code} without a clear page")

    def wait_ready(want: int, timeout: float) -> tuple[int, dict]:
        deadline = time.monotonic() + timeout
        status, body = readyz()
        while status != want and time.monotonic() < deadline:
            time.sleep(0.3)
            status, body = readyz()
        return status, body

    status, _body = readyz()
    if status != 200:
        row.problems.append(f"/readyz {status} before the fault")
    processes = h.web_processes()
    threads = [threading.Thread(target=loop, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(duration / 3)
        h.redis.stop()
        phase["now"] = "down"
        status, body = wait_ready(503, 5)
        if status != 503 or body.get("checks", {}).get("cache") != "error":
            row.problems.append(f"/readyz did not report Redis down ({status} {body.get('checks')})")
        time.sleep(duration / 3)
        h.redis.start()
        phase["now"] = "after"
        status, _body = wait_ready(200, 30)
        if status != 200:
            row.problems.append(f"/readyz still {status} after Redis came back (Erbij not restarted)")
        time.sleep(duration / 3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        if h.redis.proc is None:  # the next scenarios need it
            h.redis.start()
    same = h.web_processes() == processes
    if not same:
        row.problems.append("Erbij's processes changed: it was restarted")
    if by_phase.get("down", 0) == 0:
        row.problems.append("no launch while Redis was down")
    row.duplicated = None
    row.problems = row.problems[:5]
    row.notes.append(
        f"launches before/while down/after: {by_phase.get('before', 0)}/{by_phase.get('down', 0)}/{by_phase.get('after', 0)};"
        f" refused with a clear page: {refused['n']}; /readyz 503 'cache: error' while down, 200 after;"
        f" {'the same' if same else 'other'} Erbij processes (gunicorn's master and workers)"
    )
    return row


# ---------------------------------------------------------------- 3 and 4: scores through the outbox
def _teacher(h: Harness) -> tuple[Browser, str]:
    browser = Browser()
    claims = {AGS: {**h.platform.claims(nonce="x")[AGS], "lineitem": h.lms.lineitem()["id"]}}
    resp, lid = launch(h, browser, "teacher-1", role="instructor", activity="feedback", link="link-feedback", claims=claims)
    if resp.status_code != 200 or not lid:
        raise RuntimeError(f"teacher launch ended in {resp.status_code}: {resp.text[:300]}")
    return browser, lid


def _publish(h: Harness, browser: Browser, lid: str, student_id: int, score: int) -> bool:
    page = browser.request("GET", f"{h.base}/l/{lid}/feedback/students/{student_id}")
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    data = {"csrf_token": csrf_of(page.text), "revision": revision.group(1) if revision else "0", "text": f"Goed gedaan, score {score}.", "score": str(score)}
    resp = browser.request("POST", f"{h.base}/l/{lid}/feedback/students/{student_id}/publish", data=data)
    return resp.status_code in (302, 303) and "error" not in resp.headers.get("Location", "")


def _student_ids(h: Harness, prefix: str) -> dict[str, int]:
    return {sub: uid for sub, uid in h.sql("SELECT sub, id FROM users WHERE sub LIKE :p", p=prefix + "%")}


def _entries(h: Harness, prefix: str) -> list:
    return h.sql("SELECT user_sub, status, payload, attempts, last_status FROM outbox_entries WHERE user_sub LIKE :p", p=prefix + "%")


def _wait_sent(h: Harness, prefix: str, n: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _entries(h, prefix)
        if len(rows) >= n and all(r.status == "sent" for r in rows):
            return True
        time.sleep(0.5)
    return False


def _count_scores(h: Harness, row: Row, prefix: str, expected: dict[str, int]) -> None:
    """stored: the gradebook holds the entry's score; duplicated: an entry delivered with
    two different effects (or two entries for one publish)."""
    deliveries: dict[str, list] = {}
    for d in h.lms.ok_deliveries():
        if d.user.startswith(prefix):
            deliveries.setdefault(d.user, []).append(d)
    resent = 0
    for user, score in expected.items():
        got = h.lms.gradebook.get(user)
        if got is not None and got[1] == score:
            row.stored += 1
        effects = {(d.score, d.comment) for d in deliveries.get(user, [])}
        if len(effects) > 1:
            row.duplicated += 1
        resent += max(len(deliveries.get(user, [])) - 1, 0)
    entries = _entries(h, prefix)
    per_user: dict[str, int] = {}
    for e in entries:
        per_user[e.user_sub] = per_user.get(e.user_sub, 0) + 1
    row.duplicated += sum(n - 1 for n in per_user.values() if n > 1)
    row.lost = row.confirmed - row.stored
    row.notes.append(f"LMS received {sum(len(v) for v in deliveries.values())} score POSTs accepted ({resent} re-sent, same score)")


def scenario_ags_down(h: Harness, teacher: tuple[Browser, str], prefix: str) -> Row:
    row = Row("3. LMS score endpoint down, then back")
    browser, lid = teacher
    outage = 8.0 if SHORT else 30.0
    ids = _student_ids(h, prefix)
    expected = {sub: 5 + i % 5 for i, sub in enumerate(sorted(ids))}
    h.lms.mode = "down"
    worker = h.start_worker()
    t0 = time.monotonic()
    for sub, score in expected.items():
        row.attempted += 1
        row.confirmed += _publish(h, browser, lid, ids[sub], score)
    # Every entry tried once and refused by the LMS: the teacher sees why, nothing is lost.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(e.attempts >= 1 and e.status == "retry" for e in _entries(h, prefix)):
        time.sleep(0.3)
    held = _entries(h, prefix)
    if len(held) != row.confirmed or any(e.status == "sent" for e in held):
        row.problems.append(f"the outbox holds {len(held)} entries for {row.confirmed} publishes")
    import requests

    ready = requests.get(h.base + "/readyz", timeout=10)
    backlog = ready.json().get("outbox_backlog_age_seconds")
    if ready.status_code != 200:
        row.problems.append(f"/readyz {ready.status_code} while only the LMS was down")
    grading = browser.request("GET", f"{h.base}/l/{lid}/feedback/grading").text
    waiting = grading.count("Waiting for the LMS")
    if waiting < len(expected):
        row.problems.append(f"the teacher sees 'Waiting for the LMS' for {waiting} of {len(expected)} students")
    if "could not be reached" not in grading:
        row.problems.append("the grading page does not say the LMS could not be reached")
    if h.lms.ok_deliveries():
        row.problems.append("scores were accepted while the LMS was down")
    time.sleep(max(0.0, outage - (time.monotonic() - t0)))
    h.lms.mode = "up"
    if not _wait_sent(h, prefix, len(expected), 60 if SHORT else 180):
        row.problems.append("the outbox did not drain after the LMS came back")
    drained = time.monotonic() - t0
    services.stop_process(worker)
    h.workers.remove(worker)
    _count_scores(h, row, prefix, expected)
    row.notes.append(
        f"outage {outage:.0f} s: the teacher saw 'Waiting for the LMS', /readyz 200 with the outbox backlog ({backlog} s);"
        f" drained {drained:.0f} s after the first publish"
    )
    return row


def scenario_worker_killed(h: Harness, teacher: tuple[Browser, str], prefix: str) -> Row:
    row = Row("4. outbox worker killed (SIGKILL) mid-send")
    browser, lid = teacher
    kills = 1 if SHORT else 3
    ids = _student_ids(h, prefix)
    expected = {sub: 3 + i % 7 for i, sub in enumerate(sorted(ids))}
    h.lms.mode, h.lms.slow_seconds = "slow", 2.0
    for sub, score in expected.items():
        row.attempted += 1
        row.confirmed += _publish(h, browser, lid, ids[sub], score)
    landed = 0
    for _ in range(kills):
        h.lms.received.clear()
        worker = h.start_worker()
        if not h.lms.received.wait(30):
            row.problems.append("the worker sent nothing within 30 s")
            break
        time.sleep(0.5)  # the LMS is still working on it: the kill lands mid-send
        in_flight = h.sql("SELECT count(*) FROM outbox_entries WHERE status = 'sending' AND user_sub LIKE :p", p=prefix + "%")[0][0]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        h.workers.remove(worker)
        landed += bool(in_flight)
    if landed < kills:
        row.problems.append(f"only {landed} of {kills} kills landed while a score was being sent")
    h.lms.slow_seconds = 0.2
    h.start_worker()
    lease = 3 * float(h.env["ERBIJ_HTTP_TIMEOUT"]) + 15
    if not _wait_sent(h, prefix, len(expected), lease + 40):
        row.problems.append("not every entry was sent after the kill")
    h.stop_workers()
    _count_scores(h, row, prefix, expected)
    row.notes.append(f"{landed} SIGKILL(s) mid-send; the lease ({lease:.0f} s) handed the entry to the next worker")
    return row


# ---------------------------------------------------------------- 5. 50 identical submits
def scenario_identical_submits(h: Harness) -> Row:
    row = Row("5. 50 identical submits of one student at once")
    browser, lid, form = _student(h, "double-clicker")
    barrier = threading.Barrier(50)
    statuses: list[int] = []

    def one(_i: int) -> None:
        b = Browser()
        b.cookies = dict(browser.cookies)
        barrier.wait(timeout=30)
        try:
            statuses.append(b.request("POST", f"{h.base}/l/{lid}/checkin/week", data={**form, "Q": "Eén keer, vijftig klikken."}).status_code)
        except Exception as exc:
            row.problems.append(f"no answer ({type(exc).__name__})")

    _pool(one, range(50), 50)
    row.attempted = 50
    row.confirmed = sum(s in (302, 303) for s in statuses)
    n = h.sql("SELECT count(*) FROM checkin_responses r JOIN users u ON u.id = r.user_id WHERE u.sub = 'double-clicker'")[0][0]
    row.stored = n
    row.lost = 1 if row.confirmed and n == 0 else 0
    row.duplicated = max(n - 1, 0)
    fives = [s for s in statuses if s >= 500]
    if fives:
        row.problems.append(f"{len(fives)} answered 5xx ({sorted(set(fives))})")
    row.notes.append("statuses: " + ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses))))
    return row


# ---------------------------------------------------------------- the table
def print_table(rows: list[Row], seconds: float) -> None:
    def cell(v) -> str:
        return "—" if v is None else str(v)

    print(f"\nFaults — {'short (CI)' if SHORT else 'full'} run, {seconds:.0f} s; Erbij under gunicorn 2×8 on a private PostgreSQL and Redis")
    print(f"{'scenario':48} {'attempted':>9} {'confirmed':>9} {'stored':>7} {'lost':>5} {'duplicated':>10}  verdict")
    for r in rows:
        print(f"{r.scenario:48} {r.attempted:9} {r.confirmed:9} {r.stored:7} {cell(r.lost):>5} {cell(r.duplicated):>10}  {r.verdict}")
    for r in rows:
        for note in r.notes:
            print(f"  {r.scenario.split('.')[0]}. {note}")


def main() -> int:
    t0 = time.monotonic()
    h = Harness()
    rows: list[Row] = []
    try:
        h.start()
        n_scores = 6 if SHORT else 20
        h.lms.students = [f"ags-{i:02d}" for i in range(n_scores)] + [f"kill-{i:02d}" for i in range(n_scores // 2 + 2)]
        scenarios = [
            lambda: scenario_postgres_restart(h),
            lambda: scenario_redis_restart(h),
        ]
        teacher: list = []

        def scores(which):
            if not teacher:
                teacher.append(_teacher(h))
                browser, lid = teacher[0]
                browser.request("GET", f"{h.base}/l/{lid}/feedback/grading")  # the roster arrives
            return which(h, teacher[0], "ags-" if which is scenario_ags_down else "kill-")

        scenarios += [lambda: scores(scenario_ags_down), lambda: scores(scenario_worker_killed), lambda: scenario_identical_submits(h)]
        for run in scenarios:
            try:
                rows.append(run())
            except Exception as exc:
                detail = re.sub(r"\s+", " ", f"{type(exc).__name__}: {exc}")[:160]
                rows.append(Row(f"{len(rows) + 1}. (crashed)", problems=[detail]))
                print(h.erbij_log_tail(), file=sys.stderr)
    finally:
        h.close()
    print_table(rows, time.monotonic() - t0)
    return 0 if rows and all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
