from alembic import context

from talent_learning.config import LearningSettings
from talent_learning.models import Base
from talent_platform.db.migrations import run_migrations

run_migrations(context, Base.metadata, default_url=lambda: LearningSettings().database_url)
