"""Platform registrations (issuer + client_id), their deployments, and our signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

STATUS_ACTIVE = "active"
STATUS_PENDING = "pending"
STATUS_REJECTED = "rejected"
REGISTRATION_STATUSES = (STATUS_ACTIVE, STATUS_PENDING, STATUS_REJECTED)


class Registration(db.Model):
    """One tool registration in one LMS. Many client_ids may share an issuer (hosted Canvas)."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(default=True)
    # active: launches accepted; pending: registered by the LMS, waiting for the operator's
    # approval (launches say so); rejected: refused by the operator (and disabled).
    status: Mapped[str] = mapped_column(String(16), default=STATUS_ACTIVE, server_default=STATUS_ACTIVE)
    # manual (`flask platforms add`) or dynamic (LTI Dynamic Registration): a dynamic
    # registration adopts the deployment ids the LMS adds later on their first launch.
    registered_via: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    product_family: Mapped[str | None] = mapped_column(String(64))  # moodle, canvas, desire2learn, …
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime | None]

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Deployment.id"
    )

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.issuer} {self.client_id}>"


class Deployment(db.Model):
    """A deployment of a registration (an LMS may install one registration several times)."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="deployments")


class ToolKey(db.Model):
    """Erbij's own RSA signing key. Retired keys stay in the JWKS until their tokens expire."""

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class UsedRegistrationToken(db.Model):
    """A dynamic registration token that registered Erbij once: never accepted again.

    Only a hash is kept (the token is a credential for the LMS's registration service)."""

    __tablename__ = "used_registration_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
