"""the send-modal submission that made a task, unique: the same submission twice makes one task

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("submission_key", sa.String(length=100), nullable=True))
    op.create_index("ix_task_submission_key", "task", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_task_submission_key", table_name="task")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("submission_key")
