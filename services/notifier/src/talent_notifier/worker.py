"""`python -m talent_notifier.worker`: the outbox relay (`notification.sent` and
`notification.failed`), the consumer of people's, learning's, performance's, the
recommender's and succession's events (the projection and the notifications they make),
the email delivery job (a periodic job, every `email_delivery_interval_s`), the webhook
delivery job (`webhook_delivery_interval_s`, webhooks/delivery.py), the digest job
(`digest_interval_s`, digests/), the announcement job (`announcement_interval_s`,
announcements/) and the escalation job (`escalation_interval_s`, escalations/)."""

from __future__ import annotations

import datetime as dt
import logging
import sys

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from talent_contracts import service_topic
from talent_notifier.announcements.service import send_due
from talent_notifier.config import NotifierSettings
from talent_notifier.consumers import registry
from talent_notifier.db import messaging
from talent_notifier.digests.service import make_digests
from talent_notifier.escalations.service import escalate
from talent_notifier.notifications.email import deliver_email, drain
from talent_notifier.preferences.models import Frequency
from talent_notifier.webhooks.delivery import webhook_delivery
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker

log = logging.getLogger(__name__)

CONSUMES = [
    service_topic("people"),
    service_topic("learning"),
    service_topic("performance"),
    service_topic("recommender"),
    service_topic("succession"),
]


def email_delivery(settings: NotifierSettings) -> PeriodicJob:
    """Send due email (see notifications/email.py): batch after batch, each its own
    transaction, until a batch comes back short (or `email_max_batches_per_run`), so a
    burst drains without waiting an interval per batch. Not `in_transaction`: replicas
    may run it together, as `FOR UPDATE SKIP LOCKED` gives each its own rows."""

    def run(engine: Engine) -> None:
        total = drain(
            engine,
            lambda session: deliver_email(session, settings),
            batch_size=settings.email_batch_size,
            max_batches=settings.email_max_batches_per_run,
        )
        if total.handled:
            log.info("email delivery", extra=total.__dict__)

    return PeriodicJob("email-delivery", settings.email_delivery_interval_s, run)


def digests(settings: NotifierSettings) -> PeriodicJob:
    """Make the daily and weekly digests that are due (digests/service.py) as PENDING
    email rows, which the email delivery job sends. One replica at a time; a run is one
    transaction, and a period's digest is made once whoever runs it."""

    def work(session: Session) -> None:
        now = dt.datetime.now(dt.UTC)
        for frequency in (Frequency.DAILY, Frequency.WEEKLY):
            run = make_digests(session, frequency=frequency, now=now, hour=settings.digest_hour)
            if run.made:
                log.info("digests made", extra={"frequency": frequency.value, **run.__dict__})

    return PeriodicJob.in_transaction("digests", settings.digest_interval_s, work)


def announcements(settings: NotifierSettings) -> PeriodicJob:
    """Send the scheduled announcements whose `send_at` has come (announcements/): their
    recipients' ledger rows, which the email job sends. One transaction a run; an
    announcement is sent once whoever runs it (its row is locked and marked SENT)."""

    def work(session: Session) -> None:
        sent = send_due(session, now=dt.datetime.now(dt.UTC))
        if sent:
            log.info("announcements sent", extra={"announcements": sent})

    return PeriodicJob.in_transaction("announcements", settings.announcement_interval_s, work)


def escalations(settings: NotifierSettings) -> PeriodicJob:
    """Tell the manager of the manager of whoever is still behind a week after a course or
    review deadline (escalations/). One transaction a run, one replica at a time; each
    escalation is recorded once whoever runs it (its ledger key is derived)."""

    def work(session: Session) -> None:
        run = escalate(session, now=dt.datetime.now(dt.UTC))
        if run.courses or run.reviews:
            log.info("escalations", extra=run.__dict__)

    return PeriodicJob.in_transaction("escalations", settings.escalation_interval_s, work)


def main() -> int:
    settings = NotifierSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        consumes=CONSUMES,
        periodic=[
            email_delivery(settings),
            webhook_delivery(settings),
            digests(settings),
            announcements(settings),
            escalations(settings),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
