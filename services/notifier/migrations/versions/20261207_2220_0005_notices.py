"""notices: the participants of review cycles (who hears that a cycle was released)

Revision ID: 0005_notices
Revises: 0004_digests
Create Date: 2026-12-07 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_notices"
down_revision: str | None = "0004_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_participant",
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("cycle_id", "employee_id", name=op.f("pk_cycle_participant")),
    )


def downgrade() -> None:
    op.drop_table("cycle_participant")
