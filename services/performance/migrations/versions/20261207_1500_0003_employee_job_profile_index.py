"""employee projection: index on job_profile_code, as in every service's projection

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 15:00:00

The employee projection's columns and indexes are the platform's
(talent_platform.employees); a job profile's update looks its holders up by it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_employee_projection_job_profile_code"),
        "employee_projection",
        ["job_profile_code"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_employee_projection_job_profile_code"), table_name="employee_projection")
