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
from .submission_ref import SubmissionRef, launch_url, submission_url

__all__ = [
    "LaunchContext",
    "LaunchRefused",
    "Member",
    "PlatformServices",
    "ServiceError",
    "SubmissionRef",
    "current_launch",
    "instructor_required",
    "launch_url",
    "learner_required",
    "require_role",
    "submission_url",
]
