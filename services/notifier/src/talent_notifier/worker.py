"""`python -m talent_notifier.worker`: the outbox relay, the consumer of people's and
learning's events (the projection and the notifications they make), and the email
delivery job (a periodic job, every `email_delivery_interval_s`)."""

from __future__ import annotations

import logging
import sys

from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_notifier.config import NotifierSettings
from talent_notifier.consumers import registry
from talent_notifier.db import messaging
from talent_notifier.notifications.email import deliver_email
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker

log = logging.getLogger(__name__)

CONSUMES = [service_topic("people"), service_topic("learning")]


def email_delivery(settings: NotifierSettings) -> PeriodicJob:
    """Send due email (see notifications/email.py)."""

    def run(session: Session) -> None:
        result = deliver_email(session, settings)
        if result.sent or result.retried or result.failed:
            log.info("email delivery", extra=result.__dict__)

    return PeriodicJob.in_transaction("email-delivery", settings.email_delivery_interval_s, run)


def main() -> int:
    settings = NotifierSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        consumes=CONSUMES,
        periodic=[email_delivery(settings)],
    )


if __name__ == "__main__":
    sys.exit(main())
