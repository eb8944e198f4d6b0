"""signatures and templates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _review_columns() -> list[sa.Column]:
    return [
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("approval_channel", sa.String(length=32), nullable=True),
        sa.Column("approval_ts", sa.String(length=32), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "signature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=12), nullable=False),
        sa.Column("name_key", sa.String(length=12), nullable=False),
        sa.Column("purpose_note", sa.String(length=200), nullable=False),
        *_review_columns(),
    )
    op.create_index("ix_signature_name_key", "signature", ["name_key"], unique=True)
    op.create_index("ix_signature_status", "signature", ["status"])
    op.create_table(
        "template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("media_urls", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("default_link", sa.String(length=500), nullable=True),
        *_review_columns(),
    )
    op.create_index("ix_template_name_key", "template", ["name_key"], unique=True)
    op.create_index("ix_template_status", "template", ["status"])


def downgrade() -> None:
    op.drop_table("template")
    op.drop_table("signature")
