"""task recipients and the progress message

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.add_column(sa.Column("progress_ts", sa.String(length=32), nullable=True))
    op.create_table(
        "task_recipient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("client_ref", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("fell_back", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_task_recipient_task_status", "task_recipient", ["task_id", "status"])
    op.create_index("ix_task_recipient_client_ref", "task_recipient", ["client_ref"], unique=True)
    op.create_index("ix_task_recipient_provider_id", "task_recipient", ["provider_id"])


def downgrade() -> None:
    op.drop_table("task_recipient")
    with op.batch_alter_table("task") as task:
        task.drop_column("progress_ts")
