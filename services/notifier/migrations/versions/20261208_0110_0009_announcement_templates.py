"""announcement templates: a subject and text HR saves under a code to send again

Revision ID: 0009_announcement_templates
Revises: 0008_digestbench
Create Date: 2026-12-08 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_announcement_templates"
down_revision: str | None = "0008_digestbench"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_template",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_announcement_template")),
    )


def downgrade() -> None:
    op.drop_table("announcement_template")
