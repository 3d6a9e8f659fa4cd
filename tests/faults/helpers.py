from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from talent_devtools.postgres import LocalPostgres

OUTAGE_S = 10.0


@contextmanager
def database_away(server: LocalPostgres) -> Iterator[None]:
    """The server stopped (fast shutdown: sessions are terminated) for the block, which
    must last the outage; started again on the same port however the block ends."""
    server.stop()
    try:
        yield
    finally:
        server.start()
