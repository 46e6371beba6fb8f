"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from .course import Course, Membership, ResourceLink, User
from .launch import HandoffToken, LaunchSession, LoginState, UsedNonce
from .platform import Deployment, Registration, ToolKey

__all__ = [
    "Course",
    "Deployment",
    "HandoffToken",
    "LaunchSession",
    "LoginState",
    "Membership",
    "Registration",
    "ResourceLink",
    "ToolKey",
    "UsedNonce",
    "User",
]
