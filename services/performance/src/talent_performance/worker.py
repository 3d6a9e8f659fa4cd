"""`python -m talent_performance.worker`: the outbox relay, the people-event consumer and
the deadline sweep (review.due_soon / review.overdue; a periodic job, every
`deadline_sweep_seconds`)."""

import datetime as dt
import sys

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.deadlines import sweep_deadlines
from talent_performance.db import messaging
from talent_performance.people.consumers import registry
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker


def deadline_sweep(settings: PerformanceSettings) -> PeriodicJob:
    """Queue the deadline notices due today (each goes once)."""

    def run(session: Session) -> None:
        sweep_deadlines(
            session, today=dt.datetime.now(dt.UTC).date(), due_soon_days=settings.due_soon_days
        )

    return PeriodicJob.in_transaction("deadline-sweep", settings.deadline_sweep_seconds, run)


def main() -> int:
    settings = PerformanceSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        consumes=[service_topic("people")],
        periodic=[deadline_sweep(settings)],
    )


if __name__ == "__main__":
    sys.exit(main())
