"""where a task's "submitted" message is (the requester's channel, or their DM): it is kept
up to date with the task's status

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("submitted_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("submitted_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("submitted_ts")
        batch.drop_column("submitted_channel")
