"""a template's code at providers that send registered templates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("template") as batch:
        batch.add_column(sa.Column("provider_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("template") as batch:
        batch.drop_column("provider_code")
