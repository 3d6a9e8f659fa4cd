from alembic import context

from talent_performance.config import PerformanceSettings
from talent_performance.models import Base
from talent_platform.db.migrations import run_migrations

run_migrations(context, Base.metadata, default_url=lambda: PerformanceSettings().database_url)
