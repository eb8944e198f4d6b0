"""when to ask the provider next about a message awaiting its receipt (receipts by pull)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_recipient") as batch:
        batch.add_column(sa.Column("receipt_ask_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_recipient") as batch:
        batch.drop_column("receipt_ask_after")
