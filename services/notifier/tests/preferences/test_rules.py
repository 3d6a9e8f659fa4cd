"""The rules without a database: whose setting applies, mandatory notices, quiet hours."""

from __future__ import annotations

import datetime as dt
import uuid

from talent_notifier.notifications.models import Channel, NotificationKind
from talent_notifier.preferences.models import ORG_WIDE, Category, Frequency
from talent_notifier.preferences.rules import (
    CATEGORY_OF_KIND,
    QuietWindow,
    Settings,
    has_mandatory_kinds,
    is_mandatory,
    time_zone_problem,
    unit_path,
)

UTC = dt.UTC


def test_every_kind_has_a_category() -> None:
    assert set(CATEGORY_OF_KIND) == set(NotificationKind)


def test_only_compliance_enrollments_and_certifications_are_mandatory() -> None:
    assert is_mandatory(NotificationKind.CERTIFICATION_EXPIRING, compliance=False)
    assert is_mandatory(NotificationKind.ENROLLMENT_OVERDUE, compliance=True)
    assert not is_mandatory(NotificationKind.ENROLLMENT_ASSIGNED, compliance=False)
    assert has_mandatory_kinds(Category.LEARNING)
    assert not has_mandatory_kinds(Category.REVIEWS)


def test_the_nearest_unit_default_applies_then_org_wide_then_immediately() -> None:
    ana, bo, cy, dee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    settings = Settings(
        own={(cy, Category.LEARNING, Channel.EMAIL): Frequency.OFF},
        defaults={
            ("Engineering", Category.LEARNING, Channel.EMAIL): Frequency.WEEKLY,
            (ORG_WIDE, Category.LEARNING, Channel.EMAIL): Frequency.DAILY,
        },
        org_units={
            ana: "Engineering / Platform / SRE",
            bo: "Sales",
            cy: "Engineering",
            dee: "Engineering Ops",
        },
    )
    assert unit_path("A / B") == ["A / B", "A", ORG_WIDE]
    assert settings.frequency(ana, Category.LEARNING, Channel.EMAIL) is Frequency.WEEKLY
    assert settings.frequency(bo, Category.LEARNING, Channel.EMAIL) is Frequency.DAILY
    assert settings.frequency(cy, Category.LEARNING, Channel.EMAIL) is Frequency.OFF
    assert settings.frequency(ana, Category.LEARNING, Channel.IN_APP) is Frequency.IMMEDIATELY
    # A unit whose code merely starts with another's is not below it.
    assert settings.frequency(dee, Category.LEARNING, Channel.EMAIL) is Frequency.DAILY
    # Someone the projection does not know yet: the org-wide default.
    assert settings.frequency(uuid.uuid4(), Category.LEARNING, Channel.EMAIL) is Frequency.DAILY


def test_quiet_hours_over_midnight_end_in_the_persons_zone() -> None:
    night = QuietWindow(dt.time(22), dt.time(7), "America/New_York")  # UTC-5 in January
    # 23:00 in New York on 15 January: quiet until 07:00 there on the 16th.
    assert night.until(dt.datetime(2030, 1, 16, 4, 0, tzinfo=UTC)) == dt.datetime(
        2030, 1, 16, 12, 0, tzinfo=UTC
    )
    # 06:59 in New York: still quiet, same end.
    assert night.until(dt.datetime(2030, 1, 16, 11, 59, tzinfo=UTC)) == dt.datetime(
        2030, 1, 16, 12, 0, tzinfo=UTC
    )
    # 07:00 and 21:59 in New York: not quiet.
    assert night.until(dt.datetime(2030, 1, 16, 12, 0, tzinfo=UTC)) is None
    assert night.until(dt.datetime(2030, 1, 17, 2, 59, tzinfo=UTC)) is None


def test_quiet_hours_within_a_day() -> None:
    lunch = QuietWindow(dt.time(12), dt.time(13, 30), "Asia/Tokyo")  # UTC+9
    assert lunch.until(dt.datetime(2030, 6, 1, 3, 15, tzinfo=UTC)) == dt.datetime(
        2030, 6, 1, 4, 30, tzinfo=UTC
    )
    assert lunch.until(dt.datetime(2030, 6, 1, 4, 30, tzinfo=UTC)) is None


def test_time_zones_are_iana_names() -> None:
    assert time_zone_problem("Europe/Lisbon") is None
    for bad in ("Mars/Olympus", "", "../etc/passwd", " Europe/Lisbon"):
        assert time_zone_problem(bad) is not None
