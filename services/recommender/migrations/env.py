from alembic import context

from talent_platform.db.migrations import run_migrations
from talent_recommender.config import RecommenderSettings
from talent_recommender.models import Base

run_migrations(context, Base.metadata, default_url=lambda: RecommenderSettings().database_url)
