"""successor suggestions: key roles, potential, nominations, performance summary

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:57:47.333277
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_role",
        sa.Column("key_role_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("job_profile_code", sa.String(length=100), nullable=True),
        sa.Column("incumbent_id", sa.Uuid(), nullable=True),
        sa.Column("org_unit_code", sa.String(length=200), nullable=True),
        sa.Column("criticality", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_role_id", name=op.f("pk_key_role")),
    )
    op.create_table(
        "nomination",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("key_role_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("readiness", sa.String(length=30), nullable=True),
        sa.Column("readiness_on", sa.Date(), nullable=True),
        sa.Column("rank", sa.SmallInteger(), nullable=True),
        sa.Column("suggestion_id", sa.Uuid(), nullable=True),
        sa.Column("nominated_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("nomination_id", name=op.f("pk_nomination")),
    )
    op.create_index("ix_nomination_key_role_id", "nomination", ["key_role_id"], unique=False)
    op.create_table(
        "performance_summary",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("recent_mean", sa.Double(), nullable=False),
        sa.Column("ratings", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_performance_summary")),
    )
    op.create_table(
        "potential",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("potential", sa.String(length=10), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_potential")),
    )
    # Existing ratings: the mean of each employee's two most recent (the consumer keeps
    # it from now on).
    op.execute(
        "INSERT INTO performance_summary (employee_id, recent_mean, ratings)"
        " SELECT employee_id, avg(overall_rating), count(*) FROM ("
        "  SELECT employee_id, overall_rating, row_number() OVER ("
        "   PARTITION BY employee_id ORDER BY rated_on DESC, cycle_code DESC) AS n"
        "  FROM rating) recent"
        " WHERE n <= 2 GROUP BY employee_id"
    )
    # Built without blocking the consumer's writes to millions of estimates.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_skill_estimate_competency_code",
            "skill_estimate",
            ["competency_code"],
            unique=False,
            postgresql_include=["employee_id", "level"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    op.drop_index("ix_skill_estimate_competency_code", table_name="skill_estimate")
    op.drop_table("potential")
    op.drop_table("performance_summary")
    op.drop_index("ix_nomination_key_role_id", table_name="nomination")
    op.drop_table("nomination")
    op.drop_table("key_role")
