"""a template may name the signatures it is sent with, as its approval saw them: none means any

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("template") as batch:
        # Empty for templates made before: they go with any approved signature, as they did.
        batch.add_column(sa.Column("signature_ids", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("template") as batch:
        batch.drop_column("signature_ids")
