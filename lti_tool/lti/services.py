"""Assignment and Grade Services and Names and Role Provisioning Service clients.

Tokens come from the client-credentials grant (a JWT assertion signed with our
key; pylti1p3 keeps its tokens per object and never expires them) and are cached per issuer + client_id + scopes until shortly before they
expire, in the shared cache: platforms throttle the token endpoint (Canvas).
Every request has a timeout and our User-Agent. Failures raise ServiceError with
the HTTP status, so callers (the outbox) can tell retryable from final.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from ..extensions import cache, db
from ..models import Registration
from . import keys
from .http import OutboundRefused, platform_session

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"
MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

TOKEN_SAFETY_MARGIN = 60  # seconds before expiry we stop using a token
MAX_PAGES = 200


class ServiceError(Exception):
    """A platform service call failed. status is None for network errors and time-outs."""

    def __init__(self, message: str, status: int | None = None, body: str = "", *, refused: bool = False):
        super().__init__(message)
        self.status = status
        self.body = body[:500]
        self.refused = refused  # Erbij's outbound policy refused the URL: retrying cannot help

    @property
    def retryable(self) -> bool:
        return not self.refused and (self.status is None or self.status >= 500 or self.status == 429)


class _TokenClient:
    """OAuth2 client credentials with a signed JWT assertion (LTI Security Framework)."""

    def __init__(self, registration: Registration, http):
        self._reg = registration
        self._http = http

    def _cache_key(self, scopes) -> str:
        raw = "|".join([self._reg.issuer, self._reg.client_id, *sorted(scopes)])
        return "svc-token:" + hashlib.sha256(raw.encode()).hexdigest()

    def token(self, scopes) -> str:
        key = self._cache_key(scopes)
        cached = cache.get(key)
        if cached:
            return cached
        now = int(time.time())
        assertion = keys.sign(
            {
                "iss": self._reg.client_id,
                "sub": self._reg.client_id,
                "aud": self._reg.auth_audience or self._reg.auth_token_url,
                "iat": now - 5,
                "exp": now - 5 + keys.CLIENT_ASSERTION_LIFETIME,
                "jti": secrets.token_urlsafe(16),
            }
        )
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(sorted(scopes)),
        }
        try:
            resp = self._http.post(self._reg.auth_token_url, data=form)
        except OutboundRefused as exc:
            raise ServiceError(f"token request refused by Erbij: {exc}", refused=True) from exc
        except requests.RequestException as exc:
            raise ServiceError(f"token request failed: {exc.__class__.__name__}") from exc
        if not resp.ok:
            raise ServiceError("token request refused", status=resp.status_code, body=resp.text)
        try:
            data = resp.json()
        except ValueError as exc:
            raise ServiceError("token response is not JSON", status=resp.status_code) from exc
        token = data.get("access_token")
        if not token:
            raise ServiceError("token response without access_token", status=resp.status_code)
        ttl = int(data.get("expires_in") or 3600) - TOKEN_SAFETY_MARGIN
        if ttl > 0:
            cache.set(key, token, timeout=ttl)
        return token

    def invalidate(self, scopes) -> None:
        cache.delete(self._cache_key(scopes))


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    given_name: str
    family_name: str
    roles: tuple[str, ...]
    status: str


class PlatformServices:
    """AGS and NRPS for one registration."""

    def __init__(self, registration: Registration | int):
        if isinstance(registration, int):
            registration = db.session.get(Registration, registration)
        self.registration = registration
        self._http = platform_session(registration)
        self._tokens = _TokenClient(registration, self._http)

    # ------------------------------------------------------------ transport
    def _request(self, method: str, url: str, scopes: list[str], *, body=None, content_type=None, accept="application/json"):
        for attempt in (1, 2):
            token = self._tokens.token(scopes)
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            data = None
            if body is not None:
                headers["Content-Type"] = content_type or "application/json"
                data = json.dumps(body)
            try:
                resp = self._http.request(method, url, headers=headers, data=data)
            except OutboundRefused as exc:
                raise ServiceError(f"{method} refused by Erbij: {exc}", refused=True) from exc
            except requests.RequestException as exc:
                raise ServiceError(f"{method} {url} failed: {exc.__class__.__name__}") from exc
            if resp.status_code == 401 and attempt == 1:
                # A cached token the platform revoked early: fetch a fresh one once.
                self._tokens.invalidate(scopes)
                continue
            if not resp.ok:
                raise ServiceError(f"{method} {url} answered {resp.status_code}", status=resp.status_code, body=resp.text)
            return resp
        raise AssertionError("unreachable")

    @staticmethod
    def _json(resp):
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError as exc:
            raise ServiceError("response is not JSON", status=resp.status_code, body=resp.text) from exc

    # ------------------------------------------------------------ NRPS
    def roster(self, memberships_url: str) -> list[Member]:
        """All members of the context, following rel="next" pages."""
        members: list[Member] = []
        url: str | None = memberships_url
        for _ in range(MAX_PAGES):
            if not url:
                break
            resp = self._request("GET", url, [SCOPE_NRPS], accept=MT_MEMBERSHIPS)
            data = self._json(resp) or {}
            for m in data.get("members") or []:
                if not isinstance(m, dict) or not m.get("user_id"):
                    continue
                members.append(
                    Member(
                        user_id=str(m["user_id"]),
                        name=str(m.get("name") or ""),
                        given_name=str(m.get("given_name") or ""),
                        family_name=str(m.get("family_name") or ""),
                        roles=tuple(str(r) for r in m.get("roles") or []),
                        status=str(m.get("status") or "Active"),
                    )
                )
            url = resp.links.get("next", {}).get("url")
        return members

    # ------------------------------------------------------------ AGS
    def lineitems(self, lineitems_url: str, resource_link_id: str | None = None) -> list[dict]:
        items: list[dict] = []
        url: str | None = _with_query(lineitems_url, resource_link_id=resource_link_id)
        for _ in range(MAX_PAGES):
            if not url:
                break
            resp = self._request("GET", url, [SCOPE_LINEITEM], accept=MT_LINEITEMS)
            items.extend(self._json(resp) or [])
            url = resp.links.get("next", {}).get("url")
        return items

    def lineitem(self, lineitem_url: str) -> dict:
        return self._json(self._request("GET", lineitem_url, [SCOPE_LINEITEM], accept=MT_LINEITEM)) or {}

    def create_lineitem(self, lineitems_url: str, item: dict) -> dict:
        resp = self._request("POST", lineitems_url, [SCOPE_LINEITEM], body=item, content_type=MT_LINEITEM, accept=MT_LINEITEM)
        return self._json(resp) or {}

    def update_lineitem(self, lineitem_url: str, item: dict) -> dict:
        resp = self._request("PUT", lineitem_url, [SCOPE_LINEITEM], body=item, content_type=MT_LINEITEM, accept=MT_LINEITEM)
        return self._json(resp) or {}

    def post_score(self, lineitem_url: str, score: dict) -> None:
        """POST a score to {lineitem}/scores (the query string stays at the end)."""
        self._request("POST", _sub_resource(lineitem_url, "scores"), [SCOPE_SCORE], body=score, content_type=MT_SCORE)

    def results(self, lineitem_url: str, user_id: str | None = None) -> list[dict]:
        url = _with_query(_sub_resource(lineitem_url, "results"), user_id=user_id)
        return self._json(self._request("GET", url, [SCOPE_RESULT_RO], accept=MT_RESULTS)) or []


def _sub_resource(lineitem_url: str, name: str) -> str:
    """{lineitem}/scores or /results, keeping the line item's query string at the end (Moodle uses one)."""
    base, _, query = lineitem_url.partition("?")
    return base.rstrip("/") + "/" + name + (f"?{query}" if query else "")


def _with_query(url: str, **params: str | None) -> str:
    """Add URL-encoded parameters (None values left out) to a URL that may have a query already."""
    extra = urlencode({k: v for k, v in params.items() if v})
    return url + (("&" if "?" in url else "?") + extra if extra else "")
