from __future__ import annotations

import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.pool import NullPool

from talent_devtools.postgres import (
    LocalPostgres,
    LocalPostgresError,
    create_database,
    database_exists,
    drop_database,
    normalize_postgres_url,
)

running_as_root = os.geteuid() == 0


@pytest.fixture
def state_dir() -> Iterator[Path]:
    # Not tmp_path: as root the server runs as nobody, who cannot enter pytest's 0700 base.
    directory = Path(tempfile.mkdtemp(prefix="talent-infra-test-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalPostgres]:
    directory = Path(tempfile.mkdtemp(prefix="talent-infra-test-"))
    try:
        with LocalPostgres(directory) as running:
            yield running
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def scalar(url: str, query: str) -> object:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar()
    finally:
        engine.dispose()


def test_starts_in_a_new_directory_serves_connections_and_stops(state_dir: Path) -> None:
    postgres = LocalPostgres(state_dir / "pg")

    postgres.start()
    try:
        assert postgres.is_running()
        assert postgres.url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/postgres"
        assert scalar(postgres.url, "SELECT current_user") == "postgres"
        assert str(scalar(postgres.url, "SHOW server_version")).startswith("18.")
        # Case-insensitive search works on accented names, as on C.UTF-8 clusters.
        assert scalar(postgres.url, "SELECT 'Émilie' ILIKE 'émi%'") is True
        if running_as_root:
            assert postgres.data_dir.stat().st_uid == pwd.getpwnam("nobody").pw_uid
    finally:
        postgres.stop()

    assert not postgres.is_running()
    with pytest.raises(OperationalError):
        scalar(postgres.url, "SELECT 1")


def test_start_reuses_a_running_server_and_an_initialised_directory(state_dir: Path) -> None:
    first = LocalPostgres(state_dir / "pg")
    first.start()
    try:
        create_database(first.url, "kept")
        first.start()  # already running: nothing happens

        second = LocalPostgres(state_dir / "pg")
        second.start()
        assert second.port == first.port

        with pytest.raises(LocalPostgresError, match="already served"):
            LocalPostgres(state_dir / "pg", port=first.port + 1).start()
    finally:
        first.stop()
    first.stop()  # already stopped: nothing happens

    restarted = LocalPostgres(state_dir / "pg")
    with restarted:
        assert database_exists(restarted.url, "kept")


@pytest.mark.skipif(not running_as_root, reason="the server runs as nobody only for root")
def test_as_root_refuses_a_directory_nobody_cannot_reach_outside_the_project(
    state_dir: Path,
) -> None:
    project = state_dir / "project"
    private = project / "private"
    private.mkdir(parents=True)
    private.chmod(0o700)

    with pytest.raises(LocalPostgresError, match="cannot traverse"):
        LocalPostgres(private / ".talent" / "postgres").start()

    with LocalPostgres(private / ".talent" / "postgres", project_dir=project) as postgres:
        assert scalar(postgres.url, "SELECT 1") == 1
    assert stat.S_IMODE(private.stat().st_mode) == 0o701


def test_create_database_returns_its_url_and_quotes_the_name(server: LocalPostgres) -> None:
    url = create_database(server.url, "Talent-Quoted")
    try:
        assert url.endswith(f":{server.port}/Talent-Quoted")
        assert scalar(url, "SELECT current_database()") == "Talent-Quoted"
        assert database_exists(server.url, "Talent-Quoted")
        assert not database_exists(server.url, "talent-quoted")
    finally:
        drop_database(server.url, "Talent-Quoted")
    assert not database_exists(server.url, "Talent-Quoted")


def test_create_database_replaces_an_existing_one_only_when_asked(server: LocalPostgres) -> None:
    url = create_database(server.url, "replaced")
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marker (id int)"))
    engine.dispose()

    with pytest.raises(ProgrammingError, match="already exists"):
        create_database(server.url, "replaced")

    create_database(server.url, "replaced", drop_existing=True)
    assert scalar(url, "SELECT to_regclass('marker')") is None
    drop_database(server.url, "replaced")


def test_drop_database_ends_open_connections_and_ignores_missing(server: LocalPostgres) -> None:
    url = create_database(server.url, "busy")
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))

        drop_database(server.url, "busy")

        assert not database_exists(server.url, "busy")
        with pytest.raises(OperationalError):
            connection.execute(text("SELECT 1"))
    engine.dispose()
    drop_database(server.url, "busy")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        ),
        ("postgres://u:p%40ss@db/x", "postgresql+psycopg://u:p%40ss@db/x"),
        ("postgresql+psycopg://postgres@h/x", "postgresql+psycopg://postgres@h/x"),
    ],
)
def test_normalize_postgres_url_selects_psycopg(given: str, expected: str) -> None:
    assert normalize_postgres_url(given) == expected
