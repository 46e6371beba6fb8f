"""Everything LTI. Feature code imports from here; nothing outside lti/ imports pylti1p3.

Feature code asks for the current launch and never reads JWT claims itself:

    from lti_tool.lti import current_launch, instructor_required
"""

from .context import (
    LaunchContext,
    current_launch,
    instructor_required,
    learner_required,
    require_role,
)
from .errors import LaunchRefused
from .services import Member, PlatformServices, ServiceError

__all__ = [
    "LaunchContext",
    "LaunchRefused",
    "Member",
    "PlatformServices",
    "ServiceError",
    "current_launch",
    "instructor_required",
    "learner_required",
    "require_role",
]
