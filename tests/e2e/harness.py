"""The end-to-end stack: Erbij and the demo LMS as two separate processes on two sites,
and Debian's Chromium with third-party cookies allowed or blocked.

Used by conftest.py; importable on its own (``python -c "from tests.e2e.harness import …"``)
to poke at the stack by hand.

- Erbij: gunicorn (2 workers) on ``http://127.0.0.1:<port>``, a temporary SQLite file and
  instance folder, migrated with ``flask db upgrade heads``, the demo LMS registered with
  ``upsert_registration`` in a subprocess with Erbij's environment.
- The demo LMS: ``python -m lti_tool.demo --lms-only --data-dir <tmp>`` on
  ``http://localhost:<port>`` (DEMO_LMS_PORT / ERBIJ_PORT tell it both URLs).

Both processes are started here and stopped here, by the PID we got (never by name).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ..ports import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "e2e-logs"
CHROMIUM = Path(os.environ.get("ERBIJ_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

CLIENT_ID = "erbij-demo"
DEPLOYMENT_ID = "demo-deployment-1"

# Chromium's profile preference profile.cookie_controls_mode (lms-notes.md, measured):
COOKIES_ALLOWED = 0  # third-party cookies allowed
COOKIES_BLOCKED = 1  # third-party cookies blocked (Debian's default)


@dataclass
class Stack:
    """The two running servers and what the tests need to know about them."""

    erbij_url: str
    lms_url: str
    tmp: Path
    erbij_env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)

    def lms(self, path: str) -> str:
        return self.lms_url + path

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _run(cmd: list[str], env: dict[str, str], what: str, timeout: float = 120) -> None:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _wait_for(url: str, proc: subprocess.Popen, what: str, log: Path, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before answering {url}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            r = requests.get(url, timeout=2)
            if r.ok:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last = repr(exc)
        time.sleep(0.25)
    raise RuntimeError(f"{what} did not answer {url} within {seconds}s ({last}):\n{log.read_text(errors='replace')[-3000:]}")


def start_stack(tmp: Path, *, register: bool = True, extra_env: dict[str, str] | None = None) -> Stack:
    """Start Erbij (gunicorn, 2 workers) and the demo LMS; return when both answer.

    register=False leaves the LMS unknown to Erbij: the test installs Erbij through the
    demo LMS's Admin › Tools page (dynamic registration). extra_env: more settings for Erbij."""
    LOGS.mkdir(parents=True, exist_ok=True)
    erbij_port, lms_port = free_port(), free_port()
    while lms_port == erbij_port:
        lms_port = free_port()
    erbij_url = f"http://127.0.0.1:{erbij_port}"
    lms_url = f"http://localhost:{lms_port}"
    instance = tmp / "erbij-instance"
    instance.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL", "FLASK_APP"}}
    erbij_env = {
        **base_env,
        "ERBIJ_BASE_URL": erbij_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'erbij.sqlite'}",
        "ERBIJ_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": "1",
        "ERBIJ_ALLOW_LOOPBACK": "1",  # the demo LMS is http on localhost
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    py = sys.executable
    _run([py, "-m", "lti_tool.translations_build"], erbij_env, "compiling translations")
    _run([py, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], erbij_env, "flask db upgrade heads")
    registration = (
        "from lti_tool import create_app\n"
        "from lti_tool.lti.registrations import upsert_registration\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    upsert_registration(issuer={lms_url!r}, client_id={CLIENT_ID!r},\n"
        f"        auth_login_url={lms_url + '/auth'!r}, auth_token_url={lms_url + '/oauth2/token'!r},\n"
        f"        key_set_url={lms_url + '/.well-known/jwks.json'!r}, deployment_ids=[{DEPLOYMENT_ID!r}],\n"
        "        auth_audience=None, name='Demo LMS (e2e)')\n"
    )
    if register:
        _run([py, "-c", registration], erbij_env, "registering the demo LMS with Erbij")

    stack = Stack(erbij_url=erbij_url, lms_url=lms_url, tmp=tmp, erbij_env=erbij_env)
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    stack.logs["erbij"] = LOGS / f"erbij-{stamp}.log"
    stack.logs["lms"] = LOGS / f"demo-lms-{stamp}.log"
    # gthread, not the sync worker: a browser's speculative (pre)connections park a sync
    # worker on an idle socket, and Erbij's own calls to the LMS (token → the LMS fetches
    # Erbij's JWKS) then wait for a free worker until the LMS gives up (401). Measured here;
    # production puts a buffering proxy in front of gunicorn.
    try:
        with stack.logs["erbij"].open("wb") as out:
            erbij = subprocess.Popen(  # noqa: S603 (fixed argument list, our interpreter)
                [py, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--bind", f"127.0.0.1:{erbij_port}",
                 "--access-logfile", "-", "--error-logfile", "-", "--timeout", "60", "wsgi:app"],
                cwd=ROOT, env=erbij_env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        stack.processes.append(erbij)
        lms_env = {**base_env, "DEMO_LMS_PORT": str(lms_port), "ERBIJ_PORT": str(erbij_port), "PYTHONUNBUFFERED": "1"}
        with stack.logs["lms"].open("wb") as out:
            lms = subprocess.Popen(  # noqa: S603
                [py, "-m", "lti_tool.demo", "--lms-only", "--data-dir", str(tmp / "demo-lms")],
                cwd=ROOT, env=lms_env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        stack.processes.append(lms)
        _wait_for(f"{erbij_url}/healthz", erbij, "Erbij (gunicorn)", stack.logs["erbij"])
        _wait_for(f"{lms_url}/.well-known/jwks.json", lms, "the demo LMS", stack.logs["lms"])
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: Stack) -> None:
    """Stop exactly the processes this harness started (by PID), newest first."""
    for proc in reversed(stack.processes):
        if proc.poll() is not None:
            continue
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# ------------------------------------------------------------------ browser profiles
def write_profile(user_data_dir: Path, cookie_controls_mode: int) -> Path:
    """A fresh Chromium profile whose third-party-cookie setting is what we say."""
    if user_data_dir.exists():
        shutil.rmtree(user_data_dir)
    (user_data_dir / "Default").mkdir(parents=True)
    prefs = {"profile": {"cookie_controls_mode": cookie_controls_mode}}
    (user_data_dir / "Default" / "Preferences").write_text(json.dumps(prefs))
    return user_data_dir


def read_profile_mode(user_data_dir: Path) -> int | None:
    """The preference as Chromium keeps it (it rewrites the file while running)."""
    try:
        prefs = json.loads((user_data_dir / "Default" / "Preferences").read_text())
    except (OSError, ValueError):
        return None
    return prefs.get("profile", {}).get("cookie_controls_mode")
