"""Preferences through the subgraph: the employee's own settings and quiet hours (on
`Employee`, what `me { notificationPreferences quietHours }` resolves through the
gateway), and HR's defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import EmployeeSnapshot
from talent_notifier.audit.models import AuditEntry
from talent_platform.auth import Principal, Role

from ..factories import ADMIN, execute, principal_of, run
from .factories import hire_in

MINE = """
query ($id: ID!) {
  _entities(representations: [{__typename: "Employee", id: $id}]) {
    ... on Employee {
      notificationPreferences { category channel frequency own mandatory }
      quietHours { start end timeZone }
    }
  }
}
"""

SET_PREFERENCE = """
mutation ($category: NotificationCategory!, $channel: NotificationChannel!,
          $frequency: NotificationFrequency!) {
  setNotificationPreference(input: {category: $category, channel: $channel, frequency: $frequency}) {
    __typename
    ... on SetNotificationPreferencePayload { preference { category channel frequency own mandatory } }
    ... on Error { code }
  }
}
"""

SET_PREFERENCE_FIELDS = """
mutation ($category: NotificationCategory!, $channel: NotificationChannel!,
          $frequency: NotificationFrequency!) {
  setNotificationPreference(input: {category: $category, channel: $channel, frequency: $frequency}) {
    __typename
    ... on ValidationError { fields { field } }
  }
}
"""

SET_QUIET = """
mutation ($input: SetQuietHoursInput!) {
  setQuietHours(input: $input) {
    __typename
    ... on SetQuietHoursPayload { quietHours { start end timeZone } }
    ... on ValidationError { code fields { field message } }
    ... on Error { code }
  }
}
"""

SET_DEFAULT = """
mutation ($input: SetNotificationDefaultInput!) {
  setNotificationDefault(input: $input) {
    __typename
    ... on SetNotificationDefaultPayload {
      notificationDefault { category channel frequency orgUnitCode }
    }
    ... on Error { code }
  }
}
"""

DEFAULTS = """
query { notificationDefaults(first: 10) { totalCount nodes { orgUnitCode channel frequency } } }
"""

HR_LEADER = Principal(subject="hr-leader", employee_id=None, roles=frozenset({Role.HR_LEADER}))
COORDINATOR = Principal(
    subject="coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR})
)


async def people(session: AsyncSession) -> tuple[EmployeeSnapshot, EmployeeSnapshot]:
    def build(sync: Any) -> tuple[EmployeeSnapshot, EmployeeSnapshot]:
        boss = hire_in(sync, "Bea Boss", org_unit_code="Engineering")
        ana = hire_in(sync, "Ana Lima", org_unit_code="Engineering / Platform", manager=boss)
        return boss, ana

    return await session.run_sync(build)  # type: ignore[no-any-return]


async def mine(
    session: AsyncSession, who: EmployeeSnapshot, *, as_: Principal | None = None
) -> tuple[dict[str, Any] | None, list[Any]]:
    return await run(
        session, MINE, as_=as_ or principal_of(who), variables={"id": str(who.employee_id)}
    )


def learning_email(preferences: list[dict[str, Any]]) -> dict[str, Any]:
    [found] = [p for p in preferences if (p["category"], p["channel"]) == ("LEARNING", "EMAIL")]
    return found


async def test_an_employee_sets_and_reads_their_own_preferences(session: AsyncSession) -> None:
    _, ana = await people(session)
    data, errors = await mine(session, ana)
    assert not errors and data is not None
    preferences = data["_entities"][0]["notificationPreferences"]
    assert len(preferences) == 10  # 5 categories x 2 channels
    assert learning_email(preferences) == {
        "category": "LEARNING",
        "channel": "EMAIL",
        "frequency": "IMMEDIATELY",
        "own": False,
        "mandatory": True,
    }
    assert {p["mandatory"] for p in preferences if p["category"] != "LEARNING"} == {False}
    assert data["_entities"][0]["quietHours"] is None

    result = await execute(
        session,
        SET_PREFERENCE,
        as_=principal_of(ana),
        variables={"category": "LEARNING", "channel": "EMAIL", "frequency": "WEEKLY"},
    )
    assert result["setNotificationPreference"]["preference"]["frequency"] == "WEEKLY"
    data, _ = await mine(session, ana)
    assert data is not None
    assert learning_email(data["_entities"][0]["notificationPreferences"])["own"] is True
    assert learning_email(data["_entities"][0]["notificationPreferences"])["frequency"] == "WEEKLY"


async def test_webhooks_are_not_a_personal_channel(session: AsyncSession) -> None:
    _, ana = await people(session)
    result = await execute(
        session,
        SET_PREFERENCE_FIELDS,
        as_=principal_of(ana),
        variables={"category": "LEARNING", "channel": "WEBHOOK", "frequency": "OFF"},
    )
    assert result["setNotificationPreference"]["__typename"] == "ValidationError"
    assert [f["field"] for f in result["setNotificationPreference"]["fields"]] == ["input.channel"]


async def test_someone_elses_preferences_are_refused_even_to_their_manager_and_hr(
    session: AsyncSession,
) -> None:
    boss, ana = await people(session)
    for who in (principal_of(boss, Role.MANAGER), HR_LEADER, ADMIN):
        data, errors = await mine(session, ana, as_=who)
        assert data is not None
        assert data["_entities"][0] == {"notificationPreferences": None, "quietHours": None}
        assert [e.extensions["code"] for e in errors] == ["FORBIDDEN", "FORBIDDEN"]


async def test_quiet_hours_are_validated_set_and_cleared(session: AsyncSession) -> None:
    _, ana = await people(session)
    me = principal_of(ana)
    bad = await execute(
        session,
        SET_QUIET,
        as_=me,
        variables={"input": {"start": "22:00:00", "end": "07:00:00", "timeZone": "Mars/Olympus"}},
    )
    assert bad["setQuietHours"]["__typename"] == "ValidationError"
    assert [f["field"] for f in bad["setQuietHours"]["fields"]] == ["input.timeZone"]
    empty = await execute(
        session,
        SET_QUIET,
        as_=me,
        variables={"input": {"start": "22:00:00", "end": "22:00:00", "timeZone": "Europe/Lisbon"}},
    )
    assert [f["field"] for f in empty["setQuietHours"]["fields"]] == ["input.end"]
    data, _ = await mine(session, ana)
    assert data is not None and data["_entities"][0]["quietHours"] is None

    good = await execute(
        session,
        SET_QUIET,
        as_=me,
        variables={"input": {"start": "22:00:00", "end": "07:00:00", "timeZone": "Europe/Lisbon"}},
    )
    assert good["setQuietHours"]["quietHours"] == {
        "start": "22:00:00",
        "end": "07:00:00",
        "timeZone": "Europe/Lisbon",
    }
    data, _ = await mine(session, ana)
    assert data is not None
    assert data["_entities"][0]["quietHours"]["timeZone"] == "Europe/Lisbon"

    cleared = await execute(session, SET_QUIET, as_=me, variables={"input": {"clear": True}})
    assert cleared["setQuietHours"] == {"__typename": "SetQuietHoursPayload", "quietHours": None}
    data, _ = await mine(session, ana)
    assert data is not None and data["_entities"][0]["quietHours"] is None


async def test_hr_leaders_set_defaults_that_apply_down_the_units_and_are_audited(
    session: AsyncSession,
) -> None:
    boss, ana = await people(session)
    engineering_weekly = {
        "input": {
            "category": "LEARNING",
            "channel": "EMAIL",
            "frequency": "WEEKLY",
            "orgUnitCode": "Engineering",
        }
    }
    for refused in (principal_of(boss, Role.MANAGER), COORDINATOR):
        result = await execute(session, SET_DEFAULT, as_=refused, variables=engineering_weekly)
        assert result["setNotificationDefault"] == {"__typename": "Forbidden", "code": "FORBIDDEN"}
        data, errors = await run(session, DEFAULTS, as_=refused)
        assert data == {"notificationDefaults": None}
        assert [e.extensions["code"] for e in errors] == ["FORBIDDEN"]

    set_ = await execute(session, SET_DEFAULT, as_=HR_LEADER, variables=engineering_weekly)
    assert set_["setNotificationDefault"]["notificationDefault"] == {
        "category": "LEARNING",
        "channel": "EMAIL",
        "frequency": "WEEKLY",
        "orgUnitCode": "Engineering",
    }
    # Ana is in Engineering / Platform: the Engineering default is hers.
    data, _ = await mine(session, ana)
    assert data is not None
    assert learning_email(data["_entities"][0]["notificationPreferences"]) == {
        "category": "LEARNING",
        "channel": "EMAIL",
        "frequency": "WEEKLY",
        "own": False,
        "mandatory": True,
    }

    engineering_weekly["input"]["frequency"] = "OFF"
    await execute(session, SET_DEFAULT, as_=ADMIN, variables=engineering_weekly)
    listed = await execute(session, DEFAULTS, as_=HR_LEADER)
    assert listed["notificationDefaults"] == {
        "totalCount": 1,
        "nodes": [{"orgUnitCode": "Engineering", "channel": "EMAIL", "frequency": "OFF"}],
    }

    blank = {"input": {**engineering_weekly["input"], "orgUnitCode": "  "}}
    refused = await execute(session, SET_DEFAULT, as_=ADMIN, variables=blank)
    assert refused["setNotificationDefault"]["__typename"] == "ValidationError"
    org_wide = {"input": {**engineering_weekly["input"], "orgUnitCode": None}}
    await execute(session, SET_DEFAULT, as_=ADMIN, variables=org_wide)
    listed = await execute(session, DEFAULTS, as_=ADMIN)
    assert [n["orgUnitCode"] for n in listed["notificationDefaults"]["nodes"]] == [
        None,
        "Engineering",
    ]

    audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.at))).all()
    assert [(a.actor, a.action) for a in audit] == [
        ("hr-leader", "notification_default.set"),
        ("admin", "notification_default.set"),
        ("admin", "notification_default.set"),
    ]
    assert audit[0].before is None
    assert audit[1].before is not None and audit[1].before["frequency"] == "weekly"
    assert audit[1].after is not None and audit[1].after["frequency"] == "off"
