"""digestbench: each employee's course recommendations (the digests' top development
action and an employee's new recommendations)

Revision ID: 0008_digestbench
Revises: 0007_announce
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_digestbench"
down_revision: str | None = "0007_announce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_recommendation",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("course_code", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_course_recommendation")),
    )
    op.create_index(
        op.f("ix_course_recommendation_employee_id"),
        "course_recommendation",
        ["employee_id"],
        unique=False,
    )
    op.create_index(
        "ix_course_recommendation_current",
        "course_recommendation",
        ["employee_id", "score"],
        unique=False,
        postgresql_where=sa.text("state = 'current'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_course_recommendation_current",
        table_name="course_recommendation",
        postgresql_where=sa.text("state = 'current'"),
    )
    op.drop_index(op.f("ix_course_recommendation_employee_id"), table_name="course_recommendation")
    op.drop_table("course_recommendation")
