"""CSV imports of historical ratings and assessments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_performance.imports.models import HistoricalAssessment, HistoricalRating
from talent_platform.auth import Principal

from ..factories import HR, count, execute, fields_of, make_employee, principal, published

IMPORT = """
mutation($input: ImportPerformanceCsvInput!) {
  importPerformanceCsv(input: $input) {
    __typename
    ... on ImportPayload { kind rows created updated unchanged events dryRun }
    ... on ValidationError { message fields { field message } }
    ... on Forbidden { message }
  }
}
"""


async def import_csv(
    session: AsyncSession, kind: str, csv: str, *, as_: Principal = HR, dry_run: bool = False
) -> dict[str, Any]:
    data = await execute(
        session,
        IMPORT,
        as_=as_,
        variables={"input": {"kind": kind, "csv": csv, "dryRun": dry_run}},
    )
    result: dict[str, Any] = data["importPerformanceCsv"]
    return result


RATINGS = """employee_id,cycle_code,overall_rating,rated_on
E100,2024-ANNUAL,4,2024-12-15
E100,2025-ANNUAL,3,2025-12-15
E101,2025-ANNUAL,5,2025-12-15
"""
ASSESSMENTS = """employee_id,competency_code,level,assessed_on,source
E100,excel,4,2025-06-01,assessment
E100,excel,3,2025-06-01,manager
E101,sql,2,2025-06-02,self
"""


async def test_ratings_import_publishes_each_rating_once(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")
    await make_employee(session, number="E101", status="terminated")

    first = await import_csv(session, "RATINGS", RATINGS)
    again = await import_csv(session, "RATINGS", RATINGS)

    assert (first["created"], first["events"]) == (3, 3)
    assert (again["created"], again["unchanged"], again["events"]) == (0, 3, 0)
    events = await published(session, RatingCalibrated)
    assert len(events) == 3
    mine = [e for e in events if e.employee_id == ada.employee_id]
    assert {(e.cycle_code, e.overall_rating, e.cycle_id) for e in mine} == {
        ("2024-ANNUAL", 4, None),
        ("2025-ANNUAL", 3, None),
    }


async def test_a_corrected_rating_is_updated_and_republished(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    await import_csv(
        session,
        "RATINGS",
        "employee_id,cycle_code,overall_rating,rated_on\nE100,2024,2,2024-12-01\n",
    )

    changed = await import_csv(
        session,
        "RATINGS",
        "employee_id,cycle_code,overall_rating,rated_on\nE100,2024,3,2024-12-01\n",
    )

    assert (changed["updated"], changed["events"]) == (1, 1)
    last = (await published(session, RatingCalibrated))[-1]
    assert (last.overall_rating, last.previous_rating) == (3, 2)


async def test_a_bad_ratings_file_is_rejected_whole_with_row_numbers(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    csv = (
        "employee_id,cycle_code,overall_rating,rated_on\n"
        "E100,2024,4,2024-12-01\n"
        "E999,2024,4,2024-12-01\n"
        "E100,2025,6,2025-13-01\n"
        "E100,2024,3,2024-12-02\n"
    )

    result = await import_csv(session, "RATINGS", csv)

    fields = fields_of(result)
    assert set(fields) == {
        "row 3: employee_id",
        "row 4: overall_rating",
        "row 4: rated_on",
        "row 5: cycle_code",
    }
    assert fields["row 5: cycle_code"] == "repeats row 2"
    assert await count(session, HistoricalRating) == 0
    assert await published(session, RatingCalibrated) == []


async def test_assessments_import_publishes_competency_assessed(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")
    await make_employee(session, number="E101")

    dry = await import_csv(session, "ASSESSMENTS", ASSESSMENTS, dry_run=True)
    assert await count(session, HistoricalAssessment) == 0
    first = await import_csv(session, "ASSESSMENTS", ASSESSMENTS)
    again = await import_csv(session, "ASSESSMENTS", ASSESSMENTS)

    assert (dry["created"], dry["dryRun"]) == (3, True)
    assert (first["created"], again["unchanged"], again["events"]) == (3, 3, 0)
    events = await published(session, CompetencyAssessed)
    assert {(e.employee_id, e.competency_code, e.level, e.source) for e in events} >= {
        (ada.employee_id, "excel", 4, "assessment"),
        (ada.employee_id, "excel", 3, "manager"),
    }
    assert all(e.assessor_id is None and e.cycle_id is None for e in events)


async def test_assessment_sources_and_levels_are_checked(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    csv = "employee_id,competency_code,level,assessed_on,source\nE100,excel,0,2025-06-01,boss\n"

    result = await import_csv(session, "ASSESSMENTS", csv)

    assert set(fields_of(result)) == {"row 2: level", "row 2: source"}


async def test_only_hr_imports(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")

    result = await import_csv(session, "RATINGS", RATINGS, as_=principal(ada))

    assert result["__typename"] == "Forbidden"
