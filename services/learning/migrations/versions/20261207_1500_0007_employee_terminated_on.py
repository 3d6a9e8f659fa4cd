"""employee projection: terminated_on, as in every service's projection

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 15:00:00

The employee projection's columns are the platform's (talent_platform.employees). Rows of
employees already terminated take the day from the history: the start of their last run
of terminated states.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("employee_projection", sa.Column("terminated_on", sa.Date(), nullable=True))
    op.execute(
        """
        UPDATE employee_projection AS p
        SET terminated_on = t.since
        FROM (
            SELECT h.employee_id, min(h.valid_from) AS since
            FROM employee_history AS h
            WHERE h.status = 'terminated'
              AND h.valid_from > coalesce(
                  (SELECT max(a.valid_from) FROM employee_history AS a
                   WHERE a.employee_id = h.employee_id AND a.status <> 'terminated'),
                  '-infinity'::date)
            GROUP BY h.employee_id
        ) AS t
        WHERE p.employee_id = t.employee_id AND p.status = 'terminated'
        """
    )


def downgrade() -> None:
    op.drop_column("employee_projection", "terminated_on")
