"""`python -m talent_performance.worker`: the outbox relay, the people-event consumer and
the deadline sweep (review.due_soon / review.overdue)."""

import datetime as dt
import logging
import sys
import threading

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.deadlines import sweep_deadlines
from talent_performance.db import messaging
from talent_performance.people.consumers import registry
from talent_platform.db.session import create_sync_engine
from talent_platform.worker import run_worker

log = logging.getLogger(__name__)


def sweep_forever(settings: PerformanceSettings, stop: threading.Event) -> None:
    """Every `deadline_sweep_seconds`, queue the deadline notices due (each goes once)."""
    engine = create_sync_engine(settings.database_url)
    try:
        while not stop.wait(settings.deadline_sweep_seconds):
            try:
                with Session(engine) as session, session.begin():
                    sweep_deadlines(
                        session,
                        today=dt.datetime.now(dt.UTC).date(),
                        due_soon_days=settings.due_soon_days,
                    )
            except Exception:
                log.exception("deadline sweep failed; retrying at the next interval")
    finally:
        engine.dispose()


def main() -> int:
    settings = PerformanceSettings()
    stop = threading.Event()
    threading.Thread(
        target=sweep_forever, args=(settings, stop), name="deadline-sweep", daemon=True
    ).start()
    try:
        return run_worker(
            settings, tables=messaging, registry=registry, consumes=[service_topic("people")]
        )
    finally:
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
