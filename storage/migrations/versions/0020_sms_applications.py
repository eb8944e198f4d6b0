"""SMS applications: sending profiles a send's numbers are routed to, and the signatures and
templates registered for each (a template's provider code moves to its registration)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

DEFAULT_ID = 1


def upgrade() -> None:
    applications = op.create_table(
        "sms_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("name_key", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=True),
        sa.Column("numbers", sa.String(length=16), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=True),
        sa.Column("price_per_segment", sa.String(length=16), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_application_name_key", "sms_application", ["name_key"], unique=True)
    op.create_table(
        "content_registration",
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("content_id", sa.Integer(), primary_key=True),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("sms_application.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("provider_code", sa.String(length=40), nullable=True),
    )
    # The deployment as it was: one application, through SMSBOT_PROVIDER, taking every number,
    # with every signature and template registered for it.
    op.bulk_insert(applications, [{"id": DEFAULT_ID, "name": "default", "name_key": "default", "provider": None,
                                   "numbers": "any", "sender": None, "price_per_segment": None,
                                   "is_default": True, "created_by": "smsbot",
                                   "created_at": datetime.now(timezone.utc)}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('sms_application_id_seq', (SELECT max(id) FROM sms_application))")
    op.execute(f"INSERT INTO content_registration (kind, content_id, application_id, provider_code) "
               f"SELECT 'signature', id, {DEFAULT_ID}, NULL FROM signature")
    op.execute(f"INSERT INTO content_registration (kind, content_id, application_id, provider_code) "
               f"SELECT 'template', id, {DEFAULT_ID}, provider_code FROM template")
    with op.batch_alter_table("template") as batch:
        batch.drop_column("provider_code")
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("split", sa.JSON(), nullable=True))
    with op.batch_alter_table("task_recipient") as batch:
        batch.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_task_recipient_application", "sms_application", ["application_id"], ["id"])
    op.execute(f"UPDATE task_recipient SET application_id = {DEFAULT_ID}")


def downgrade() -> None:
    with op.batch_alter_table("task_recipient") as batch:
        batch.drop_constraint("fk_task_recipient_application", type_="foreignkey")
        batch.drop_column("application_id")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("split")
    with op.batch_alter_table("template") as batch:
        batch.add_column(sa.Column("provider_code", sa.String(length=40), nullable=True))
    op.execute(f"UPDATE template SET provider_code = (SELECT provider_code FROM content_registration r "
               f"WHERE r.kind = 'template' AND r.content_id = template.id AND r.application_id = {DEFAULT_ID})")
    op.drop_table("content_registration")
    op.drop_index("ix_sms_application_name_key", table_name="sms_application")
    op.drop_table("sms_application")
