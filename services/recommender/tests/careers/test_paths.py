"""Career paths: the moves people made from a job profile (JobProfile.nextMoves) and an
employee's paths from their own job with their own gaps (Employee.careerPaths), read
through the real schema from job history delivered as people's events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import JobHistoryRecorded

from ..factories import (
    HR,
    as_employee,
    assessed,
    competency,
    deliver,
    employee_id,
    execute,
    hired,
    job_profile,
    refused,
)

NEXT_MOVES = """query($representations: [_Any!]!, $first: Int!) {
  _entities(representations: $representations) {
    ... on JobProfile { code nextMoves(first: $first) {
      jobProfile { code } title count medianMonths
      gaps { competencyCode competencyName fromLevel toLevel importance } } }
  } }"""

CAREER_PATHS = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Employee { careerPaths(first: 5) {
      move { jobProfile { code } count }
      gaps { targetJobProfileCode gaps { competencyCode requiredLevel estimate gap } } } }
  } }"""


def held(number: str, profile: str, start: dt.date, end: dt.date | None) -> JobHistoryRecorded:
    return JobHistoryRecorded(
        employee_id=employee_id(number), job_profile_code=profile, start_date=start, end_date=end
    )


def moved(
    number: str, after_months: int, to: str, *, start: dt.date = dt.date(2020, 1, 1)
) -> list[JobHistoryRecorded]:
    """Analyst from `start`, then `to` after `after_months` (30-day months)."""
    change = start + dt.timedelta(days=30 * after_months)
    return [held(number, "analyst", start, change), held(number, to, change, None)]


async def framework(session: AsyncSession) -> None:
    await deliver(
        session,
        competency("excel"),
        competency("modelling"),
        competency("leadership"),
        job_profile("analyst", "Analyst", {"excel": (3, 5), "modelling": (2, 3)}),
        job_profile("senior", "Senior Analyst", {"excel": (4, 5), "modelling": (4, 4)}),
        job_profile("lead", "Team Lead", {"excel": (3, 2), "leadership": (3, 5)}),
        job_profile("auditor", "Auditor", {"excel": (3, 3)}),
    )


async def moves_from(session: AsyncSession, code: str, first: int = 5) -> list[dict[str, Any]]:
    data = await execute(
        session,
        NEXT_MOVES,
        as_=as_employee(employee_id("X")),
        variables={"representations": [{"__typename": "JobProfile", "code": code}], "first": first},
    )
    return data["_entities"][0]["nextMoves"]


async def test_next_moves_count_people_and_median_months_most_common_first(
    session: AsyncSession,
) -> None:
    await framework(session)
    events = []
    for n, months in enumerate([10, 20, 30, 40]):  # four analysts became seniors
        events += moved(f"S{n}", months, "senior")
    for n, months in enumerate([12, 24, 36]):  # three became team leads
        events += moved(f"L{n}", months, "lead")
    for n in range(2):  # two became auditors: too few to show
        events += moved(f"A{n}", 6, "auditor")
    for n in range(3):  # records corrected the same day are no move
        events += moved(f"C{n}", 0, "auditor", start=dt.date(2021, 1, 1))
    # A senior who later moved on: their analyst -> senior move counts, senior -> lead does not
    # count from analyst.
    events += [
        held("M1", "analyst", dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
        held("M1", "senior", dt.date(2020, 1, 1), dt.date(2022, 1, 1)),
        held("M1", "lead", dt.date(2022, 1, 1), None),
    ]
    await deliver(session, *events)

    moves = await moves_from(session, "analyst")

    assert [(m["jobProfile"]["code"], m["title"], m["count"]) for m in moves] == [
        ("senior", "Senior Analyst", 5),
        ("lead", "Team Lead", 3),
    ]
    days = sorted([300, 600, 900, 1200, 365])  # M1 held analyst for 365 days
    assert moves[0]["medianMonths"] == round(days[2] / 30.4375, 1)
    assert moves[1]["medianMonths"] == round(720 / 30.4375, 1)
    # What the move closes: what the next job asks more of, most important first.
    assert moves[0]["gaps"] == [
        {
            "competencyCode": "excel",
            "competencyName": "Excel",
            "fromLevel": 3,
            "toLevel": 4,
            "importance": 5,
        },
        {
            "competencyCode": "modelling",
            "competencyName": "Modelling",
            "fromLevel": 2,
            "toLevel": 4,
            "importance": 4,
        },
    ]
    assert moves[1]["gaps"] == [
        {
            "competencyCode": "leadership",
            "competencyName": "Leadership",
            "fromLevel": 0,
            "toLevel": 3,
            "importance": 5,
        },
    ]
    assert [m["jobProfile"]["code"] for m in await moves_from(session, "analyst", first=1)] == [
        "senior"
    ]
    assert [m["jobProfile"]["code"] for m in await moves_from(session, "senior")] == []


async def test_first_outside_its_range_is_the_callers_error(session: AsyncSession) -> None:
    _, errors = await refused(
        session,
        NEXT_MOVES,
        as_=HR,
        variables={"representations": [{"__typename": "JobProfile", "code": "x"}], "first": 21},
    )
    assert errors == [((("_entities", 0, "nextMoves")), "BAD_USER_INPUT")]


async def test_an_employee_sees_paths_from_their_job_with_their_own_gaps(
    session: AsyncSession,
) -> None:
    await framework(session)
    events: list[Any] = [hired("E1", profile="analyst"), hired("E2", profile="analyst")]
    for n in range(3):
        events += moved(f"S{n}", 12, "senior")
    await deliver(session, *events)
    await deliver(session, assessed("E1", "modelling", 3))

    data = await execute(
        session,
        CAREER_PATHS,
        as_=as_employee(employee_id("E1")),
        variables={"representations": [{"__typename": "Employee", "id": str(employee_id("E1"))}]},
    )

    [path] = data["_entities"][0]["careerPaths"]
    assert path["move"] == {"jobProfile": {"code": "senior"}, "count": 3}
    assert path["gaps"]["targetJobProfileCode"] == "senior"
    modelling = {g["competencyCode"]: g for g in path["gaps"]["gaps"]}["modelling"]
    assert modelling["requiredLevel"] == 4 and 0 < modelling["gap"] < 4

    # Someone else's paths are refused like their other gaps.
    _, errors = await refused(
        session,
        CAREER_PATHS,
        as_=as_employee(employee_id("E2")),
        variables={"representations": [{"__typename": "Employee", "id": str(employee_id("E1"))}]},
    )
    assert errors == [(("_entities", 0, "careerPaths"), "FORBIDDEN")]
