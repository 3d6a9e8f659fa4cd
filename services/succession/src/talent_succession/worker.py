"""`python -m talent_succession.worker`: the outbox relay, the consumer of people's,
performance's and learning's events, and the staleness sweep."""

from __future__ import annotations

import logging
import sys
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_platform.db import create_sync_engine
from talent_platform.worker import run_worker
from talent_succession.config import SuccessionSettings
from talent_succession.consumers import registry
from talent_succession.dates import today
from talent_succession.db import messaging
from talent_succession.staleness.service import sweep

log = logging.getLogger(__name__)

CONSUMES = [service_topic("people"), service_topic("performance"), service_topic("learning")]


def sweep_forever(engine: Engine, *, interval_s: float, stop: threading.Event) -> None:
    """Sweep for overdue reviews and uncovered key roles every `interval_s` seconds."""
    while not stop.is_set():
        try:
            with Session(engine) as session, session.begin():
                events = sweep(session, today=today())
            if events:
                log.info("staleness sweep", extra={"events": len(events)})
        except Exception:
            log.exception("staleness sweep failed; retrying at the next interval")
        stop.wait(interval_s)


def main() -> int:
    settings = SuccessionSettings()
    engine = create_sync_engine(settings.database_url)
    stop = threading.Event()
    sweeper = threading.Thread(
        target=sweep_forever,
        args=(engine,),
        kwargs={"interval_s": settings.staleness_sweep_interval_s, "stop": stop},
        name="staleness-sweep",
        daemon=True,
    )
    sweeper.start()
    try:
        return run_worker(settings, tables=messaging, registry=registry, consumes=CONSUMES)
    finally:
        stop.set()
        sweeper.join(timeout=10)
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
