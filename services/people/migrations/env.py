from alembic import context

from talent_people.config import PeopleSettings
from talent_people.models import Base
from talent_platform.db.migrations import run_migrations

run_migrations(context, Base.metadata, default_url=lambda: PeopleSettings().database_url)
