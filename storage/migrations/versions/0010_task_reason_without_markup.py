"""a canceled or stopped task names who ended it in decided_by, not as Slack markup in its reason

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ENDED_BY = re.compile(r"^(?:canceled|stopped) by <@([UW][A-Z0-9]+)>$")


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, reason FROM task WHERE reason LIKE 'canceled by <@%' OR reason LIKE 'stopped by <@%'")).all()
    for task_id, reason in rows:
        match = ENDED_BY.match(reason)
        if match:
            connection.execute(sa.text("UPDATE task SET decided_by = :user, reason = NULL WHERE id = :id"),
                               {"user": match.group(1), "id": task_id})


def downgrade() -> None:
    # The reasons are not written back: who ended a task stays in decided_by.
    pass
