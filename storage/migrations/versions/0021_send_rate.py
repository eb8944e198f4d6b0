"""the provider account's sending rate as a token bucket every process shares

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_rate",
        sa.Column("key", sa.String(length=40), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    # The account's bucket exists before any process takes from it, so that the first takers
    # wait on its lock like every later one (empty long ago: it fills to its capacity at once).
    op.execute("INSERT INTO send_rate (key, tokens, updated_at) VALUES ('account', 0, 0)")


def downgrade() -> None:
    op.drop_table("send_rate")
