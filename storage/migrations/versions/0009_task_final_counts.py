"""a finished task's totals, kept when its per-recipient details are purged; finished_at for
tasks that finished before 0008 (from their latest audit entry)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("final_counts", sa.JSON(), nullable=True))
    # Tasks over before finished_at existed: their last audited change is when they finished,
    # so the retention period applies to them too.
    op.execute(
        "UPDATE task SET finished_at = COALESCE("
        "(SELECT MAX(audit_log.at) FROM audit_log WHERE audit_log.target_type = 'task' "
        "AND audit_log.target_id = CAST(task.id AS VARCHAR(64))), task.created_at) "
        "WHERE finished_at IS NULL AND status IN ('completed', 'failed', 'canceled')"
    )
    op.create_index("ix_task_finished_at", "task", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_task_finished_at", table_name="task")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("final_counts")
