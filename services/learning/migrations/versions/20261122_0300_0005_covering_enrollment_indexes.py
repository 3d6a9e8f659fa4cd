"""covering enrollment indexes for reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_enrollment_employee_id_status", "employee_id"),
    ("ix_enrollment_course_id_status", "course_id"),
)


def upgrade() -> None:
    # Reports aggregate enrollments per employee (or course) from the index alone.
    for name, column in INDEXES:
        op.drop_index(name, table_name="enrollment")
        op.create_index(
            name, "enrollment", [column, "status"], unique=False, postgresql_include=["due_on"]
        )


def downgrade() -> None:
    for name, column in INDEXES:
        op.drop_index(name, table_name="enrollment")
        op.create_index(name, "enrollment", [column, "status"], unique=False)
