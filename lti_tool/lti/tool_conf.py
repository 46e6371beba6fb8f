"""A database-backed pylti1p3 ToolConf: registrations by issuer + client_id, then deployment."""

from __future__ import annotations

from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.registration import Registration as LibRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from . import keys
from .registrations import find_deployment, find_registration


def to_lib_registration(reg) -> LibRegistration:
    """Our Registration row as the library's object, with our current signing key."""
    key = keys.active_key()
    lib = LibRegistration()
    lib.set_issuer(reg.issuer).set_client_id(reg.client_id)
    lib.set_auth_login_url(reg.auth_login_url).set_auth_token_url(reg.auth_token_url)
    lib.set_key_set_url(reg.key_set_url)
    if reg.auth_audience:
        lib.set_auth_audience(reg.auth_audience)
    lib.set_tool_private_key(keys.private_key(key))  # decrypted; PyJWT signs with the key object
    lib.set_tool_public_key(None)
    lib.get_kid = lambda: key.kid  # the library derives kid from a public PEM; ours is stored
    return lib


class DbToolConf(ToolConfAbstract):
    """Many client_ids per issuer, always: every hosted Canvas shares one issuer."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        reg = find_registration(iss, None)
        return to_lib_registration(reg) if reg else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        reg = find_registration(iss, client_id)
        return to_lib_registration(reg) if reg else None

    def find_deployment(self, iss, deployment_id):
        reg = find_registration(iss, None)
        return self._deployment(reg, deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(find_registration(iss, client_id), deployment_id)

    @staticmethod
    def _deployment(reg, deployment_id):
        if reg is None or not deployment_id:
            return None
        dep = find_deployment(reg, deployment_id)
        return LibDeployment().set_deployment_id(dep.deployment_id) if dep else None
