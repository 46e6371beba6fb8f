"""OIDC login states are no longer stored: the state is a signed token

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04

An unauthenticated /lti/login wrote a row per request; the state now carries what the
launch needs (signed, ten minutes), and single use comes from the spent nonce.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_states_expires_at"))
    op.drop_table("login_states")


def downgrade():
    op.create_table(
        "login_states",
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("storage_target", sa.String(length=200), nullable=True),
        sa.Column("storage_secret_hash", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["registrations.id"], name=op.f("fk_login_states_registration_id_registrations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_login_states")),
    )
    with op.batch_alter_table("login_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_states_expires_at"), ["expires_at"], unique=False)
