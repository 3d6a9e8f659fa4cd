"""The rules of preferences, without a database: which category a notification kind
belongs to, which notices are mandatory, whose setting applies, and quiet hours.

- Every kind belongs to one category (`CATEGORY_OF_KIND` in notifications/categories.py,
  the only place that says so).
- A person's setting for (category, channel) is their own choice, else HR's default for
  the nearest org unit up their unit's path (`Engineering / Platform` is below
  `Engineering`), else HR's org-wide default, else IMMEDIATELY.
- Mandatory compliance notices (a course assigned for compliance, its due-soon and
  overdue reminders, an expiring certification) ignore the setting: they are written
  and sent at once on both channels, even when the person chose OFF or a digest.
- Quiet hours hold email (never the in-app inbox) until they end, in the person's zone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from talent_notifier.notifications.categories import CATEGORY_OF_KIND
from talent_notifier.notifications.models import Channel, NotificationKind
from talent_notifier.preferences.models import ORG_WIDE, Category, Frequency

COMPLIANCE_REASON = "compliance"

PERSONAL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)
"""The channels a person (or HR's defaults) sets preferences for; webhooks are the
organisation's, registered by admins."""

ALWAYS_MANDATORY = frozenset({NotificationKind.CERTIFICATION_EXPIRING})
"""Kinds that are mandatory whatever the enrollment (an expiring certification)."""
MANDATORY_WHEN_COMPLIANCE = frozenset(
    {
        NotificationKind.ENROLLMENT_ASSIGNED,
        NotificationKind.ENROLLMENT_DUE_SOON,
        NotificationKind.ENROLLMENT_OVERDUE,
    }
)
"""Kinds that are mandatory when the enrollment was assigned for compliance."""

DEFAULT_FREQUENCY = Frequency.IMMEDIATELY


def has_mandatory_kinds(category: Category) -> bool:
    """Whether some notices of the category go out even when the person chose OFF."""
    return any(
        CATEGORY_OF_KIND[kind] is category for kind in ALWAYS_MANDATORY | MANDATORY_WHEN_COMPLIANCE
    )


def is_mandatory(kind: NotificationKind, *, compliance: bool) -> bool:
    """`compliance`: the enrollment the notice is about was assigned for compliance."""
    return kind in ALWAYS_MANDATORY or (kind in MANDATORY_WHEN_COMPLIANCE and compliance)


def unit_path(org_unit_code: str | None) -> list[str]:
    """The unit and the units above it, nearest first, then ORG_WIDE:
    `A / B / C` -> [`A / B / C`, `A / B`, `A`, ORG_WIDE]."""
    if not org_unit_code:
        return [ORG_WIDE]
    parts = org_unit_code.split(" / ")
    return [" / ".join(parts[:n]) for n in range(len(parts), 0, -1)] + [ORG_WIDE]


DefaultKey = tuple[str, Category, Channel]
"""(org unit code or ORG_WIDE, category, channel)."""
OwnKey = tuple[uuid.UUID, Category, Channel]


@dataclass(frozen=True)
class Settings:
    """What applies to some people: their own choices, HR's defaults, their org units."""

    own: Mapping[OwnKey, Frequency]
    defaults: Mapping[DefaultKey, Frequency]
    org_units: Mapping[uuid.UUID, str | None]

    def default_for(
        self, org_unit_code: str | None, category: Category, channel: Channel
    ) -> Frequency:
        for unit in unit_path(org_unit_code):
            found = self.defaults.get((unit, category, channel))
            if found is not None:
                return found
        return DEFAULT_FREQUENCY

    def frequency(self, employee_id: uuid.UUID, category: Category, channel: Channel) -> Frequency:
        own = self.own.get((employee_id, category, channel))
        if own is not None:
            return own
        return self.default_for(self.org_units.get(employee_id), category, channel)


@dataclass(frozen=True)
class QuietWindow:
    start: dt.time
    end: dt.time
    time_zone: str

    def until(self, now: dt.datetime) -> dt.datetime | None:
        """When the quiet hours around `now` end (UTC), or None when `now` is outside
        them. A window whose start is after its end runs over midnight."""
        zone = ZoneInfo(self.time_zone)
        local = now.astimezone(zone)
        t = local.time().replace(tzinfo=None)
        if self.start < self.end:
            if not self.start <= t < self.end:
                return None
            end_day = local.date()
        elif t >= self.start:
            end_day = local.date() + dt.timedelta(days=1)
        elif t < self.end:
            end_day = local.date()
        else:
            return None
        return dt.datetime.combine(end_day, self.end, tzinfo=zone).astimezone(dt.UTC)


def time_zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone, or None when it is one."""
    if not name or len(name) > 64 or name != name.strip():
        return "an IANA time zone name, such as Europe/Lisbon"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone name, such as Europe/Lisbon"
    return None


def quiet_hours_problems(start: dt.time, end: dt.time) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if start.tzinfo is not None or end.tzinfo is not None:
        problems.append(("input.start", "a local time without an offset (the zone says it)"))
    elif start == end:
        problems.append(("input.end", "must differ from start"))
    return problems
