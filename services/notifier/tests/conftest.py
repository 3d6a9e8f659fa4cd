"""Fixtures: the notifier database, built by `alembic upgrade head` through the `talent`
pytest plugin (which also provides `engine`, `session`, `sync_engine` and `sync_session`
on it), and a real SMTP server (MailDev) for the email tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from talent_devtools.mailcatcher import MailCatcher
from talent_devtools.testing import ServiceDatabaseFactory

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def service_database_url(service_database: ServiceDatabaseFactory) -> str:
    return service_database("notifier", ALEMBIC_INI)


@pytest.fixture(scope="session")
def _mail_catcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailCatcher]:
    directory = tmp_path_factory.mktemp("maildev")
    catcher = MailCatcher(mail_dir=directory / "mail", log_path=directory / "maildev.log")
    catcher.start()
    try:
        yield catcher
    finally:
        catcher.stop()


@pytest.fixture
def mail_catcher(_mail_catcher: MailCatcher) -> Iterator[MailCatcher]:
    """The session's MailDev, running and empty at the start of the test."""
    _mail_catcher.start()
    _mail_catcher.clear()
    yield _mail_catcher
