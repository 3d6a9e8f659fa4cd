"""`python -m talent_succession.worker`: the outbox relay, the consumer of people's,
performance's and learning's events, and the staleness sweep (a periodic job, every
`staleness_sweep_interval_s`)."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker
from talent_succession.config import SuccessionSettings
from talent_succession.consumers import registry
from talent_succession.dates import today
from talent_succession.db import messaging
from talent_succession.staleness.service import sweep

log = logging.getLogger(__name__)

CONSUMES = [service_topic("people"), service_topic("performance"), service_topic("learning")]


def staleness_sweep(settings: SuccessionSettings) -> PeriodicJob:
    """Flag overdue reviews and uncovered key roles."""

    def run(session: Session) -> None:
        events = sweep(session, today=today())
        if events:
            log.info("staleness sweep", extra={"events": len(events)})

    return PeriodicJob.in_transaction("staleness-sweep", settings.staleness_sweep_interval_s, run)


def main() -> int:
    settings = SuccessionSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        consumes=CONSUMES,
        periodic=[staleness_sweep(settings)],
    )


if __name__ == "__main__":
    sys.exit(main())
