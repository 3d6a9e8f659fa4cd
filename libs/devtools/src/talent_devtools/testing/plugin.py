"""Pytest plugin (entry point `talent`): real PostgreSQL and a real Kafka-compatible broker.

Servers start lazily, once per test session (so once per xdist worker), the first time a
test asks for them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from talent_devtools.broker import TansuBroker, create_topics
from talent_devtools.postgres import (
    LocalPostgres,
    create_database,
    drop_database,
    normalize_postgres_url,
)
from talent_devtools.testing.db import (
    ServiceDatabaseFactory,
    isolated_database_name,
    rollback_session,
    rollback_sync_session,
)
from talent_platform.db import async_url, sync_url

DATABASE_URL_VARIABLE = "TALENT_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """`TALENT_TEST_DATABASE_URL` if set, else a private server for this session."""
    configured = os.environ.get(DATABASE_URL_VARIABLE)
    if configured:
        yield normalize_postgres_url(configured)
        return
    # Not tmp_path_factory: its base directory is private (0700), and as root the server
    # runs as nobody, who must be able to reach its directory.
    base_dir = Path(tempfile.mkdtemp(prefix="talent-test-postgres-"))
    server = LocalPostgres(base_dir)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def service_database(postgres_admin_url: str) -> Iterator[ServiceDatabaseFactory]:
    """Factory `(service, alembic_ini) -> url` of a database migrated to head.

    Each service's database (`isolated_database_name(service)`) is rebuilt from scratch once
    per session and dropped at the end. Call it from a sync fixture or test.
    """
    urls: dict[str, str] = {}
    names: list[str] = []

    def build(service: str, alembic_ini: Path) -> str:
        if service not in urls:
            name = isolated_database_name(service)
            names.append(name)
            url = create_database(postgres_admin_url, name, drop_existing=True)
            _upgrade_to_head(alembic_ini, url)
            urls[service] = url
        return urls[service]

    yield build
    for name in names:
        drop_database(postgres_admin_url, name)


@pytest.fixture(scope="session")
def service_database_url() -> str:
    """The database the `engine`, `session`, `sync_engine` and `sync_session` fixtures use.
    A service's conftest overrides it: `return service_database("<name>", ALEMBIC_INI)`."""
    raise pytest.UsageError(
        "define a session-scoped `service_database_url` fixture in your conftest.py "
        "(e.g. `return service_database('learning', ALEMBIC_INI)`)"
    )


@pytest.fixture(scope="session")
async def _async_engines() -> AsyncIterator[dict[str, AsyncEngine]]:
    """One engine per database for the whole session (the `engine` fixture is per test,
    because each service's conftest names a different `service_database_url`)."""
    engines: dict[str, AsyncEngine] = {}
    yield engines
    for engine in engines.values():
        await engine.dispose()


@pytest.fixture(scope="session")
def _sync_engines() -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def engine(service_database_url: str, _async_engines: dict[str, AsyncEngine]) -> AsyncEngine:
    if service_database_url not in _async_engines:
        _async_engines[service_database_url] = create_async_engine(
            async_url(service_database_url), poolclass=NullPool
        )
    return _async_engines[service_database_url]


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session in a transaction rolled back at the end (`rollback_session`)."""
    async with rollback_session(engine) as session:
        yield session


@pytest.fixture
def sync_engine(service_database_url: str, _sync_engines: dict[str, Engine]) -> Engine:
    if service_database_url not in _sync_engines:
        _sync_engines[service_database_url] = create_engine(
            sync_url(service_database_url), poolclass=NullPool
        )
    return _sync_engines[service_database_url]


@pytest.fixture
def sync_session(sync_engine: Engine) -> Iterator[Session]:
    """A sync session (what consumer handlers get), rolled back at the end."""
    with rollback_sync_session(sync_engine) as session:
        yield session


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """The session's broker; a test that restarts a broker should start its own."""
    broker = TansuBroker(log_path=tmp_path_factory.mktemp("tansu") / "tansu.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: TansuBroker) -> str:
    return kafka_broker.bootstrap_servers


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest, kafka_bootstrap: str) -> str:
    """A new one-partition topic, `test.<test name>.<random>`."""
    test_name = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name).strip("_")[:200]
    topic = f"test.{test_name}.{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic])
    return topic


def _upgrade_to_head(alembic_ini: Path, url: str) -> None:
    config = Config(str(alembic_ini))
    # Alembic options go through ConfigParser interpolation: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    logging_state = _LoggingState()
    try:
        # A thread of its own, so an env.py that calls asyncio.run() works even when the
        # caller runs inside pytest-asyncio's event loop.
        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(command.upgrade, config, "head").result()
    finally:
        logging_state.restore()


class _LoggingState:
    """Undoes what an env.py's `fileConfig()` does to existing loggers.

    `fileConfig` disables every logger that already exists and replaces the root handlers,
    which would silently break later tests that assert on log records (caplog).
    """

    def __init__(self) -> None:
        root = logging.getLogger()
        self._root_level = root.level
        self._root_handlers = list(root.handlers)
        self._disabled = {
            name: logger.disabled
            for name, logger in logging.Logger.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        }

    def restore(self) -> None:
        root = logging.getLogger()
        root.setLevel(self._root_level)
        root.handlers[:] = self._root_handlers
        for name, disabled in self._disabled.items():
            logging.getLogger(name).disabled = disabled
