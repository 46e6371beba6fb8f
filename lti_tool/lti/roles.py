"""Which Erbij role a launch or roster entry has: context (course) roles decide.

Canvas and Moodle also send institution and system roles (a Moodle site admin gets
Administrator *and* Instructor); those never grant access to a course on their own.
"""

from ..models.course import ROLE_INSTRUCTOR, ROLE_LEARNER, ROLE_OTHER

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
_TEACHING = {"Instructor", "TeachingAssistant", "Instructor#TeachingAssistant"}
_LEARNING = {"Learner"}


def _context_role(role: str) -> str | None:
    """The short context role name, or None for institution/system roles."""
    if role.startswith(_MEMBERSHIP):
        return role[len(_MEMBERSHIP) :]
    if "/" not in role and "#" not in role:  # NRPS short names (Moodle): "Learner"
        return role
    if role.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/"):  # sub-roles
        return role.rsplit("/", 1)[-1]
    return None


def erbij_role(roles: list[str] | None) -> str:
    """instructor, learner or other — from context roles only; teaching wins over learning."""
    names = {_context_role(r) for r in roles or [] if isinstance(r, str)}
    names.discard(None)
    if names & _TEACHING:
        return ROLE_INSTRUCTOR
    if names & _LEARNING:
        return ROLE_LEARNER
    return ROLE_OTHER
