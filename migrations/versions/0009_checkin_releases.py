"""check-in releases: a week's class figures, released once when the week closes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_checkin_releases_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_releases')),
    sa.UniqueConstraint('course_id', 'week_start', name=op.f('uq_checkin_releases_course_id_week_start'))
    )
    with op.batch_alter_table('checkin_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_releases_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('checkin_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_releases_course_id'))

    op.drop_table('checkin_releases')
