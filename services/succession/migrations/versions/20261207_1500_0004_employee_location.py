"""employee projection: location and an index on job_profile_code, as in every service

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:00:00

The employee projection's columns and indexes are the platform's
(talent_platform.employees). Existing rows get their location from the employee's next
event, or at once from a replay of people's events (`talent events replay`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "employee_projection", sa.Column("location", sa.String(length=200), nullable=True)
    )
    op.create_index(
        op.f("ix_employee_projection_job_profile_code"),
        "employee_projection",
        ["job_profile_code"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_employee_projection_job_profile_code"), table_name="employee_projection")
    op.drop_column("employee_projection", "location")
