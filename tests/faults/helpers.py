from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from talent_devtools.postgres import LocalPostgres
from talent_platform.observability.metrics import sample_values
from talent_platform.worker import Worker

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
