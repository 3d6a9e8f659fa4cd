"""Announcement templates: a subject and text saved under a code (admin, hr_leader,
hr_coordinator; audited), which `sendAnnouncement(input: {template})` starts from. A
subject or body given with the template replaces the template's."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.announcements.models import AnnouncementTemplate
from talent_notifier.announcements.service import SENDERS, checked_text
from talent_notifier.audit.models import AuditEntry
from talent_platform.audit import record_audit
from talent_platform.auth import Principal
from talent_platform.errors import ErrorCollector

CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,99}")
"""Upper-case letters, digits, `-` and `_`, at most 100 (e.g. `REVIEW-NUDGE`)."""


def checked_code(errors: ErrorCollector, field: str, code: str) -> str:
    code = code.strip()
    if not CODE.fullmatch(code):
        errors.add(field, "must be 1-100 upper-case letters, digits, '-' or '_'")
    return code


async def save(
    session: AsyncSession, principal: Principal, *, code: str, subject: str, body: str
) -> AnnouncementTemplate:
    """Create or replace the template `code` (audited with what it said before)."""
    principal.require(*SENDERS)
    errors = ErrorCollector()
    code = checked_code(errors, "input.code", code)
    subject, body = checked_text(errors, subject, body)
    errors.raise_if_any()
    before = await session.get(AnnouncementTemplate, code)
    previous = (
        {"subject": before.subject, "body_length": len(before.body)} if before is not None else None
    )
    now = dt.datetime.now(dt.UTC)
    values = {"subject": subject, "body": body, "updated_by": principal.subject, "updated_at": now}
    await session.execute(
        insert(AnnouncementTemplate)
        .values(code=code, **values)
        .on_conflict_do_update(index_elements=["code"], set_=values)
    )
    await record_audit(
        session,
        AuditEntry,
        principal,
        "announcement_template.saved",
        "announcement_template",
        code,
        before=previous,
        after={"subject": subject, "body_length": len(body)},
    )
    saved = await session.get(AnnouncementTemplate, code, populate_existing=True)
    assert saved is not None
    return saved


async def page(
    session: AsyncSession, principal: Principal, *, offset: int, limit: int
) -> tuple[list[AnnouncementTemplate], int]:
    principal.require(*SENDERS)
    total = await session.scalar(select(func.count()).select_from(AnnouncementTemplate))
    rows = await session.scalars(
        select(AnnouncementTemplate).order_by(AnnouncementTemplate.code).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)
