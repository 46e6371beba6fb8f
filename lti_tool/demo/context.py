"""The demo LMS's fixed URLs and the objects every view needs, kept on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from .platform_keys import PlatformKey
    from .store import Store
    from .tool_keys import ToolKeys

EXTENSION_KEY = "erbij_demo_lms"


@dataclass(frozen=True)
class PlatformConfig:
    """Where the LMS and the tool live, and the registration between them.

    Every URL the LMS hands out is built here from the configured base URLs (never from
    the request's Host header), so the issuer and service URLs are stable and match what
    was registered in Erbij.
    """

    lms_url: str
    tool_url: str
    client_id: str
    deployment_id: str

    @property
    def issuer(self) -> str:
        return self.lms_url

    @property
    def auth_url(self) -> str:
        return f"{self.lms_url}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.lms_url}/oauth2/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.lms_url}/.well-known/jwks.json"

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.lms_url}/deep-link/return"

    @property
    def tool_login_url(self) -> str:
        return f"{self.tool_url}/lti/login"

    @property
    def tool_launch_url(self) -> str:
        # Erbij routes on the custom parameter, so every message targets this one URL.
        return f"{self.tool_url}/lti/launch"

    @property
    def tool_jwks_url(self) -> str:
        return f"{self.tool_url}/lti/jwks"

    def course_url(self, course_id: str) -> str:
        return f"{self.lms_url}/courses/{course_id}"

    def memberships_url(self, course_id: str) -> str:
        return f"{self.lms_url}/api/lti/courses/{course_id}/memberships"

    def lineitems_url(self, course_id: str) -> str:
        return f"{self.lms_url}/api/lti/courses/{course_id}/lineitems"

    def lineitem_url(self, course_id: str, line_item_id: int) -> str:
        return f"{self.lineitems_url(course_id)}/{line_item_id}"


@dataclass
class DemoLms:
    """Everything the demo LMS's views share; one per app, in `app.extensions`."""

    platform: PlatformConfig
    store: Store
    platform_key: PlatformKey
    tool_keys: ToolKeys
    secret_key: str
    platform_guid: str
    timeout_sleep: float


def get_lms() -> DemoLms:
    """The DemoLms of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
