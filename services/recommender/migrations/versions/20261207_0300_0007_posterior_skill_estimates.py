"""posterior skill estimates: evidence summary per estimate, model parameters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("skill_estimate", sa.Column("evidence_level", sa.Double(), nullable=True))
    op.add_column("skill_estimate", sa.Column("evidence_precision", sa.Double(), nullable=True))
    op.add_column(
        "skill_model",
        sa.Column("profile_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "skill_model",
        sa.Column("calibration", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("skill_model", sa.Column("parameters", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("skill_model", "parameters")
    op.drop_column("skill_model", "calibration")
    op.drop_column("skill_model", "profile_codes")
    op.drop_column("skill_estimate", "evidence_precision")
    op.drop_column("skill_estimate", "evidence_level")
