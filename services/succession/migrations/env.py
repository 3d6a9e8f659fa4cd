from alembic import context

from talent_platform.db.migrations import run_migrations
from talent_succession.config import SuccessionSettings
from talent_succession.models import Base

run_migrations(context, Base.metadata, default_url=lambda: SuccessionSettings().database_url)
