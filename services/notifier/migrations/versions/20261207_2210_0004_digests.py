"""digests: which digest a held email row went in

Revision ID: 0004_digests
Revises: 0003
Create Date: 2026-12-07 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_digests"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("delivery", sa.Column("digest_delivery_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_delivery_digest_delivery_id"), "delivery", ["digest_delivery_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_digest_delivery_id"), table_name="delivery")
    op.drop_column("delivery", "digest_delivery_id")
