"""merge the feedback and check-in reflection branches

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2026-11-21

The two features were built side by side from the check-in schema (0003); this joins
them into one head so that `flask db upgrade` needs no branch names.
"""

revision = "0006"
down_revision = ("0004", "0005")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
