"""A fake LMS on 127.0.0.1 for the fault scenarios: JWKS, token, NRPS roster, one line item
and a score endpoint that can be switched down (503) or made slow, and that keeps a
gradebook.

The gradebook follows the AGS rule LMSs apply: a score whose timestamp is not newer than
the stored one for that user is not applied (answered 200, no effect). Every score POST is
recorded — received, answered, applied or not — so a scenario can count deliveries.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.platform import FakePlatform


@dataclass
class Delivery:
    user: str
    score: float | None
    comment: str | None
    timestamp: str
    status: int  # what the LMS answered (0: the client went away before the answer)
    applied: bool  # changed the gradebook


@dataclass
class FakeLms:
    platform: FakePlatform
    students: list[str] = field(default_factory=list)
    mode: str = "up"  # up | down (scores answer 503) | slow (scores take `slow_seconds`)
    slow_seconds: float = 3.0

    def __post_init__(self):
        self.lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        self.gradebook: dict[str, tuple[str, float | None, str | None]] = {}  # user -> (timestamp, score, comment)
        self.token_requests = 0
        self.received = threading.Event()  # set when a score POST arrives (for timing a kill)
        lms = self
        jwks = json.dumps(self.platform.jwks()).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: dict | list | None = None, ctype: str = "application/json"):
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):  # noqa: N802
                path = urlsplit(self.path).path
                if path.startswith("/jwks/"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "max-age=300")
                    self.send_header("Content-Length", str(len(jwks)))
                    self.end_headers()
                    self.wfile.write(jwks)
                elif path.endswith("/memberships"):
                    members = [{"user_id": s, "name": s.replace("-", " ").title(), "roles": ["Learner"], "status": "Active"} for s in lms.students]
                    members.append({"user_id": "teacher-1", "name": "Tess Teacher", "roles": ["Instructor"], "status": "Active"})
                    self._send(200, {"id": "m", "context": {"id": "course-1"}, "members": members}, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                elif path.endswith("/lineitems/1"):
                    self._send(200, lms.lineitem(), "application/vnd.ims.lis.v2.lineitem+json")
                elif path.endswith("/lineitems"):
                    self._send(200, [lms.lineitem()], "application/vnd.ims.lis.v2.lineitemcontainer+json")
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):  # noqa: N802
                path = urlsplit(self.path).path
                body = self._body()
                if path == "/token":
                    with lms.lock:
                        lms.token_requests += 1
                    self._send(200, {"access_token": "fault-token", "token_type": "Bearer", "expires_in": 3600})
                elif path.endswith("/lineitems/1/scores"):
                    lms.received.set()
                    if lms.mode == "down":
                        self._send(503, {"error": "the gradebook is down for maintenance"})
                        return
                    score = json.loads(body or b"{}")
                    if lms.mode == "slow":
                        time.sleep(lms.slow_seconds)
                    applied = lms.apply(score)
                    try:
                        self._send(200 if applied is not None else 400)
                        status = 200
                    except OSError:  # the tool went away (killed) before the answer
                        status = 0
                    with lms.lock:
                        lms.deliveries.append(
                            Delivery(str(score.get("userId")), score.get("scoreGiven"), score.get("comment"), str(score.get("timestamp")), status, bool(applied))
                        )
                elif path.endswith("/lineitems"):
                    self._send(201, lms.lineitem(), "application/vnd.ims.lis.v2.lineitem+json")
                else:
                    self._send(404, {"error": "not found"})

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lineitem(self) -> dict:
        return {"id": f"{self.url}/api/course-1/lineitems/1", "label": "Betoog H3", "scoreMaximum": 10, "resourceLinkId": "link-feedback"}

    def apply(self, score: dict) -> bool | None:
        """Store a score when its timestamp is newer than the stored one; None: malformed."""
        user, stamp = score.get("userId"), score.get("timestamp")
        if not user or not stamp:
            return None
        with self.lock:
            old = self.gradebook.get(user)
            if old is not None and old[0] >= stamp:
                return False
            self.gradebook[user] = (stamp, score.get("scoreGiven"), score.get("comment"))
            return True

    def ok_deliveries(self) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.status in (200, 0)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
