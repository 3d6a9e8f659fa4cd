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
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session

from talent_notifier.db import among
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
from talent_notifier.recommendations import current
from talent_notifier.recommendations.models import CourseRecommendation
from talent_notifier.succession.digest import succession_digest
from talent_notifier.succession.recipients import active_recipients

DIGEST_NAMESPACE = uuid.UUID("6f3d2a64-3c1e-4a51-9d0e-2b7f0c5a9e11")
"""Digest ids are uuid5 names in this namespace: the same period, the same id."""

COURSE_KINDS = (NotificationKind.ENROLLMENT_OVERDUE, NotificationKind.ENROLLMENT_DUE_SOON)
REVIEW_KINDS = (NotificationKind.REVIEW_OVERDUE, NotificationKind.REVIEW_DUE_SOON)
MANAGER_KINDS = (*COURSE_KINDS, NotificationKind.CERTIFICATION_EXPIRING, *REVIEW_KINDS)
"""The ledger rows a manager's digest reads about each report (besides the top action)."""
WEEK = dt.timedelta(days=7)


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
            select(EmployeeProjection).where(among(EmployeeProjection.employee_id, ids))
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


def _digest_row(
    *,
    kind: NotificationKind,
    frequency: Frequency,
    recipient_id: uuid.UUID,
    start: dt.datetime,
    data: dict[str, Any],
) -> dict[str, Any]:
    """What varies between a run's digest rows of one kind (`_record_digests` sets the
    rest: email, PENDING, due now)."""
    return {
        "id": uuid.uuid4(),
        "source_event_id": digest_id(kind, frequency, recipient_id, start),
        "recipient_id": recipient_id,
        "data": {**data, "frequency": frequency.value, "period": str(start.date())},
    }


_INSERT_DIGESTS = text(
    """
    INSERT INTO delivery (id, source_event_id, recipient_id, channel, kind, audience,
                          subject_employee_id, data, status, attempts, next_attempt_at, digest)
    SELECT u.id, u.source_event_id, u.recipient_id, 'email', :kind, :audience,
           u.recipient_id, d.value, 'pending', 0, :now, :digest
    FROM unnest(:ids, :source_event_ids, :recipient_ids) WITH ORDINALITY
         AS u(id, source_event_id, recipient_id, n)
    JOIN jsonb_array_elements(:data) WITH ORDINALITY AS d(value, n) USING (n)
    ON CONFLICT (source_event_id, recipient_id, channel) DO NOTHING
    RETURNING id, recipient_id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid())),
    bindparam("source_event_ids", type_=ARRAY(Uuid())),
    bindparam("recipient_ids", type_=ARRAY(Uuid())),
    bindparam("data", type_=JSONB()),
)
"""A run's digests of one kind in one statement: the ids as arrays, every digest's data
as one JSON array (one `json.dumps`, where a `jsonb[]` parameter costs an escaping pass
per element in the driver)."""


def _record_digests(
    session: Session,
    rows: Sequence[dict[str, Any]],
    *,
    kind: NotificationKind,
    frequency: Frequency,
    now: dt.datetime,
) -> dict[uuid.UUID, uuid.UUID]:
    """Insert a run's digest rows of `kind` (`_digest_row`); a digest already made for
    its period (the ledger's unique key) is left as it is. Returns the new rows' ids by
    recipient."""
    if not rows:
        return {}
    audience = AUDIENCE_OF_DIGEST[kind]
    made = session.execute(
        _INSERT_DIGESTS,
        {
            "ids": [row["id"] for row in rows],
            "source_event_ids": [row["source_event_id"] for row in rows],
            "recipient_ids": [row["recipient_id"] for row in rows],
            "data": [row["data"] for row in rows],
            "kind": kind.value,
            "audience": audience.value,
            "digest": frequency.value,
            "now": now,
        },
    )
    return {row.recipient_id: row.id for row in made}


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
    """One digest's ledger row (`_record_digests` of one); None when this period's digest
    was already made."""
    made = _record_digests(
        session,
        [
            _digest_row(
                kind=kind, frequency=frequency, recipient_id=recipient_id, start=start, data=data
            )
        ],
        kind=kind,
        frequency=frequency,
        now=now,
    )
    return made.get(recipient_id)


def _recommendation(row: CourseRecommendation) -> dict[str, Any]:
    """A recommendation as a digest records it: what to assign and why, with the id the
    recommender serves (what `assignLearning(..., recommendationId)` takes)."""
    return {
        "recommendation_id": str(row.recommendation_id),
        "course_code": row.course_code,
        "score": round(row.score, 2),
        "reasons": list(row.reasons),
    }


def held_digests(
    session: Session,
    *,
    frequency: Frequency,
    now: dt.datetime,
    hour: int,
    recommendations: bool = False,
) -> int:
    """One digest per person whose held email rows of `frequency` are due (see the module
    docstring), with `recommendations` (the weekly run) also listing the course
    recommendations issued to them in the week before the period, unless their
    RECOMMENDATIONS email is OFF; returns how many were made. A terminated person's held
    rows are FAILED."""
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
    # Anyone's period began less than a week and a day ago (zones differ by < 1 day).
    issued = (
        current.issued_between(session, None, since=now - WEEK - WEEK, until=now)
        if recommendations
        else {}
    )
    recipients = set(by_recipient) | set(issued)
    people = _people(session, recipients | {row.subject_employee_id for row in held})
    zones = _zones(session, recipients)
    wants = settings_of(session, set(issued))
    digests: list[dict[str, Any]] = []
    carried: dict[uuid.UUID, list[uuid.UUID]] = {}
    for recipient_id in recipients:
        rows = by_recipient.get(recipient_id, [])
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
        new = [
            r
            for r in issued.get(recipient_id, [])
            if start - WEEK <= r.issued_at < start
            and wants.frequency(recipient_id, Category.RECOMMENDATIONS, Channel.EMAIL)
            is not Frequency.OFF
        ]
        if not due and not new:
            continue
        digests.append(
            _digest_row(
                kind=NotificationKind.DIGEST,
                frequency=frequency,
                recipient_id=recipient_id,
                start=start,
                data={
                    "subject": digest_subject(frequency, count=len(due), recommendations=len(new)),
                    "items": [_item(row, people) for row in due],
                    "recommendations": [_recommendation(r) for r in new],
                },
            )
        )
        carried[recipient_id] = [row.id for row in due]
    # A digest already made this period makes nothing: its recipient's rows wait.
    made = _record_digests(
        session, digests, kind=NotificationKind.DIGEST, frequency=frequency, now=now
    )
    carries = [
        {"row_id": row_id, "digest_id": digest}
        for recipient_id, digest in made.items()
        for row_id in carried[recipient_id]
    ]
    if carries:
        table = cast(Table, Delivery.__table__)
        session.connection().execute(
            table.update()
            .where(table.c.id == bindparam("row_id"))
            .values(digest_delivery_id=bindparam("digest_id"), updated_at=now),
            carries,
        )
    return len(made)


@dataclass(frozen=True)
class _Wants:
    """Which sections a manager's digest has, by their email preferences: a category
    turned OFF is left out."""

    learning: bool
    reviews: bool
    recommendations: bool

    def any(self) -> bool:
        return self.learning or self.reviews or self.recommendations


def manager_digests(session: Session, *, now: dt.datetime, hour: int) -> int:
    """Each active manager's weekly digest about their active direct reports: each one's
    top development action (their current course recommendation with the highest
    score), and the overdue and due-soon courses, expiring certifications and reviews
    they are behind on that the notifier heard of in the week before the period. A
    section whose category the manager turned OFF (email) is left out; a report with
    nothing is left out; no digest when there is nothing to say."""
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
    zones = _zones(session, ids)
    preferences = settings_of(session, ids)
    wants: dict[uuid.UUID, _Wants] = {}
    for manager in managers:
        found = _Wants(
            *(
                preferences.frequency(manager.employee_id, category, Channel.EMAIL)
                is not Frequency.OFF
                for category in (Category.LEARNING, Category.REVIEWS, Category.RECOMMENDATIONS)
            )
        )
        if found.any():
            wants[manager.employee_id] = found
    if not wants:
        return 0
    reports: dict[uuid.UUID, list[EmployeeProjection]] = defaultdict(list)
    for report in session.scalars(
        select(EmployeeProjection)
        .where(
            among(EmployeeProjection.manager_id, wants),
            EmployeeProjection.status != TERMINATED,
        )
        .order_by(EmployeeProjection.name, EmployeeProjection.employee_id)
    ):
        if report.manager_id is not None:
            reports[report.manager_id].append(report)
    starts = {
        manager_id: period_start(
            now, frequency=Frequency.WEEKLY, time_zone=zones.get(manager_id), hour=hour
        )
        for manager_id in wants
    }
    news = _team_news(
        session,
        {r.employee_id for team in reports.values() for r in team},
        since=min(starts.values()) - WEEK,
        until=max(starts.values()),
    )
    tops = current.top_actions(
        session,
        {
            r.employee_id
            for manager_id, team in reports.items()
            if wants[manager_id].recommendations
            for r in team
        },
    )
    digests: list[dict[str, Any]] = []
    for manager_id, want in wants.items():
        start = starts[manager_id]
        sections = [
            section
            for report in reports[manager_id]
            if (
                section := _report_section(
                    report,
                    news.get(report.employee_id, []),
                    tops.get(report.employee_id),
                    want=want,
                    since=start - WEEK,
                    until=start,
                )
            )
            is not None
        ]
        if sections:
            digests.append(
                _digest_row(
                    kind=NotificationKind.MANAGER_DIGEST,
                    frequency=Frequency.WEEKLY,
                    recipient_id=manager_id,
                    start=start,
                    data={"subject": manager_digest_subject(len(sections)), "reports": sections},
                )
            )
    made = _record_digests(
        session, digests, kind=NotificationKind.MANAGER_DIGEST, frequency=Frequency.WEEKLY, now=now
    )
    return len(made)


@dataclass(frozen=True)
class _News:
    """One ledger row about a report, as the manager's digest reads it."""

    created_at: dt.datetime
    kind: NotificationKind
    data: dict[str, Any]


def _team_news(
    session: Session,
    report_ids: Collection[uuid.UUID],
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> dict[uuid.UUID, list[_News]]:
    """The ledger rows of MANAGER_KINDS recorded in [since, until), by the report they
    are about, oldest first. For a course or certification, the report is the employee
    the row is about; for a review, the reviewer who must act (the recipient of their own
    notice, the employee a manager's or escalation notice is about), never the employee
    reviewed."""
    found: dict[uuid.UUID, list[_News]] = defaultdict(list)
    if not report_ids:
        return found
    rows = session.execute(
        select(
            Delivery.kind,
            Delivery.audience,
            Delivery.recipient_id,
            Delivery.subject_employee_id,
            Delivery.data,
            Delivery.created_at,
        )
        .where(
            Delivery.kind.in_([k.value for k in MANAGER_KINDS]),
            Delivery.channel != Channel.WEBHOOK,
            Delivery.created_at >= since,
            Delivery.created_at < until,
            among(Delivery.subject_employee_id, report_ids)
            | among(Delivery.recipient_id, report_ids),
        )
        .order_by(Delivery.created_at, Delivery.id)
    )
    for row in rows:
        kind = NotificationKind(row.kind)
        if kind in REVIEW_KINDS and row.audience == Audience.EMPLOYEE:
            about = row.recipient_id
        else:
            about = row.subject_employee_id
        if about in report_ids:
            found[about].append(_News(row.created_at, kind, row.data))
    return found


def _report_section(
    report: EmployeeProjection,
    news: Sequence[_News],
    top: CourseRecommendation | None,
    *,
    want: _Wants,
    since: dt.datetime,
    until: dt.datetime,
) -> dict[str, Any] | None:
    """What the digest says about one report, None when nothing. One line per (kind,
    course) and per review (overdue wins over due soon)."""
    courses: dict[tuple[str, str], dict[str, Any]] = {}
    certifications: dict[str, dict[str, Any]] = {}
    reviews: dict[str, dict[str, Any]] = {}
    for item in news:
        if not since <= item.created_at < until:
            continue
        data = item.data
        if item.kind in COURSE_KINDS and want.learning:
            courses.setdefault(
                (item.kind.value, str(data.get("course_code"))),
                {
                    "kind": item.kind.value,
                    "course_code": data.get("course_code"),
                    "due_on": data.get("due_on"),
                },
            )
        elif item.kind is NotificationKind.CERTIFICATION_EXPIRING and want.learning:
            certifications.setdefault(
                str(data.get("course_code")),
                {"course_code": data.get("course_code"), "valid_until": data.get("valid_until")},
            )
        elif item.kind in REVIEW_KINDS and want.reviews:
            review = str(data.get("review_id"))
            overdue = item.kind is NotificationKind.REVIEW_OVERDUE
            if review in reviews and not overdue:
                continue
            # Whose review it is stays out: a peer's manager does not learn whom they review.
            reviews[review] = {
                "overdue": overdue,
                "review_kind": data.get("review_kind"),
                "cycle_code": data.get("cycle_code"),
                "phase": data.get("phase"),
                "due_on": data.get("due_on"),
            }
    top_action = _recommendation(top) if top is not None and want.recommendations else None
    if not (courses or certifications or reviews or top_action):
        return None
    return {
        "employee_id": str(report.employee_id),
        "name": report.name,
        "top_action": top_action,
        "overdue": [
            c for c in courses.values() if c["kind"] == NotificationKind.ENROLLMENT_OVERDUE
        ],
        "due_soon": [
            c for c in courses.values() if c["kind"] == NotificationKind.ENROLLMENT_DUE_SOON
        ],
        "certifications": list(certifications.values()),
        "reviews": sorted(reviews.values(), key=lambda r: (not r["overdue"], str(r["due_on"]))),
    }


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
    """The digests of `frequency` due at `now`: everyone's held notices (with WEEKLY,
    also their new course recommendations), and with WEEKLY the managers' and the
    succession recipients' digests too. Idempotent per period."""
    run = DigestRun()
    run.made = held_digests(
        session,
        frequency=frequency,
        now=now,
        hour=hour,
        recommendations=frequency is Frequency.WEEKLY,
    )
    if frequency is Frequency.WEEKLY:
        run.manager_digests = manager_digests(session, now=now, hour=hour)
        run.succession_digests = succession_digests(session, now=now, hour=hour)
        run.made += run.manager_digests + run.succession_digests
    return run
