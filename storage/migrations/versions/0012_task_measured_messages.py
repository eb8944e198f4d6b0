"""every recipient's message measured at submission: the send's segments in all, and how many
recipients are skipped because their message is over the limit

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        # NULL for tasks made before: their estimate was the first recipient's times the count.
        batch.add_column(sa.Column("segments", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("too_long", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("too_long")
        batch.drop_column("segments")
