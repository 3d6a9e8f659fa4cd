"""Shared set-up for benchmarks: a PostgreSQL server and throwaway databases."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

from talent_devtools.postgres import (
    LocalPostgres,
    create_database,
    drop_database,
    normalize_postgres_url,
)

ROOT = Path(__file__).parents[1]


@contextmanager
def postgres_admin_url() -> Iterator[str]:
    """TALENT_BENCH_DATABASE_URL (or TALENT_TEST_DATABASE_URL) if set, else a private server."""
    configured = os.environ.get("TALENT_BENCH_DATABASE_URL") or os.environ.get(
        "TALENT_TEST_DATABASE_URL"
    )
    if configured:
        yield normalize_postgres_url(configured)
        return
    base = Path(tempfile.mkdtemp(prefix="talent-bench-pg-"))
    server = LocalPostgres(base)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def migrated_database(admin_url: str, service: str, *, suffix: str = "") -> Iterator[str]:
    """A fresh database at `service`'s migration head (`suffix`: a second one of it)."""
    # The process id keeps two benchmarks on one server (two checkouts) apart.
    name = f"talent_bench_{service}{suffix}_{os.getpid()}"
    url = create_database(admin_url, name, drop_existing=True)
    config = Config(str(ROOT / "services" / service / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
    try:
        yield url
    finally:
        drop_database(admin_url, name)


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
