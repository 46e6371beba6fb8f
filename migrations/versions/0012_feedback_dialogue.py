"""feedback dialogue: the student's reply and the teacher's answer; the perspective question

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-04 05:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('feedback_publishes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question', sa.Text(), nullable=False, server_default=''))
    op.create_table('feedback_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publish_id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('perspective', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('read_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['publish_id'], ['feedback_publishes.id'], name=op.f('fk_feedback_replies_publish_id_feedback_publishes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_replies_feedback_id_feedback'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_feedback_replies_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_feedback_replies_student_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['read_by_id'], ['users.id'], name=op.f('fk_feedback_replies_read_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_feedback_replies_answered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_replies')),
    sa.UniqueConstraint('publish_id', name=op.f('uq_feedback_replies_publish_id'))
    )
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_replies_feedback_id'), ['feedback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_replies_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_replies_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_replies_sent_at'), ['sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_replies_sent_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_replies_student_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_replies_course_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_replies_feedback_id'))
    op.drop_table('feedback_replies')
    with op.batch_alter_table('feedback_publishes', schema=None) as batch_op:
        batch_op.drop_column('question')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('question')
