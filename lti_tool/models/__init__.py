"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from . import admin, checkin, dialogue, feedback  # noqa: F401  (feature models register themselves)
from .course import Course, Membership, ResourceLink, User
from .launch import HandoffToken, LaunchSession
from .outbox import OutboxEntry
from .platform import Deployment, Registration, ToolKey, UsedRegistrationToken

__all__ = [
    "Course",
    "Deployment",
    "HandoffToken",
    "LaunchSession",
    "Membership",
    "OutboxEntry",
    "Registration",
    "ResourceLink",
    "ToolKey",
    "UsedRegistrationToken",
    "User",
]
