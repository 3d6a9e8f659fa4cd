"""stale estimates: employees whose estimates wait for a recompute

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stale_estimate",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "marked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_stale_estimate")),
    )
    op.create_index(op.f("ix_stale_estimate_marked_at"), "stale_estimate", ["marked_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stale_estimate_marked_at"), table_name="stale_estimate")
    op.drop_table("stale_estimate")
