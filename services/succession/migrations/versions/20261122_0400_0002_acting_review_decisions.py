"""review decisions record what they carried out

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("review_decision", sa.Column("readiness", sa.String(length=30), nullable=True))
    op.add_column("review_decision", sa.Column("nomination_id", sa.Uuid(), nullable=True))
    op.add_column("review_decision", sa.Column("designation_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("review_decision", "designation_id")
    op.drop_column("review_decision", "nomination_id")
    op.drop_column("review_decision", "readiness")
