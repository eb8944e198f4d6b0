"""a task's final report, when its last receipt was in, and which process edits its thread:
the report is kept true until every recipient has its last word

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("report_ts", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("chart_file_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("receipts_done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("notifier_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("notifier_until", sa.DateTime(timezone=True), nullable=True))
    # Tasks over before this version had their one report: nothing more is posted about them.
    op.execute("UPDATE task SET receipts_done_at = finished_at "
               "WHERE status IN ('completed', 'failed', 'canceled') AND finished_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("notifier_until")
        batch.drop_column("notifier_owner")
        batch.drop_column("receipts_done_at")
        batch.drop_column("chart_file_id")
        batch.drop_column("report_ts")
