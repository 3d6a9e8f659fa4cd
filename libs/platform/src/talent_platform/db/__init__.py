from talent_platform.db.base import NAMING_CONVENTION, Entity, new_metadata, utcnow
from talent_platform.db.repository import Repository
from talent_platform.db.session import (
    Database,
    async_url,
    create_async_database,
    create_sync_engine,
    sync_url,
)

__all__ = [
    "NAMING_CONVENTION",
    "Database",
    "Entity",
    "Repository",
    "async_url",
    "create_async_database",
    "create_sync_engine",
    "new_metadata",
    "sync_url",
    "utcnow",
]
