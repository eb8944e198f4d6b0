"""what each person chose for themselves: the language smsbot speaks to them in

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "user_preference",
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )

def downgrade() -> None:
    op.drop_table("user_preference")
