"""Private servers for the fault scenarios: a PostgreSQL cluster, a Redis, Erbij under
gunicorn and outbox workers — each started here, on a free 127.0.0.1 port, and stopped
by its own PID (or its own data directory), never by name."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess  # noqa: S404
import sys
import time
from pathlib import Path

from tests.ports import answers as _answers
from tests.ports import free_port  # noqa: F401 - services.free_port for the scenarios

ROOT = Path(__file__).resolve().parents[2]


def answers(port: int) -> bool:
    return _answers(port, timeout=0.5)


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses root: run the PostgreSQL tools as the postgres user when we are root."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in `directory`, listening on 127.0.0.1:`port` only."""

    def __init__(self, directory: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1]).parent
        self.dir = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.running = False

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True, timeout=timeout, capture_output=True)  # noqa: S603

    def init(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "30", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")
            self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/erbij"

    def create_database(self) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE erbij"))
        admin.dispose()


class PrivateRedis:
    """redis-server on a free port, no persistence; stop() and start() keep the port."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(  # noqa: S603
            [exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not answers(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def stop_process(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop one process we started, by its PID."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def erbij_env(*, base_url: str, database_url: str, redis_url: str | None, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL"}}
    env.update(
        {
            "SECRET_KEY": "faults-secret",
            "ERBIJ_BASE_URL": base_url,
            "ERBIJ_BIND": base_url.removeprefix("http://"),
            "ERBIJ_INSTANCE_PATH": str(instance),
            "ERBIJ_ALLOW_LOOPBACK": "1",
            "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": "0",
            "ERBIJ_WORKERS": "2",
            "ERBIJ_THREADS": "8",
            "ERBIJ_HTTP_TIMEOUT": "4",  # the outbox lease is 3 × this + 15 s
            # Workers are not recycled after a number of requests (production: 5000): the
            # scenarios send thousands, and a worker PID that changes must mean a crash.
            "ERBIJ_MAX_REQUESTS": "0",
            "DATABASE_URL": database_url,
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask(env: dict, *args: str, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child holds it
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def gunicorn(env: dict, log: Path) -> subprocess.Popen:
    """Erbij as in production: the repository's gunicorn.conf.py (2 workers × 8 threads here)."""
    out = open(log, "ab")  # noqa: SIM115 - the child holds it
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )


def wait_http(url: str, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
