"""a task's purpose is its template's: tasks made with a promotional template under another purpose become promotional

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Finished tasks too: the fatigue count reads past promotional sends by their task's purpose.
    op.get_bind().execute(sa.text(
        "UPDATE task SET purpose = 'promotional' WHERE purpose <> 'promotional' AND ("
        " template_id IN (SELECT id FROM template WHERE purpose = 'promotional')"
        " OR fallback_template_id IN (SELECT id FROM template WHERE purpose = 'promotional'))"))


def downgrade() -> None:
    # Which tasks were sent under the wrong purpose is not kept: they stay promotional.
    pass
