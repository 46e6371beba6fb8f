"""a launch's nonce is spent by storing its launch session: one write per launch

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

The launch session carries the id_token's nonce, unique per registration: storing the
session spends the nonce, and a replay finds it taken (in any worker). The separate table
of spent nonces goes. A launch needs a login state made at most ten minutes earlier (a
signed token naming the nonce), and a launch session is kept at least that long
(retention.py), so every nonce that could still be replayed stays on record. Nonces spent
in the last ten minutes before the upgrade are in neither place: their launches' state
cookies were deleted by the browsers at launch, and their login states expire within the
ten minutes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("launch_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_launch_sessions_registration_id_nonce"), ["registration_id", "nonce"])
    with op.batch_alter_table("used_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_nonces_expires_at"))
    op.drop_table("used_nonces")


def downgrade():
    op.create_table(
        "used_nonces",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["registrations.id"], name=op.f("fk_used_nonces_registration_id_registrations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("registration_id", "nonce", name=op.f("pk_used_nonces")),
    )
    with op.batch_alter_table("used_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_nonces_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("launch_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_launch_sessions_registration_id_nonce"), type_="unique")
        batch_op.drop_column("nonce")
