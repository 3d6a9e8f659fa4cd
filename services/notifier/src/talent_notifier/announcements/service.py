"""Sending announcements: who may (admin, hr_leader, hr_coordinator; a coordinator only
to people inside their HR org scope), what is checked, the preview, and the sending
itself (`send`, one function of a sync Session: the request calls it through `run_sync`
for an announcement due now, the worker's job for one held until `send_at`).

Each recipient gets ledger rows like any notice (kind ANNOUNCEMENT, category
ANNOUNCEMENTS, source the announcement's id), as their preferences allow: the in-app
inbox and email, or a digest, or nothing for OFF (announcements are never mandatory). No
webhook: an announcement is one message to many people."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_notifier.announcements.audience import AudienceInput, check_reach, checked, recipients
from talent_notifier.announcements.models import (
    Announcement,
    AnnouncementStatus,
    AnnouncementTemplate,
)
from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications import outgoing
from talent_notifier.notifications.models import (
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationKind,
)
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.people.models import EmployeeProjection
from talent_platform.audit import record_audit
from talent_platform.auth import Principal, Role
from talent_platform.errors import ErrorCollector, NotFound

SENDERS = (Role.ADMIN, Role.HR_LEADER, Role.HR_COORDINATOR)
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 5000
MAX_SCHEDULE_AHEAD = dt.timedelta(days=366)


def send(session: Session, announcement_id: uuid.UUID, *, now: dt.datetime) -> int:
    """Write the ledger rows of a scheduled announcement for the audience as it is now
    and mark it SENT; returns how many people it reached (0 when it was sent already:
    whoever comes second, a replica or a repeated call, does nothing)."""
    announcement = session.scalars(
        select(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.status == AnnouncementStatus.SCHEDULED,
        )
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if announcement is None:
        return 0
    people = session.execute(recipients(announcement.audience, announcement.sender_scope)).all()
    data = {
        "announcement_id": str(announcement.id),
        "subject": announcement.subject,
        "body": announcement.body,
    }
    outgoing.record(
        session,
        [
            Outgoing(
                announcement.id,
                NotificationKind.ANNOUNCEMENT,
                person.employee_id,
                Audience.EMPLOYEE,
                person.employee_id,
                data,
            )
            for person in people
        ],
        notices=[],
        now=now,
    )
    session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id)
        .values(
            status=AnnouncementStatus.SENT,
            sent_at=now,
            recipient_count=len(people),
            updated_at=now,
        )
    )
    return len(people)


def send_due(session: Session, *, now: dt.datetime, limit: int = 20) -> int:
    """Send the scheduled announcements whose time has come (the worker's job); returns
    how many were sent."""
    due = session.scalars(
        select(Announcement.id)
        .where(
            Announcement.status == AnnouncementStatus.SCHEDULED,
            Announcement.send_at <= now,
        )
        .order_by(Announcement.send_at, Announcement.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for announcement_id in due:
        send(session, announcement_id, now=now)
    return len(due)


def checked_text(errors: ErrorCollector, subject: str, body: str) -> tuple[str, str]:
    """An announcement's (or a template's) subject and body, checked: the subject one
    line of at most MAX_SUBJECT_LENGTH, the body at most MAX_BODY_LENGTH, no NULs."""
    subject = _text(errors, "input.subject", subject, MAX_SUBJECT_LENGTH)
    if any(c in subject for c in "\r\n"):
        errors.add("input.subject", "must be one line")
    return subject, _text(errors, "input.body", body, MAX_BODY_LENGTH)


def _text(errors: ErrorCollector, field: str, value: str, maximum: int) -> str:
    value = value.strip()
    if not value:
        errors.add(field, "is required")
    elif len(value) > maximum:
        errors.add(field, f"must be at most {maximum} characters")
    elif "\x00" in value:
        errors.add(field, "must not contain NUL characters")
    return value


@dataclass(frozen=True)
class Preview:
    count: int
    recipients: list[tuple[uuid.UUID, str]]


@dataclass(frozen=True)
class RecipientRow:
    employee_id: uuid.UUID
    name: str | None
    channel: str
    status: str
    sent_at: dt.datetime | None


class AnnouncementService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _audience(self, given: AudienceInput, errors: ErrorCollector, at: str) -> dict[str, object]:
        self.principal.require(*SENDERS)
        audience = checked(given, errors, at=at)
        errors.raise_if_any()
        check_reach(self.principal, audience)
        return audience

    async def preview(self, given: AudienceInput, *, limit: int) -> Preview:
        """How many people the audience reaches now (within the caller's scope) and the
        first `limit` of them by name."""
        audience = self._audience(given, ErrorCollector(), "audience")
        query = recipients(audience, self.principal.org_scope)
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await self.session.execute(query.limit(limit))).all()
        return Preview(int(total or 0), [(r.employee_id, r.name) for r in rows])

    async def create(
        self,
        given: AudienceInput,
        *,
        subject: str | None,
        body: str | None,
        send_at: dt.datetime | None,
        template: str | None = None,
    ) -> Announcement:
        """Check and store the announcement (audited); send it now unless `send_at` is in
        the future. With a `template` code, a subject or body left out is the template's."""
        self.principal.require(*SENDERS)
        errors = ErrorCollector()
        audience = checked(given, errors, at="input.audience")
        if template is not None:
            saved = await self.session.get(AnnouncementTemplate, template.strip())
            if saved is None:
                errors.add("input.template", "no announcement template has this code")
            else:
                subject = saved.subject if subject is None else subject
                body = saved.body if body is None else body
        if template is None and subject is None:
            errors.add("input.subject", "is required without a template")
        if template is None and body is None:
            errors.add("input.body", "is required without a template")
        if subject is not None and body is not None:
            subject, body = checked_text(errors, subject, body)
        now = dt.datetime.now(dt.UTC)
        if send_at is not None:
            if send_at.tzinfo is None:
                errors.add("input.sendAt", "must carry a time zone offset")
            elif send_at > now + MAX_SCHEDULE_AHEAD:
                errors.add("input.sendAt", "must be within a year")
        errors.raise_if_any()
        assert subject is not None and body is not None  # else an error above
        check_reach(self.principal, audience)
        when = send_at if send_at is not None and send_at > now else now
        announcement = Announcement(
            id=uuid.uuid4(),
            created_by=self.principal.subject,
            sender_scope=(
                sorted(self.principal.org_scope) if self.principal.org_scope is not None else None
            ),
            subject=subject,
            body=body,
            audience=audience,
            send_at=when,
            status=AnnouncementStatus.SCHEDULED,
        )
        self.session.add(announcement)
        await self.session.flush()
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "announcement.created",
            "announcement",
            announcement.id,
            after={
                "subject": subject,
                "template": template,
                "audience": audience,
                "send_at": when.isoformat(),
                "body_length": len(body),
            },
        )
        if when <= now:
            await self.session.run_sync(send, announcement.id, now=now)
            await self.session.refresh(announcement)
        return announcement

    def _visible(self) -> list[ColumnElement[bool]]:
        """admin and hr_leader see every announcement; an hr_coordinator their own."""
        self.principal.require(*SENDERS)
        if self.principal.has_role(Role.ADMIN, Role.HR_LEADER):
            return []
        return [Announcement.created_by == self.principal.subject]

    async def page(self, *, offset: int, limit: int) -> tuple[Sequence[Announcement], int]:
        where = self._visible()
        total = await self.session.scalar(
            select(func.count()).select_from(Announcement).where(*where)
        )
        rows = await self.session.scalars(
            select(Announcement)
            .where(*where)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return rows.all(), int(total or 0)

    async def get(self, announcement_id: uuid.UUID) -> Announcement:
        where = self._visible()
        found: Announcement | None = await self.session.scalar(
            select(Announcement).where(Announcement.id == announcement_id, *where)
        )
        if found is None:
            raise NotFound("announcement", announcement_id)
        return found

    async def recipients(
        self,
        announcement: Announcement,
        *,
        status: DeliveryStatus | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RecipientRow], int]:
        """Its ledger rows (one per recipient and channel), by name then channel."""
        where = [
            Delivery.source_event_id == announcement.id,
            Delivery.kind == NotificationKind.ANNOUNCEMENT,
            Delivery.channel != Channel.WEBHOOK,
        ]
        if status is not None:
            where.append(Delivery.status == status)
        total = await self.session.scalar(select(func.count()).select_from(Delivery).where(*where))
        rows = await self.session.execute(
            select(
                Delivery.recipient_id,
                EmployeeProjection.name,
                Delivery.channel,
                Delivery.status,
                Delivery.sent_at,
            )
            .outerjoin(EmployeeProjection, EmployeeProjection.employee_id == Delivery.recipient_id)
            .where(*where)
            .order_by(EmployeeProjection.name, Delivery.recipient_id, Delivery.channel)
            .offset(offset)
            .limit(limit)
        )
        return [RecipientRow(*row) for row in rows.all()], int(total or 0)
