"""employee history: validity intervals of learning's employee projection

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, leading attribute or None): partial indexes over the active rows, for the
# population valid on a day, whole org or narrowed by one attribute.
INDEXES = (
    ("ix_employee_history_active_valid", None),
    ("ix_employee_history_org_unit_valid", "org_unit_code"),
    ("ix_employee_history_location_valid", "location"),
    ("ix_employee_history_job_profile_valid", "job_profile_code"),
)


INCLUDE = ["valid_to", "employee_id", "hire_date"]


def upgrade() -> None:
    op.create_table(
        "employee_history",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("org_unit_code", sa.String(length=200), nullable=True),
        sa.Column("job_profile_code", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("employee_id", "valid_from", name=op.f("pk_employee_history")),
    )
    for name, column in INDEXES:
        if column is None:
            op.create_index(
                name,
                "employee_history",
                ["valid_from"],
                unique=False,
                postgresql_include=INCLUDE,
                postgresql_where=sa.text("status = 'active'"),
            )
        else:
            op.create_index(
                name,
                "employee_history",
                [column, "valid_from"],
                unique=False,
                postgresql_include=INCLUDE,
                postgresql_where=sa.text("status = 'active'"),
            )
    # One open interval per existing projection row, from the hire date (else the day of
    # the row's last event). It is recorded "at the beginning of time", so any people
    # event replayed later (`talent events replay`) overwrites it with what it knew.
    op.execute(
        """
        INSERT INTO employee_history (
            employee_id, valid_from, valid_to, status, manager_id, org_unit_code,
            job_profile_code, location, hire_date, recorded_at
        )
        SELECT employee_id, coalesce(hire_date, (updated_at AT TIME ZONE 'UTC')::date), NULL,
               status, manager_id, org_unit_code, job_profile_code, location, hire_date,
               TIMESTAMPTZ '0001-01-01 00:00:00+00'
        FROM employee_projection
        ON CONFLICT DO NOTHING
        """
    )


def downgrade() -> None:
    for name, _ in INDEXES:
        op.drop_index(name, table_name="employee_history")
    op.drop_table("employee_history")
