"""Fixtures: the notifier database, built by `alembic upgrade head` through the `talent`
pytest plugin (which also provides `engine`, `session`, `sync_engine` and `sync_session`
on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talent_devtools.testing import ServiceDatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def service_database_url(service_database: ServiceDatabaseFactory) -> str:
    return service_database("notifier", ALEMBIC_INI)

