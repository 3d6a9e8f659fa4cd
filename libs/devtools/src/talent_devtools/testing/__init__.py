"""Test support; the fixtures live in `talent_devtools.testing.plugin` (pytest11 entry point)."""

from talent_devtools.testing.db import (
    ServiceDatabaseFactory,
    isolated_database_name,
    rollback_session,
)
from talent_devtools.testing.waiting import wait_for

__all__ = [
    "ServiceDatabaseFactory",
    "isolated_database_name",
    "rollback_session",
    "wait_for",
]
