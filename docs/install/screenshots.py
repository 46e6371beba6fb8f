"""Make the README's "Install in your LMS" screenshots (Erbij's side, nl and en).

    .venv/bin/python docs/install/screenshots.py

Starts Erbij (flask run, a throwaway database, loopback allowed, approval policy) on a
free port and a tiny registering "LMS" on another (Moodle-, Canvas- and Brightspace-like
OpenID configurations), registers through /lti/register as each LMS would, and
screenshots the pages Erbij shows with headless Chromium. Stops what it started.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_lms(port: int) -> http.server.ThreadingHTTPServer:
    """/<family>/.well-known/openid-configuration and /<family>/register; any token is fine once."""
    base = f"http://localhost:{port}"
    counter = {"n": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            family = self.path.strip("/").split("/")[0]
            self._json(200, {
                "issuer": base,
                "authorization_endpoint": f"{base}/auth",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "registration_endpoint": f"{base}/{family}/register",
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": family, "version": "1"},
            })  # fmt: skip

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            counter["n"] += 1
            self._json(200, {**body, "client_id": f"client-{counter['n']}"})

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    erbij_port, lms_port = free_port(), free_port()
    erbij = f"http://127.0.0.1:{erbij_port}"
    lms = f"http://localhost:{lms_port}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "ERBIJ_BASE_URL": erbij,
        "DATABASE_URL": f"sqlite:///{tmp / 'erbij.sqlite'}",
        "ERBIJ_INSTANCE_PATH": str(tmp / "instance"),
        "ERBIJ_ALLOW_LOOPBACK": "1",
        "ERBIJ_REGISTRATION_POLICY": "approval",
    }
    py = sys.executable
    subprocess.run([py, "-m", "lti_tool.translations_build"], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run([py, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    server = fake_lms(lms_port)
    proc = subprocess.Popen([py, "-m", "flask", "--app", "wsgi", "run", "--port", str(erbij_port)], cwd=ROOT, env=env,  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):
            try:
                if requests.get(f"{erbij}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for lang, locale in (("nl", "nl-NL"), ("en", "en-GB")):
                page = browser.new_page(locale=locale, viewport={"width": 900, "height": 640})
                for family in ("moodle", "canvas", "desire2learn"):
                    query = urlencode({"openid_configuration": f"{lms}/{family}/.well-known/openid-configuration", "registration_token": f"tok-{family}-{lang}"})
                    page.goto(f"{erbij}/lti/register?{query}")
                    name = {"desire2learn": "brightspace"}.get(family, family)
                    page.screenshot(path=str(OUT / f"registered-{name}-{lang}.png"), full_page=True)
                # The same token again: refused, nothing registered.
                page.goto(f"{erbij}/lti/register?" + urlencode({"openid_configuration": f"{lms}/moodle/.well-known/openid-configuration", "registration_token": f"tok-moodle-{lang}"}))
                page.screenshot(path=str(OUT / f"replayed-token-{lang}.png"), full_page=True)
                # A launch from a registration that waits for the operator's approval.
                page.goto(f"{erbij}/lti/login?" + urlencode({"iss": lms, "client_id": "client-1", "login_hint": "u1", "target_link_uri": f"{erbij}/lti/launch"}))
                page.screenshot(path=str(OUT / f"pending-launch-{lang}.png"), full_page=True)
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        server.shutdown()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
