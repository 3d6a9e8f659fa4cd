"""hrnotices: succession-notice recipients, and what the notifier keeps of succession
(key roles, ready-now nominations, stale records, successor suggestions)

Revision ID: 0006_hrnotices
Revises: 0005_notices
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_hrnotices"
down_revision: str | None = "0005_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "succession_recipient",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_code", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_succession_recipient")),
    )
    op.create_index(
        "uq_succession_recipient_active",
        "succession_recipient",
        ["employee_id"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_table(
        "key_role_summary",
        sa.Column("key_role_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("criticality", sa.String(length=20), nullable=False),
        sa.Column("uncovered_on", sa.Date(), nullable=True),
        sa.Column("successors", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("key_role_id", name=op.f("pk_key_role_summary")),
    )
    op.create_table(
        "ready_successor",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("key_role_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("nomination_id", name=op.f("pk_ready_successor")),
    )
    op.create_index("ix_ready_successor_key_role", "ready_successor", ["key_role_id"])
    op.create_table(
        "stale_record",
        sa.Column("record_kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "record_kind", "record_id", "review_by", name=op.f("pk_stale_record")
        ),
    )
    op.create_index("ix_stale_record_employee", "stale_record", ["employee_id"])
    op.create_table(
        "successor_suggestion",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("key_role_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_successor_suggestion")),
    )
    op.create_index(
        "ix_successor_suggestion_received",
        "successor_suggestion",
        ["key_role_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_table("successor_suggestion")
    op.drop_table("stale_record")
    op.drop_table("ready_successor")
    op.drop_table("key_role_summary")
    op.drop_index("uq_succession_recipient_active", table_name="succession_recipient")
    op.drop_table("succession_recipient")
