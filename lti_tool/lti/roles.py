"""Which Erbij role a launch or roster entry has: context (course) roles decide.

Canvas and Moodle also send institution and system roles (a Moodle site admin gets
Administrator *and* Instructor); those never grant access to a course on their own.

Role URIs are parsed exactly (LIS v2 vocabularies as LTI 1.3 names them):
- context role      http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor
- context sub-role  http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant
- short form        Instructor (NRPS in Moodle)
- LTI 1.1 URN       urn:lti:role:ims/lis/Instructor, urn:lti:role:ims/lis/Instructor/TeachingAssistant
Institution (…/institution/person#…) and system (…/system/person#…) roles, and anything
that does not match one of these forms exactly (…/membership/Learner/Instructor), are no
context role.
"""

from __future__ import annotations

import re

from ..models.course import ROLE_INSTRUCTOR, ROLE_LEARNER, ROLE_OTHER

# The principal context roles of the LIS v2 membership vocabulary.
CONTEXT_ROLES = frozenset({"Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member", "Officer"})
_NAME = r"[A-Za-z]+"
_FORMS = (
    re.compile(rf"http://purl\.imsglobal\.org/vocab/lis/v2/membership#({_NAME})"),
    re.compile(rf"http://purl\.imsglobal\.org/vocab/lis/v2/membership/({_NAME})#{_NAME}"),
    re.compile(rf"urn:lti:role:ims/lis/({_NAME})(?:/{_NAME})?"),
    re.compile(rf"({_NAME})"),
)


def context_role(role: str) -> str | None:
    """The principal context role a role URI names (a sub-role counts as its principal), or None."""
    for i, form in enumerate(_FORMS):
        match = form.fullmatch(role)
        if match:
            name = match.group(1)
            if i >= 2 and name == "TeachingAssistant":  # a principal role in LTI 1.1's vocabulary
                return "Instructor"
            return name if name in CONTEXT_ROLES else None
    return None


def erbij_role(roles: list[str] | None) -> str:
    """instructor, learner or other — from context roles only; teaching wins over learning."""
    names = {context_role(r.strip()) for r in roles or [] if isinstance(r, str)}
    if "Instructor" in names:
        return ROLE_INSTRUCTOR
    if "Learner" in names:
        return ROLE_LEARNER
    return ROLE_OTHER


# Institution and system administrators (LIS v2): the only roles that open the admin console.
ADMIN_ROLES = frozenset(
    {
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    }
)


def is_institution_admin(roles: list[str] | None) -> bool:
    """The launch's user administers the institution (or the LMS) — exact role URIs only."""
    return any(isinstance(r, str) and r.strip() in ADMIN_ROLES for r in roles or [])
