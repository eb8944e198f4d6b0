"""a Slack file is imported once per person who shares it and channel it is shared in, not once
for everyone: a re-shared file is its sharer's own import

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_recipient_list_slack_file_id", table_name="recipient_list")
    op.create_index("ix_recipient_list_slack_file_id", "recipient_list", ["slack_file_id"])
    op.create_index("uq_recipient_list_file_sharer", "recipient_list", ["slack_file_id", "channel_id", "created_by"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("uq_recipient_list_file_sharer", table_name="recipient_list")
    op.drop_index("ix_recipient_list_slack_file_id", table_name="recipient_list")
    op.create_index("ix_recipient_list_slack_file_id", "recipient_list", ["slack_file_id"], unique=True)
