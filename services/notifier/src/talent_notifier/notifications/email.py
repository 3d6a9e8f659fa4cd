"""The worker's email delivery job: send PENDING email rows over SMTP.

Never inside the consumer's transaction: the consumer only records rows, and this job
(a periodic job of the worker, `email_delivery_interval_s`) picks the due ones with
`FOR UPDATE SKIP LOCKED` (replicas share the work), sends them on one SMTP connection
and marks each SENT. An email due during the recipient's quiet hours waits, without
counting an attempt, until they end (`next_attempt_at`). A failed attempt counts and
waits (`ledger.retry_at`: exponential backoff); after `email_max_attempts` the row is FAILED,
which admins see with its last error. When the SMTP server is down the rows stay PENDING
and go out once it is back.

A run is one transaction: a row is marked SENT after the server accepted it, and the
marks commit at the end of the run. If that commit were lost (the database gone between
the send and the commit) the run's messages would be sent again; each carries its ledger
row's id as Message-ID so such a duplicate is recognisable.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from talent_contracts.notifier import FailureClass
from talent_notifier.config import NotifierSettings
from talent_notifier.digests.messages import render_digest
from talent_notifier.notifications import ledger
from talent_notifier.notifications.messages import DIGEST_KINDS, email_message, render
from talent_notifier.notifications.models import Audience, Delivery, NotificationKind
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.preferences.settings import quiet_windows

log = logging.getLogger(__name__)


def unknown_name(delivery: Delivery) -> str:
    """Who a message is about when the projection does not know them (yet)."""
    return "an employee" if delivery.audience == Audience.HR else "your report"


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def __enter__(self) -> Mailer: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class SmtpMailer:
    """One SMTP connection: STARTTLS and login when configured."""

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        s = self.settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage) -> None:
        assert self._smtp is not None, "use SmtpMailer as a context manager"
        self._smtp.send_message(message)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None


def describe(exc: BaseException) -> str:
    """An attempt's error for the ledger (shown to admins only)."""
    return f"{type(exc).__name__}: {exc}"[:500]


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0
    """Held back until the recipient's quiet hours end."""

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.postponed

    def add(self, other: DeliveryRun) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.postponed += other.postponed


def drain(
    engine: Engine,
    deliver: Callable[[Session], DeliveryRun],
    *,
    batch_size: int,
    max_batches: int,
) -> DeliveryRun:
    """A delivery job's run, for every channel: batch after batch, each its own
    transaction, until a batch comes back short (or `max_batches`), so a burst drains
    without waiting an interval per batch."""
    total = DeliveryRun()
    for _ in range(max_batches):
        with Session(engine) as session, session.begin():
            batch = deliver(session)
        total.add(batch)
        if batch.handled < batch_size:
            break
    return total


def connection_lost(exc: OSError) -> bool:
    """Whether a send failure means the connection is gone (the rest of the batch waits
    too), rather than this one message being refused. SMTPException is an OSError."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return not isinstance(exc, smtplib.SMTPException)


def deliver_email(
    session: Session,
    settings: NotifierSettings,
    *,
    mailer: Callable[[], Mailer] | None = None,
    now: dt.datetime | None = None,
) -> DeliveryRun:
    now = now or dt.datetime.now(dt.UTC)
    run = DeliveryRun()
    due = ledger.due_email(session, now=now, limit=settings.email_batch_size)
    if not due:
        return run

    quiet = quiet_windows(session, {item.delivery.recipient_id for item in due})

    def failed(item: ledger.DueEmail, error: str, error_class: FailureClass) -> None:
        when = ledger.retry_at(
            item.delivery.attempts + 1,
            now=now,
            max_attempts=settings.email_max_attempts,
            base_s=settings.email_retry_base_s,
            max_s=settings.email_retry_max_s,
        )
        ledger.mark_attempt_failed(
            session,
            item.delivery.id,
            error=error,
            error_class=error_class,
            retry_at=when,
            now=now,
        )
        if when is None:
            run.failed += 1
        else:
            run.retried += 1

    sendable: list[tuple[ledger.DueEmail, EmailMessage]] = []
    for item in due:
        delivery, recipient = item.delivery, item.recipient
        if recipient is None:
            failed(item, "the recipient is not known to the notifier yet", "recipient_unknown")
            continue
        if recipient.status == TERMINATED:
            # Terminated since the notification was made: nothing more to send.
            ledger.mark_attempt_failed(
                session,
                delivery.id,
                error="the recipient is no longer employed",
                error_class="recipient_terminated",
                retry_at=None,
                now=now,
            )
            run.failed += 1
            continue
        window = quiet.get(delivery.recipient_id)
        until = window.until(now) if window is not None else None
        if until is not None:
            ledger.postpone(session, delivery.id, until=until, now=now)
            run.postponed += 1
            continue
        kind = NotificationKind(delivery.kind)
        if kind in DIGEST_KINDS:
            rendered = render_digest(
                kind,
                delivery.data,
                recipient_name=recipient.name,
                preferences_url=settings.preferences_url,
            )
        else:
            rendered = render(
                kind,
                delivery.data,
                audience=Audience(delivery.audience),
                recipient_name=recipient.name,
                about_name=item.about.name if item.about is not None else unknown_name(delivery),
                preferences_url=settings.preferences_url,
            )
        sendable.append(
            (
                item,
                email_message(
                    rendered,
                    delivery_id=delivery.id,
                    to_name=recipient.name,
                    to_address=recipient.email,
                    mail_from=settings.mail_from,
                    preferences_url=settings.preferences_url,
                    unsubscribe_mailto=settings.unsubscribe_mailto,
                ),
            )
        )
    if not sendable:
        return run

    connect = mailer or (lambda: SmtpMailer(settings))
    remaining = list(sendable)
    try:
        with connect() as smtp:
            while remaining:
                item, message = remaining[0]
                try:
                    smtp.send(message)
                except OSError as exc:
                    if connection_lost(exc):
                        raise
                    # This message was refused (a bad address, say): the others go on.
                    failed(item, describe(exc), "smtp_refused")
                else:
                    ledger.mark_sent(session, item.delivery.id, now=now)
                    run.sent += 1
                remaining.pop(0)
    except OSError as exc:
        log.warning(
            "SMTP unavailable; email waits for a retry",
            extra={"error": describe(exc), "waiting": len(remaining)},
        )
        for item, _ in remaining:
            failed(item, describe(exc), "smtp_unavailable")
    return run
