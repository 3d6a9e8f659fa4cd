"""webhooks: registered endpoints and due webhook deliveries (the audit log comes with 0002)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("org_unit_code", sa.String(length=200), nullable=True),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
    )
    op.create_index(
        "ix_webhook_active",
        "webhook",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_delivery_due_webhook",
        "delivery",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending' AND channel = 'webhook'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_delivery_due_webhook",
        table_name="delivery",
        postgresql_where=sa.text("status = 'pending' AND channel = 'webhook'"),
    )
    op.drop_index(
        "ix_webhook_active", table_name="webhook", postgresql_where=sa.text("deleted_at IS NULL")
    )
    op.drop_table("webhook")
