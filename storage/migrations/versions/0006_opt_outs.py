"""opt-out list, recipients by phone for fatigue control, and a claim index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "opt_out",
        sa.Column("phone", sa.String(length=16), primary_key=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_task_recipient_phone", "task_recipient", ["phone"])
    # A claim's ORDER BY id LIMIT n walked every handled row on PostgreSQL without the id in it.
    op.create_index("ix_task_recipient_claim", "task_recipient", ["task_id", "status", "id"])
    op.drop_index("ix_task_recipient_task_status", "task_recipient")


def downgrade() -> None:
    op.create_index("ix_task_recipient_task_status", "task_recipient", ["task_id", "status"])
    op.drop_index("ix_task_recipient_claim", "task_recipient")
    op.drop_index("ix_task_recipient_phone", "task_recipient")
    op.drop_table("opt_out")
