"""`make prod`: Erbij as in production, on this machine — PostgreSQL, Redis, several gunicorn
workers (gunicorn.conf.py) and one outbox worker. Ctrl-C stops both.

Uses the local PostgreSQL (database `erbij_prod`, created when missing) and Redis (db 5)
unless DATABASE_URL / REDIS_URL say otherwise. A TLS proxy belongs in front in a real
deployment; here Erbij answers on http://127.0.0.1:8000.
"""

from __future__ import annotations

import os
import signal
import subprocess  # noqa: S404
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def main() -> int:
    env = {
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/erbij_prod",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "ERBIJ_BASE_URL": "http://127.0.0.1:8000",
        "ERBIJ_BIND": "127.0.0.1:8000",
        "ERBIJ_LOG_FORMAT": "json",
        "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": "0",
        **{k: v for k, v in os.environ.items()},
    }
    _ensure_database(env["DATABASE_URL"])
    py = sys.executable
    subprocess.run([py, "-m", "lti_tool.translations_build"], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own interpreter and fixed arguments
    subprocess.run([py, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own interpreter and fixed arguments
    worker = subprocess.Popen([py, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env)  # noqa: S603 - our own interpreter and fixed arguments
    web = subprocess.Popen([py, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env)  # noqa: S603 - our own interpreter and fixed arguments
    print(f"Erbij (production setup) on {env['ERBIJ_BASE_URL']} — /readyz says whether it can serve. Ctrl-C stops it.", flush=True)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
