"""Making digests, on a sync Session (the worker's periodic job and the admin mutation,
through `run_sync`, call the same function with an explicit `now`).

A digest is one email row in the delivery ledger (kind DIGEST or MANAGER_DIGEST, status
PENDING), sent by the email delivery job like any email (quiet hours, retries, nothing
lost while SMTP is down). Its `source_event_id` is the digest id, derived from (kind,
frequency, recipient, period), so the ledger's unique key makes a second run for the
same period create nothing: a period's digest is made and sent once.

Periods are local to the recipient: their quiet hours' time zone, else UTC. A daily
period starts each day at `digest_hour`, a weekly one each Monday at `digest_hour`. A
run makes, for each period that has started, the digest of the held rows recorded
before that start; a row held later waits for the next period.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from talent_notifier.digests.messages import digest_subject, manager_digest_subject
from talent_notifier.notifications import ledger
from talent_notifier.notifications.models import (
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationKind,
)
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.preferences.models import Category, Frequency
from talent_notifier.preferences.settings import quiet_windows, settings_of
from talent_notifier.succession.digest import succession_digest
from talent_notifier.succession.recipients import active_recipients

DIGEST_NAMESPACE = uuid.UUID("6f3d2a64-3c1e-4a51-9d0e-2b7f0c5a9e11")
"""Digest ids are uuid5 names in this namespace: the same period, the same id."""

MANAGER_KINDS = (NotificationKind.ENROLLMENT_OVERDUE, NotificationKind.ENROLLMENT_DUE_SOON)
"""What a manager's digest lists about each report."""


NOTICE_FIELDS = ("course_code", "due_on", "valid_until", "reason")
ITEM_FIELDS = (
    *NOTICE_FIELDS,
    # Succession notices held for a digest (their titles name the role or the record).
    "key_role_code",
    "criticality",
    "successors",
    "record_kind",
    "review_by",
)
"""What a held notice's line in a digest is made from."""

AUDIENCE_OF_DIGEST = {
    NotificationKind.DIGEST: Audience.EMPLOYEE,
    NotificationKind.MANAGER_DIGEST: Audience.MANAGER,
    NotificationKind.SUCCESSION_DIGEST: Audience.HR,
}


@dataclass
class DigestRun:
    made: int = 0
    """Digest emails recorded (PENDING) by this run."""
    manager_digests: int = 0
    """Of those, managers' digests."""
    succession_digests: int = 0
    """Of those, succession recipients' digests."""


def period_start(
    now: dt.datetime, *, frequency: Frequency, time_zone: str | None, hour: int
) -> dt.datetime:
    """The start of the latest period that has begun at `now`, in the recipient's zone."""
    zone = ZoneInfo(time_zone) if time_zone else dt.UTC
    local = now.astimezone(zone)
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if frequency is Frequency.WEEKLY:
        start -= dt.timedelta(days=local.weekday())
    if start > local:
        start -= dt.timedelta(days=7 if frequency is Frequency.WEEKLY else 1)
    return start


def digest_id(
    kind: NotificationKind, frequency: Frequency, recipient_id: uuid.UUID, start: dt.datetime
) -> uuid.UUID:
    return uuid.uuid5(
        DIGEST_NAMESPACE, f"{kind.value}:{frequency.value}:{recipient_id}:{start.date()}"
    )


def _zones(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {employee: window.time_zone for employee, window in quiet_windows(session, ids).items()}


def _people(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, EmployeeProjection]:
    if not ids:
        return {}
    return {
        p.employee_id: p
        for p in session.scalars(
            select(EmployeeProjection).where(EmployeeProjection.employee_id.in_(list(ids)))
        )
    }


def _item(row: Delivery, people: dict[uuid.UUID, EmployeeProjection]) -> dict[str, Any]:
    about = people.get(row.subject_employee_id)
    return {
        "kind": row.kind,
        "audience": row.audience,
        "about_name": about.name if about is not None else "your report",
        **{k: row.data.get(k) for k in ITEM_FIELDS if k in row.data or k in NOTICE_FIELDS},
    }


def _record_digest(
    session: Session,
    *,
    kind: NotificationKind,
    frequency: Frequency,
    recipient_id: uuid.UUID,
    start: dt.datetime,
    data: dict[str, Any],
    now: dt.datetime,
) -> uuid.UUID | None:
    """The digest's ledger row, PENDING for the email job; None when this period's digest
    was already made."""
    made = ledger.record(
        session,
        [
            {
                "source_event_id": digest_id(kind, frequency, recipient_id, start),
                "recipient_id": recipient_id,
                "channel": Channel.EMAIL,
                "kind": kind,
                "audience": AUDIENCE_OF_DIGEST[kind],
                "subject_employee_id": recipient_id,
                "data": {**data, "frequency": frequency.value, "period": str(start.date())},
                "status": DeliveryStatus.PENDING,
                "next_attempt_at": now,
                "digest": frequency.value,
            }
        ],
    )
    if not made:
        return None
    return session.scalar(
        select(Delivery.id).where(
            Delivery.source_event_id == digest_id(kind, frequency, recipient_id, start),
            Delivery.recipient_id == recipient_id,
            Delivery.channel == Channel.EMAIL,
        )
    )


def held_digests(session: Session, *, frequency: Frequency, now: dt.datetime, hour: int) -> int:
    """One digest per person whose held email rows of `frequency` are due (see the module
    docstring); returns how many were made. A terminated person's held rows are FAILED."""
    held = list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.status == DeliveryStatus.DIGEST,
                Delivery.channel == Channel.EMAIL,
                Delivery.digest == frequency.value,
                Delivery.digest_delivery_id.is_(None),
            )
            .order_by(Delivery.created_at, Delivery.id)
            .with_for_update(skip_locked=True)
        )
    )
    by_recipient: dict[uuid.UUID, list[Delivery]] = defaultdict(list)
    for row in held:
        by_recipient[row.recipient_id].append(row)
    people = _people(session, set(by_recipient) | {row.subject_employee_id for row in held})
    zones = _zones(session, by_recipient)
    made = 0
    for recipient_id, rows in by_recipient.items():
        recipient = people.get(recipient_id)
        if recipient is None:
            continue  # not known yet: the rows wait
        if recipient.status == TERMINATED:
            for row in rows:
                ledger.mark_attempt_failed(
                    session,
                    row.id,
                    error="the recipient is no longer employed",
                    error_class="recipient_terminated",
                    retry_at=None,
                    now=now,
                )
            continue
        start = period_start(now, frequency=frequency, time_zone=zones.get(recipient_id), hour=hour)
        due = [row for row in rows if row.created_at < start]
        if not due:
            continue
        digest = _record_digest(
            session,
            kind=NotificationKind.DIGEST,
            frequency=frequency,
            recipient_id=recipient_id,
            start=start,
            data={
                "subject": digest_subject(frequency, count=len(due)),
                "items": [_item(row, people) for row in due],
            },
            now=now,
        )
        if digest is None:
            continue  # this period's digest is made already: the rows wait for the next
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_([row.id for row in due]))
            .values(digest_delivery_id=digest, updated_at=now)
        )
        made += 1
    return made


def manager_digests(session: Session, *, now: dt.datetime, hour: int) -> int:
    """Each active manager's weekly digest: their active direct reports' overdue and
    due-soon courses the notifier heard of in the week before the period, one line per
    (report, course, kind). None when there is nothing to say, or when the manager turned
    LEARNING email OFF."""
    managers = list(
        session.scalars(
            select(EmployeeProjection).where(
                EmployeeProjection.status != TERMINATED,
                EmployeeProjection.employee_id.in_(
                    select(EmployeeProjection.manager_id).where(
                        EmployeeProjection.status != TERMINATED,
                        EmployeeProjection.manager_id.is_not(None),
                    )
                ),
            )
        )
    )
    if not managers:
        return 0
    ids = [m.employee_id for m in managers]
    reports: dict[uuid.UUID, list[EmployeeProjection]] = defaultdict(list)
    for report in session.scalars(
        select(EmployeeProjection)
        .where(EmployeeProjection.manager_id.in_(ids), EmployeeProjection.status != TERMINATED)
        .order_by(EmployeeProjection.name)
    ):
        if report.manager_id is not None:
            reports[report.manager_id].append(report)
    zones = _zones(session, ids)
    preferences = settings_of(session, ids)
    made = 0
    for manager in managers:
        if (
            preferences.frequency(manager.employee_id, Category.LEARNING, Channel.EMAIL)
            is Frequency.OFF
        ):
            continue
        start = period_start(
            now, frequency=Frequency.WEEKLY, time_zone=zones.get(manager.employee_id), hour=hour
        )
        sections = _report_sections(
            session, reports[manager.employee_id], since=start - dt.timedelta(days=7), until=start
        )
        if not sections:
            continue
        digest = _record_digest(
            session,
            kind=NotificationKind.MANAGER_DIGEST,
            frequency=Frequency.WEEKLY,
            recipient_id=manager.employee_id,
            start=start,
            data={"subject": manager_digest_subject(len(sections)), "reports": sections},
            now=now,
        )
        if digest is not None:
            made += 1
    return made


def _report_sections(
    session: Session,
    reports: Sequence[EmployeeProjection],
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> list[dict[str, Any]]:
    if not reports:
        return []
    rows = session.scalars(
        select(Delivery)
        .where(
            Delivery.subject_employee_id.in_([r.employee_id for r in reports]),
            Delivery.kind.in_([k.value for k in MANAGER_KINDS]),
            Delivery.channel != Channel.WEBHOOK,
            Delivery.created_at >= since,
            Delivery.created_at < until,
        )
        .order_by(Delivery.created_at, Delivery.id)
    )
    courses: dict[uuid.UUID, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        key = (row.kind, str(row.data.get("course_code")))
        courses[row.subject_employee_id].setdefault(
            key,
            {
                "kind": row.kind,
                "course_code": row.data.get("course_code"),
                "due_on": row.data.get("due_on"),
            },
        )
    return [
        {
            "employee_id": str(report.employee_id),
            "name": report.name,
            "overdue": [
                c
                for c in courses[report.employee_id].values()
                if c["kind"] == NotificationKind.ENROLLMENT_OVERDUE
            ],
            "due_soon": [
                c
                for c in courses[report.employee_id].values()
                if c["kind"] == NotificationKind.ENROLLMENT_DUE_SOON
            ],
        }
        for report in reports
        if courses[report.employee_id]
    ]


def succession_digests(session: Session, *, now: dt.datetime, hour: int) -> int:
    """Each active succession recipient's weekly digest (succession/digest.py says what
    it lists); none when there is nothing to say, or when they turned SUCCESSION email
    OFF."""
    recipients = active_recipients(session)
    if not recipients:
        return 0
    ids = [r.employee_id for r in recipients]
    zones = _zones(session, ids)
    preferences = settings_of(session, ids)
    made = 0
    for recipient in recipients:
        if (
            preferences.frequency(recipient.employee_id, Category.SUCCESSION, Channel.EMAIL)
            is Frequency.OFF
        ):
            continue
        start = period_start(
            now, frequency=Frequency.WEEKLY, time_zone=zones.get(recipient.employee_id), hour=hour
        )
        content = succession_digest(
            session, recipient, since=start - dt.timedelta(days=7), until=start
        )
        if content is None:
            continue
        digest = _record_digest(
            session,
            kind=NotificationKind.SUCCESSION_DIGEST,
            frequency=Frequency.WEEKLY,
            recipient_id=recipient.employee_id,
            start=start,
            data=content,
            now=now,
        )
        if digest is not None:
            made += 1
    return made


def make_digests(
    session: Session, *, frequency: Frequency, now: dt.datetime, hour: int
) -> DigestRun:
    """The digests of `frequency` due at `now`: everyone's held notices, and with WEEKLY
    the managers' and the succession recipients' digests too. Idempotent per period."""
    run = DigestRun()
    run.made = held_digests(session, frequency=frequency, now=now, hour=hour)
    if frequency is Frequency.WEEKLY:
        run.manager_digests = manager_digests(session, now=now, hour=hour)
        run.succession_digests = succession_digests(session, now=now, hour=hour)
        run.made += run.manager_digests + run.succession_digests
    return run
