from alembic import context

from talent_notifier.config import NotifierSettings
from talent_notifier.models import Base
from talent_platform.db.migrations import run_migrations

run_migrations(context, Base.metadata, default_url=lambda: NotifierSettings().database_url)
