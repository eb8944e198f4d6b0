"""send tasks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signature_id", sa.Integer(), sa.ForeignKey("signature.id"), nullable=False),
        sa.Column("template_id", sa.Integer(), sa.ForeignKey("template.id"), nullable=False),
        sa.Column("fallback", sa.String(length=16), nullable=False),
        sa.Column("fallback_template_id", sa.Integer(), sa.ForeignKey("template.id"), nullable=True),
        sa.Column("default_link", sa.String(length=500), nullable=True),
        sa.Column("recipient_list_id", sa.Integer(), sa.ForeignKey("recipient_list.id"), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_channel", sa.String(length=32), nullable=False),
        sa.Column("thread_channel", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_task_status", "task", ["status"])
    op.create_index("ix_task_send_at", "task", ["send_at"])


def downgrade() -> None:
    op.drop_table("task")
