"""recipient lists, recipients and audiences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipient_list",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.Column("data_rows", sa.Integer(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=False),
        sa.Column("invalid_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
    )
    op.create_index("ix_recipient_list_channel_id", "recipient_list", ["channel_id"])
    op.create_index("ix_recipient_list_slack_file_id", "recipient_list", ["slack_file_id"], unique=True)
    op.create_table(
        "recipient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("recipient_list.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
    )
    op.create_index("ix_recipient_list_id", "recipient", ["list_id"])
    op.create_table(
        "audience",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_key", sa.String(length=60), nullable=False),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("recipient_list.id"), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audience_name_key", "audience", ["name_key"], unique=True)


def downgrade() -> None:
    op.drop_table("audience")
    op.drop_table("recipient")
    op.drop_table("recipient_list")
