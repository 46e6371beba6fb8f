"""dynamic registration: registration status (pending approval), how it was registered,
the LMS's product family, and the registration tokens already used

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        # Every registration made before this revision was added by hand and is in use.
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('registered_via', sa.String(length=16), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('product_family', sa.String(length=64), nullable=True))

    op.create_table('used_registration_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_registration_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_used_registration_tokens_token_hash'))
    )


def downgrade():
    op.drop_table('used_registration_tokens')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('product_family')
        batch_op.drop_column('registered_via')
        batch_op.drop_column('status')
