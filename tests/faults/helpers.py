from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from talent_devtools.postgres import LocalPostgres
from talent_platform.db import sync_url
from talent_platform.observability.metrics import sample_values
from talent_platform.worker import Worker

from .conftest import applied

OUTAGE_S = 10.0
SCRAPE_TIMEOUT_S = 10


@dataclass
class RunningWorker:
    worker: Worker
    stop: threading.Event
    thread: threading.Thread

    def metrics(self) -> str:
        assert self.worker.endpoint is not None
        url = f"http://127.0.0.1:{self.worker.endpoint.port}/metrics"
        with urllib.request.urlopen(url, timeout=SCRAPE_TIMEOUT_S) as response:
            assert response.status == 200
            return str(response.read().decode())

    def total(self, name: str) -> float | None:
        values = [value for _, value in sample_values(self.metrics(), name)]
        return sum(values) if values else None


@contextmanager
def database_away(server: LocalPostgres) -> Iterator[None]:
    """The server stopped (fast shutdown: sessions are terminated) for the block, which
    must last the outage; started again on the same port however the block ends."""
    server.stop()
    try:
        yield
    finally:
        server.start()


def applied_counts(url: str) -> dict[str, int]:
    """How many times each widget was applied."""
    # Its own engine: the pooled connections of the consumer's die with the server.
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(applied.c.widget_id, func.count()).group_by(applied.c.widget_id)
            ).all()
    finally:
        engine.dispose()
    return {widget_id: count for widget_id, count in rows}
