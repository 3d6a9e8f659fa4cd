"""Test support; the fixtures live in `talent_platform.testing.plugin` (pytest11 entry point)."""

from talent_platform.testing.db import ServiceDatabaseFactory, rollback_session

__all__ = ["ServiceDatabaseFactory", "rollback_session"]
