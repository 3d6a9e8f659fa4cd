"""Preferences as people set and read them: an employee their own settings and quiet
hours; HR leaders and admins the organisation's defaults (every change audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.audit.models import AuditEntry
from talent_notifier.notifications.models import Channel
from talent_notifier.preferences.models import (
    ORG_WIDE,
    Category,
    Frequency,
    NotificationDefault,
    NotificationPreference,
    QuietHours,
)
from talent_notifier.preferences.rules import (
    PERSONAL_CHANNELS,
    has_mandatory_kinds,
    quiet_hours_problems,
    time_zone_problem,
)
from talent_notifier.preferences.settings import settings_of
from talent_platform.audit import record_audit
from talent_platform.auth import Principal, Role
from talent_platform.db.base import utcnow
from talent_platform.errors import ErrorCollector, Forbidden

ONLY_OWNER = "notification preferences are visible to the employee only"
HR_ONLY = "notification defaults are for hr_leader and admin only"
DEFAULTS_BY = (Role.HR_LEADER, Role.ADMIN)


@dataclass(frozen=True)
class Preference:
    """What applies to one (category, channel) of a person, and whether they chose it."""

    category: Category
    channel: Channel
    frequency: Frequency
    own: bool
    mandatory: bool


class PreferenceService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _own(self, employee_id: uuid.UUID | None = None) -> uuid.UUID:
        me = self.principal.employee_id
        if me is None or (employee_id is not None and employee_id != me):
            raise Forbidden(ONLY_OWNER)
        return me

    def _hr(self) -> None:
        if not self.principal.has_role(*DEFAULTS_BY):
            raise Forbidden(HR_ONLY)

    async def preferences(self, employee_id: uuid.UUID) -> list[Preference]:
        """Every (category, channel) with the setting that applies to the employee."""
        me = self._own(employee_id)
        settings = await self.session.run_sync(settings_of, [me])
        return [
            Preference(
                category=category,
                channel=channel,
                frequency=settings.frequency(me, category, channel),
                own=(me, category, channel) in settings.own,
                mandatory=has_mandatory_kinds(category),
            )
            for category in Category
            for channel in PERSONAL_CHANNELS
        ]

    async def set_preference(
        self, *, category: Category, channel: Channel, frequency: Frequency
    ) -> Preference:
        me = self._own()
        _require_personal(channel)
        now = utcnow()
        await self.session.execute(
            insert(NotificationPreference)
            .values(
                id=uuid.uuid4(),
                employee_id=me,
                category=category.value,
                channel=channel.value,
                frequency=frequency.value,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["employee_id", "category", "channel"],
                set_={"frequency": frequency.value, "updated_at": now},
            )
        )
        return Preference(
            category=category,
            channel=channel,
            frequency=frequency,
            own=True,
            mandatory=has_mandatory_kinds(category),
        )

    async def quiet_hours(self, employee_id: uuid.UUID) -> QuietHours | None:
        me = self._own(employee_id)
        found: QuietHours | None = await self.session.scalar(
            select(QuietHours).where(QuietHours.employee_id == me)
        )
        return found

    async def set_quiet_hours(
        self,
        *,
        start: dt.time | None,
        end: dt.time | None,
        time_zone: str | None,
        clear: bool,
    ) -> QuietHours | None:
        """Set the caller's quiet hours, or remove them (`clear`)."""
        me = self._own()
        errors = ErrorCollector()
        if clear:
            if start is not None or end is not None or time_zone is not None:
                errors.add("input.clear", "either clear, or start, end and timeZone")
            errors.raise_if_any()
            existing = await self.quiet_hours(me)
            if existing is not None:
                await self.session.delete(existing)
                await self.session.flush()
            return None
        for name, value in (
            ("input.start", start),
            ("input.end", end),
            ("input.timeZone", time_zone),
        ):
            if value is None:
                errors.add(name, "required unless clear is true")
        if time_zone is not None and (problem := time_zone_problem(time_zone)):
            errors.add("input.timeZone", problem)
        if start is not None and end is not None:
            for name, message in quiet_hours_problems(start, end):
                errors.add(name, message)
        errors.raise_if_any()
        assert start is not None and end is not None and time_zone is not None
        now = utcnow()
        await self.session.execute(
            insert(QuietHours)
            .values(
                id=uuid.uuid4(),
                employee_id=me,
                start=start,
                end=end,
                time_zone=time_zone,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["employee_id"],
                set_={"start": start, "end": end, "time_zone": time_zone, "updated_at": now},
            )
        )
        return await self.quiet_hours(me)

    async def defaults(
        self, *, offset: int, limit: int
    ) -> tuple[Sequence[NotificationDefault], int]:
        self._hr()
        statement = select(NotificationDefault).order_by(
            NotificationDefault.org_unit_code,
            NotificationDefault.category,
            NotificationDefault.channel,
        )
        total = int(
            await self.session.scalar(select(func.count()).select_from(NotificationDefault)) or 0
        )
        rows = (await self.session.scalars(statement.offset(offset).limit(limit))).all()
        return rows, total

    async def set_default(
        self,
        *,
        category: Category,
        channel: Channel,
        frequency: Frequency,
        org_unit_code: str | None,
    ) -> NotificationDefault:
        """Set HR's default for (category, channel), org-wide or for an org unit and its
        sub-units; audited with the frequency before and after."""
        self._hr()
        _require_personal(channel)
        unit = org_unit_code.strip() if org_unit_code is not None else ORG_WIDE
        errors = ErrorCollector()
        if org_unit_code is not None and not unit:
            errors.add("input.orgUnitCode", "an org unit code, or null for the whole organisation")
        elif len(unit) > 200:
            errors.add("input.orgUnitCode", "at most 200 characters")
        errors.raise_if_any()
        before: NotificationDefault | None = await self.session.scalar(
            select(NotificationDefault).where(
                NotificationDefault.org_unit_code == unit,
                NotificationDefault.category == category.value,
                NotificationDefault.channel == channel.value,
            )
        )
        previous = before.frequency if before is not None else None
        now = utcnow()
        saved = await self.session.scalar(
            insert(NotificationDefault)
            .values(
                id=uuid.uuid4(),
                org_unit_code=unit,
                category=category.value,
                channel=channel.value,
                frequency=frequency.value,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["org_unit_code", "category", "channel"],
                set_={"frequency": frequency.value, "updated_at": now},
            )
            .returning(NotificationDefault)
            .execution_options(populate_existing=True)
        )
        assert saved is not None
        key = {
            "org_unit_code": unit if unit != ORG_WIDE else None,
            "category": category.value,
            "channel": channel.value,
        }
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "notification_default.set",
            "notification_default",
            saved.id,
            before={**key, "frequency": previous} if previous is not None else None,
            after={**key, "frequency": frequency.value},
        )
        return saved


def _require_personal(channel: Channel) -> None:
    if channel not in PERSONAL_CHANNELS:
        errors = ErrorCollector()
        errors.add("input.channel", "preferences are set for IN_APP and EMAIL only")
        errors.raise_if_any()
