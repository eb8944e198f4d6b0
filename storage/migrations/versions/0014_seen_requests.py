"""Slack requests already taken (view submissions, events), so that retries and double submits
are done once

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_request",
        sa.Column("key", sa.String(length=200), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_seen_request_at", "seen_request", ["at"])


def downgrade() -> None:
    op.drop_index("ix_seen_request_at", table_name="seen_request")
    op.drop_table("seen_request")
