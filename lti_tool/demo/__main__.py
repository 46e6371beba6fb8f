"""Run the demo: `python -m lti_tool.demo` (what `make demo` runs).

1. migrates Erbij's database (ERBIJ_REGISTRATION_POLICY=open unless set),
2. starts Erbij on http://127.0.0.1:$ERBIJ_PORT (default 5000) in a subprocess,
3. serves the demo LMS on http://localhost:$DEMO_LMS_PORT (default 5001),
4. stops the Erbij it started on Ctrl-C or SIGTERM.

Erbij is installed in the LMS the way an LMS admin does it: Admin › Tools → Register
(LTI Dynamic Registration); the banner says where.

The LMS and the tool deliberately use two different host names (localhost and 127.0.0.1)
so that the browser treats them as two sites, as with a real LMS and a real tool.

`--lms-only` starts only the LMS (end-to-end tests start and register Erbij themselves).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import requests
from werkzeug.serving import run_simple

from . import DEFAULTS, REPO_ROOT, create_demo_app
from .seed import DEFAULT_USER_ID


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lti_tool.demo", description="Run Erbij with the built-in demo LMS.")
    parser.add_argument("--lms-only", action="store_true", help="start only the demo LMS, not Erbij")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where the LMS keeps its state and key (default {DEFAULTS['DEMO_DATA_DIR']})",
    )
    return parser.parse_args(argv)


def urls_from_env(env: dict[str, str] | os._Environ[str]) -> tuple[int, int, str, str]:
    """(LMS port, Erbij port, LMS URL, Erbij URL) from DEMO_LMS_PORT and ERBIJ_PORT."""
    lms_port = int(env.get("DEMO_LMS_PORT", "5001"))
    tool_port = int(env.get("ERBIJ_PORT", "5000"))
    return lms_port, tool_port, f"http://localhost:{lms_port}", f"http://127.0.0.1:{tool_port}"


def prepare_erbij(tool_url: str) -> None:
    """Migrate Erbij's database. The LMS is not registered here: the admin installs Erbij
    from the LMS's Admin › Tools page by LTI Dynamic Registration, as in a real LMS."""
    os.environ["ERBIJ_BASE_URL"] = tool_url
    os.environ.setdefault("ERBIJ_ALLOW_LOOPBACK", "1")  # the demo LMS is http on localhost
    # The demo's operator approves every LMS (there is only this one); production's
    # default, approval, makes a new LMS wait for `flask registrations approve`.
    os.environ.setdefault("ERBIJ_REGISTRATION_POLICY", "open")
    from flask_migrate import upgrade

    from lti_tool import create_app

    app = create_app()
    with app.app_context():
        upgrade(directory=str(REPO_ROOT / "migrations"))


def erbij_command(tool_port: int) -> list[str]:
    return [
        sys.executable, "-m", "flask", "--app", "wsgi", "run",
        "--host", "127.0.0.1", "--port", str(tool_port),
    ]  # fmt: skip


def start_erbij(tool_port: int, tool_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ERBIJ_BASE_URL": tool_url}
    # A fixed argument list (our own interpreter and flask), no shell: nothing untrusted.
    return subprocess.Popen(erbij_command(tool_port), cwd=REPO_ROOT, env=env)  # noqa: S603


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> bool:
    """Poll the tool's JWKS until it answers, the process dies, or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(url, timeout=1).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop the Erbij subprocess we started (and only that one)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lms_port, tool_port, lms_url, tool_url = urls_from_env(os.environ)
    config: dict[str, object] = {"DEMO_LMS_URL": lms_url, "DEMO_TOOL_URL": tool_url}
    if args.data_dir:
        config["DEMO_DATA_DIR"] = args.data_dir
    app = create_demo_app(config)

    # SIGTERM (e.g. from a test harness or `kill`) stops everything like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    erbij: subprocess.Popen[bytes] | None = None
    try:
        if not args.lms_only:
            try:
                prepare_erbij(tool_url)
            except Exception as exc:  # show the cause, not a traceback, to a newcomer
                print(f"Could not prepare Erbij's database: {exc!r}", file=sys.stderr)
                print("Start only the LMS with: python -m lti_tool.demo --lms-only", file=sys.stderr)
                return 1
            erbij = start_erbij(tool_port, tool_url)
            if not wait_until_up(f"{tool_url}/lti/jwks", erbij):
                print(f"Erbij did not start on {tool_url}; see its output above.", file=sys.stderr)
                return 1
        _print_banner(lms_url, tool_url, erbij is not None)
        run_simple("localhost", lms_port, app, threaded=True, use_reloader=False, use_debugger=False)
    except KeyboardInterrupt:
        pass
    finally:
        stop(erbij)
    return 0


def _print_banner(lms_url: str, tool_url: str, with_erbij: bool) -> None:
    line = "=" * 64
    print(line)
    print(f"  Open {lms_url} in your browser")
    print(f"  First install Erbij: {lms_url}/admin/tools → Register (dynamic registration).")
    print(f"  You are signed in as the teacher Anouk de Vries ({DEFAULT_USER_ID}).")
    print("  Use 'Switch user' (top right) to become a student, e.g. Sanne Bakker.")
    if with_erbij:
        print(f"  Erbij runs on {tool_url}. Press Ctrl-C to stop both.")
    else:
        print(f"  LMS only: start Erbij yourself on {tool_url}. Ctrl-C stops the LMS.")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
