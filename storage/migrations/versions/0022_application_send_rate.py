"""an SMS application's own sending rate (its provider account's)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_application") as batch:
        batch.add_column(sa.Column("send_rate", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sms_application") as batch:
        batch.drop_column("send_rate")
