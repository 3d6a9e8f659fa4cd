"""announce: review tasks, cycle phases, announcements, overdue enrollments

Revision ID: 0007_announce
Revises: 0006_hrnotices
Create Date: 2026-12-08 00:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_announce"
down_revision: str | None = "0006_hrnotices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("sender_scope", sa.ARRAY(sa.String(length=200)), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    op.create_index("ix_announcement_created", "announcement", ["created_at"], unique=False)
    op.create_index(
        "ix_announcement_due",
        "announcement",
        ["send_at"],
        unique=False,
        postgresql_where=sa.text("status = 'scheduled'"),
    )
    op.create_table(
        "overdue_enrollment",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("course_code", sa.String(length=100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_overdue_enrollment")),
    )
    op.create_index(
        "ix_overdue_enrollment_course", "overdue_enrollment", ["course_code"], unique=False
    )
    op.create_index(
        op.f("ix_overdue_enrollment_employee_id"),
        "overdue_enrollment",
        ["employee_id"],
        unique=False,
    )
    op.create_table(
        "review_cycle_state",
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_code", sa.String(length=100), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("cycle_id", name=op.f("pk_review_cycle_state")),
    )
    op.create_table(
        "review_task",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_code", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_task")),
    )
    op.create_index(
        "ix_review_task_cycle", "review_task", ["cycle_id", "kind", "status"], unique=False
    )
    op.create_index(
        op.f("ix_review_task_reviewer_id"), "review_task", ["reviewer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_task_reviewer_id"), table_name="review_task")
    op.drop_index("ix_review_task_cycle", table_name="review_task")
    op.drop_table("review_task")
    op.drop_table("review_cycle_state")
    op.drop_index(op.f("ix_overdue_enrollment_employee_id"), table_name="overdue_enrollment")
    op.drop_index("ix_overdue_enrollment_course", table_name="overdue_enrollment")
    op.drop_table("overdue_enrollment")
    op.drop_index(
        "ix_announcement_due",
        table_name="announcement",
        postgresql_where=sa.text("status = 'scheduled'"),
    )
    op.drop_index("ix_announcement_created", table_name="announcement")
    op.drop_table("announcement")
