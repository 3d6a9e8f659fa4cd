"""job history by job profile: career paths read the histories of everyone who held one

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_job_history_job_profile_code"), "job_history", ["job_profile_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_job_history_job_profile_code"), table_name="job_history")
