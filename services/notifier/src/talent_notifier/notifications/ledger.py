"""The worker's writes to the delivery ledger (synchronous sessions, as the consumer and
the periodic jobs run them): recording notifications, picking due email, marking sends.

Marking an email or webhook row SENT, or FAILED for good, also writes its
`notification.sent` / `notification.failed` event to the outbox, in the same transaction
(so the event is published exactly when the mark commits)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, String, Uuid, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from talent_contracts.notifier import FailureClass, NotificationFailed, NotificationSent
from talent_notifier.db import among, outbox
from talent_notifier.notifications.live import announce
from talent_notifier.notifications.models import Channel, Delivery, DeliveryStatus
from talent_notifier.notifications.recipients import Person
from talent_notifier.people.models import EmployeeProjection


def people_by_id(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Person]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            EmployeeProjection.employee_id,
            EmployeeProjection.status,
            EmployeeProjection.manager_id,
        ).where(among(EmployeeProjection.employee_id, ids))
    )
    return {row.employee_id: Person(row.employee_id, row.status, row.manager_id) for row in rows}


_COLUMNS = (
    ("id", Uuid()),
    ("source_event_id", Uuid()),
    ("recipient_id", Uuid()),
    ("channel", String()),
    ("kind", String()),
    ("audience", String()),
    ("subject_employee_id", Uuid()),
    ("status", String()),
    ("attempts", Integer()),
    ("sent_at", DateTime(timezone=True)),
    ("next_attempt_at", DateTime(timezone=True)),
    ("digest", String()),
)
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_RECORD = text(
    f"""
    INSERT INTO delivery ({_NAMES}, data)
    SELECT {", ".join(f"u.{name}" for name, _ in _COLUMNS)}, d.value
    FROM unnest({", ".join(f":{name}" for name, _ in _COLUMNS)}) WITH ORDINALITY
         AS u({_NAMES}, n)
    JOIN jsonb_array_elements(:data) WITH ORDINALITY AS d(value, n) USING (n)
    ON CONFLICT (source_event_id, recipient_id, channel) DO NOTHING
    RETURNING recipient_id, channel
    """
).bindparams(
    *(bindparam(name, type_=ARRAY(kind)) for name, kind in _COLUMNS),
    bindparam("data", type_=JSONB()),
)
"""One statement for any number of rows, compiled once: a column per array, every row's
data as one JSON array (a multi-row VALUES of a consumer batch's rows cost seconds in
SQLAlchemy's compiler, and a `jsonb[]` parameter an escaping pass per element)."""


def record(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert deliveries (every column of `_COLUMNS` and `data` per row); a (source
    event, recipient, channel) already recorded is left as it is. Returns how many were
    new. The recipients of new in-app rows are announced to the API's live subscriptions
    when the transaction commits (`live.py`)."""
    if not rows:
        return 0
    params: dict[str, Any] = {name: [row[name] for row in rows] for name, _ in _COLUMNS}
    params["data"] = [row["data"] for row in rows]
    new = session.execute(_RECORD, params).all()
    announce(session, {row.recipient_id for row in new if row.channel == Channel.IN_APP})
    return len(new)


@dataclass(frozen=True)
class DueEmail:
    delivery: Delivery
    recipient: EmployeeProjection | None
    about: EmployeeProjection | None


def due_email(session: Session, *, now: dt.datetime, limit: int) -> list[DueEmail]:
    """Pending email whose next attempt is due, oldest first, locked for this transaction
    (rows another replica's run holds are skipped), with the recipient and the employee the
    message is about as the projection knows them now."""
    deliveries = list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.channel == Channel.EMAIL,
                Delivery.next_attempt_at <= now,
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    ids = {d.recipient_id for d in deliveries} | {d.subject_employee_id for d in deliveries}
    people = (
        {
            p.employee_id: p
            for p in session.scalars(
                select(EmployeeProjection).where(among(EmployeeProjection.employee_id, ids))
            )
        }
        if ids
        else {}
    )
    return [
        DueEmail(d, people.get(d.recipient_id), people.get(d.subject_employee_id))
        for d in deliveries
    ]


OUTCOME_COLUMNS = (
    Delivery.id,
    Delivery.source_event_id,
    Delivery.kind,
    Delivery.channel,
    Delivery.recipient_id,
    Delivery.attempts,
)
"""What a `notification.sent` / `notification.failed` event says of its ledger row."""


OutcomeRow = Row[uuid.UUID, uuid.UUID, str, str, uuid.UUID, int]


def _outcome(row: OutcomeRow) -> dict[str, Any]:
    webhook = row.channel == Channel.WEBHOOK
    return {
        "delivery_id": row.id,
        "source_event_id": row.source_event_id,
        "kind": row.kind,
        "channel": row.channel,
        "recipient_employee_id": None if webhook else row.recipient_id,
        "webhook_id": row.recipient_id if webhook else None,
        "attempts": row.attempts,
    }


def mark_sent(session: Session, delivery_id: uuid.UUID, *, now: dt.datetime) -> None:
    """An email accepted or a webhook answered 2xx: SENT, with its `notification.sent`."""
    row = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            status=DeliveryStatus.SENT,
            sent_at=now,
            attempts=Delivery.attempts + 1,
            next_attempt_at=None,
            last_error=None,
            updated_at=now,
        )
        .returning(*OUTCOME_COLUMNS)
    ).one()
    if row.channel != Channel.IN_APP:
        outbox.add(session, NotificationSent(**_outcome(row)))
    # A digest: the held rows it carried are sent with it (its event stands for them).
    session.execute(
        update(Delivery)
        .where(
            Delivery.digest_delivery_id == delivery_id,
            Delivery.status == DeliveryStatus.DIGEST,
        )
        .values(status=DeliveryStatus.SENT, sent_at=now, updated_at=now)
    )


def retry_at(
    attempts: int, *, now: dt.datetime, max_attempts: int, base_s: float, max_s: float
) -> dt.datetime | None:
    """When to try a delivery again after `attempts` failed attempts (attempt n waits
    base_s * 2^(n-1), at most max_s); None once `max_attempts` are used up. Every channel's
    retry policy (email, webhooks)."""
    if attempts >= max_attempts:
        return None
    wait = min(base_s * 2 ** (attempts - 1), max_s)
    return now + dt.timedelta(seconds=wait)


def mark_attempt_failed(
    session: Session,
    delivery_id: uuid.UUID,
    *,
    error: str,
    error_class: FailureClass,
    retry_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """One more failed attempt: retried at `retry_at`, or FAILED when it is None (then
    with its `notification.failed`, which carries `error_class`, never `error`: an SMTP
    error can quote an address)."""
    row = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            status=DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED,
            attempts=Delivery.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error[:500],
            updated_at=now,
        )
        .returning(*OUTCOME_COLUMNS)
    ).one()
    if retry_at is None and row.channel != Channel.IN_APP:
        outbox.add(session, NotificationFailed(**_outcome(row), error_class=error_class))


def postpone(
    session: Session, delivery_id: uuid.UUID, *, until: dt.datetime, now: dt.datetime
) -> None:
    """Hold a pending email until `until` (the end of the recipient's quiet hours); not
    an attempt."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(next_attempt_at=until, updated_at=now)
    )
