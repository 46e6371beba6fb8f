"""teacher reflection: a private after-lesson note per teacher, course and week

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teacher_reflections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_teacher_reflections_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_teacher_reflections_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_reflections')),
    sa.UniqueConstraint('course_id', 'user_id', 'week_start', name=op.f('uq_teacher_reflections_course_id_user_id_week_start'))
    )
    with op.batch_alter_table('teacher_reflections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_reflections_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_reflections_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('teacher_reflections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_reflections_user_id'))
        batch_op.drop_index(batch_op.f('ix_teacher_reflections_course_id'))

    op.drop_table('teacher_reflections')
