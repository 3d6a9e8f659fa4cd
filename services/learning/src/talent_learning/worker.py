"""`python -m talent_learning.worker`: the outbox relay, the consumer of people's and
succession's events, and the compliance sweep (a periodic job, every `sweep_interval_s`).

The worker consumes `talent.succession.v1` even before a succession service exists:
`run_worker` creates the topics it consumes when they are missing.
"""

import datetime as dt
import logging
import sys

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_learning.compliance.sweep import sweep
from talent_learning.config import LearningSettings
from talent_learning.consumers import registry
from talent_learning.db import messaging
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker

log = logging.getLogger(__name__)


def compliance_sweep(settings: LearningSettings) -> PeriodicJob:
    def run(session: Session) -> None:
        result = sweep(session, settings, today=dt.datetime.now(dt.UTC).date())
        log.info("sweep done", extra=result.__dict__)

    return PeriodicJob.in_transaction("compliance-sweep", settings.sweep_interval_s, run)


def main() -> int:
    settings = LearningSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        consumes=[service_topic("people"), service_topic("succession")],
        periodic=[compliance_sweep(settings)],
    )


if __name__ == "__main__":
    sys.exit(main())
