"""Profile Erbij's launch in one process: a returning student's login → launch → page.

    .venv/bin/python tests/perf/profile_launch.py [--launches 200] [--profile]

Runs the app as `make bench` does (PostgreSQL and Redis when they answer on 127.0.0.1,
else SQLite and the in-process cache), signs launches with a benchmark platform whose
JWKS is served on 127.0.0.1, and prints the time per request, the SQL statements of one
launch and its round trips to PostgreSQL (BEGIN and COMMIT included) and Redis. With
--profile it prints where the time goes (pyinstrument, pinned in requirements-dev.txt
only); --cprofile does the same with the standard library. With --submissions N it times
check-in submissions instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def _round_trips():
    """Count the round trips to PostgreSQL (each statement psycopg sends, BEGIN and COMMIT
    included) and to Redis (each command or pipeline) while the block runs."""
    import psycopg
    import psycopg._connection_base
    import psycopg._cursor_base
    import redis

    trips: dict[str, int] = {}
    originals = []

    def counting(owner, name, label):
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def wrapper(*a, **kw):
            trips[label] = trips.get(label, 0) + 1
            return original(*a, **kw)

        setattr(owner, name, wrapper)

    counting(psycopg._connection_base.BaseConnection, "_exec_command", "postgresql")  # BEGIN, COMMIT, …
    counting(psycopg._cursor_base.BaseCursor, "_execute_gen", "postgresql")  # statements
    counting(redis.Redis, "execute_command", "redis")
    counting(redis.client.Pipeline, "execute", "redis pipeline")
    try:
        yield trips
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--launches", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--submissions", type=int, default=0, help="profile this many check-in submissions instead of launches")
    parser.add_argument("--cprofile", action="store_true", help="cProfile (standard library), top functions by own time")
    args = parser.parse_args()

    from sqlalchemy import create_engine, event, text
    from sqlalchemy.engine import make_url

    from tests.perf.launch_bench import answers as _answers
    from tests.platform import BASE_URL, FakePlatform, JwksServer

    platform = FakePlatform(issuer="http://127.0.0.1:1", key_name="bench-platform")
    jwks = JwksServer(platform)
    platform.issuer = f"http://127.0.0.1:{jwks.port}"
    platform.private_pem = lambda key=None: key or platform.key  # sign with the parsed key
    tmp = Path(tempfile.mkdtemp(prefix="erbij-prof-"))
    pg_name = None
    if _answers(5432) and not args.sqlite:
        pg_name = f"erbij_prof_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(PG), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        os.environ["DATABASE_URL"] = make_url(PG).set(database=pg_name).render_as_string(hide_password=False)
    if _answers(6379):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/7"
    os.environ.update(
        SECRET_KEY="prof-secret",
        ERBIJ_BASE_URL=BASE_URL,
        ERBIJ_INSTANCE_PATH=str(tmp / "instance"),
        ERBIJ_ALLOW_LOOPBACK="1",
        ERBIJ_DRAIN_OUTBOX_IN_PROCESS="0",
    )
    try:
        from flask_migrate import upgrade

        from lti_tool import create_app
        from lti_tool.extensions import db
        from lti_tool.lti.registrations import upsert_registration

        app = create_app()
        with app.app_context():
            upgrade()
            upsert_registration(
                issuer=platform.issuer,
                client_id=platform.client_id,
                auth_login_url=platform.auth_url,
                auth_token_url=platform.token_url,
                key_set_url=platform.jwks_url,
                deployment_ids=[platform.deployment_id],
            )
            engine = db.engine
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        per_request: dict[str, list[float]] = {}
        statements: list[str] = []

        def one_launch(user: str) -> None:
            def req(name, method, url, **kw):
                t, cpu = time.perf_counter(), time.process_time()
                resp = client.open(url, method=method, **kw)
                per_request.setdefault(name, []).append(time.perf_counter() - t)
                per_request.setdefault(name + " cpu", []).append(time.process_time() - cpu)
                return resp

            resp = req("login", "POST", "/lti/login", data={
                "iss": platform.issuer, "login_hint": user, "target_link_uri": f"{BASE_URL}/lti/launch",
                "client_id": platform.client_id, "lti_deployment_id": platform.deployment_id, "lti_message_hint": "m",
            })
            loc = resp.headers["Location"]
            if loc.startswith("/lti/"):
                loc = req("continue", "GET", loc).headers["Location"]
            q = {k: v[0] for k, v in parse_qs(urlsplit(loc).query).items()}
            claims = platform.claims(nonce=q["nonce"], role="learner", user=user, activity="checkin", locale="nl")
            resp = req("launch", "POST", "/lti/launch", data={"id_token": platform.sign(claims), "state": q["state"]})
            while resp.status_code == 302:
                resp = req("page", "GET", resp.headers["Location"])
            assert resp.status_code == 200, resp.get_data(as_text=True)[:300]

        for _ in range(5):
            one_launch("prof-student")  # warm: user, course, caches, templates
        per_request.clear()

        def count(conn, cursor, statement, *a):
            statements.append(" ".join(statement.split())[:150])

        event.listen(engine, "before_cursor_execute", count)
        with _round_trips() as trips:
            one_launch("prof-student")
        event.remove(engine, "before_cursor_execute", count)
        print(f"statements for one returning launch: {len(statements)}")
        for s in statements:
            print("   ", s)
        print("round trips for one returning launch:", ", ".join(f"{k} {v}" for k, v in sorted(trips.items())) or "none")
        per_request.clear()

        if args.submissions:
            import re

            client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
            page_holder = {}
            orig = client.open

            def keep(*a, **kw):
                resp = orig(*a, **kw)
                page_holder["last"] = resp
                return resp

            client.open = keep
            one_launch("prof-submitter")
            client.open = orig
            html = page_holder["last"].get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            action = re.search(r'<form method="post" action="([^"]+)" class="checkin-form"', html).group(1)
            form = {"csrf_token": csrf, "B1": "4", "B2": "3", "S1": "5", "P1": "2", "C1": "4", "P2": "3", "A1": "4", "O1": "", "Q": "Meer oefenen."}

            def submit():
                t, cpu = time.perf_counter(), time.process_time()
                resp = client.post(action, data=form)
                assert resp.status_code == 302 and "/week/done" in resp.headers["Location"], resp.status_code
                per_request.setdefault("submit", []).append(time.perf_counter() - t)
                per_request.setdefault("submit cpu", []).append(time.process_time() - cpu)

            submit()
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            with _round_trips() as trips:
                submit()
            event.remove(engine, "before_cursor_execute", count)
            print(f"statements for one submission: {len(statements)}")
            for st in statements:
                print("   ", st)
            print("round trips for one submission:", ", ".join(f"{k} {v}" for k, v in sorted(trips.items())) or "none")
            per_request.clear()
            one_launch = lambda _user: submit()  # noqa: E731 - the loop below times submissions
            args.launches = args.submissions

        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        cprof = None
        if args.cprofile:
            import cProfile

            cprof = cProfile.Profile()
            cprof.enable()
        t0 = time.perf_counter()
        for _ in range(args.launches):
            one_launch("prof-student")
        wall = time.perf_counter() - t0
        if cprof:
            import pstats

            cprof.disable()
            pstats.Stats(cprof).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(int(os.environ.get("PROFILE_LINES", 45)))
        if profiler:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        print(f"{args.launches} launches, {wall / args.launches * 1000:.2f} ms per launch (in-process)")
        for name, ts in per_request.items():
            print(f"  {name:9} median {statistics.median(ts) * 1000:.2f} ms  mean {statistics.mean(ts) * 1000:.2f} ms")
    finally:
        jwks.server.shutdown()
        if pg_name:
            from lti_tool.extensions import db as _db

            with app.app_context():
                _db.engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
