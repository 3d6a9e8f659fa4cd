"""diversity attributes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "diversity_attribute",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("supplied_by", sa.String(length=200), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diversity_attribute")),
        sa.UniqueConstraint(
            "employee_id", "name", name=op.f("uq_diversity_attribute_employee_id_name")
        ),
    )
    op.create_index(
        op.f("ix_diversity_attribute_employee_id"),
        "diversity_attribute",
        ["employee_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_diversity_attribute_employee_id"), table_name="diversity_attribute")
    op.drop_table("diversity_attribute")
