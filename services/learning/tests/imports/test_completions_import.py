from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.models import Completion

from ..factories import (
    HR,
    completions_of,
    count,
    fields_of,
    import_csv,
    make_course,
    make_employee,
    make_employees,
    outbox_size,
    published,
)

HEADER = "employee_id,course_code,completed_on,score\n"


async def test_completions_import_records_each_row_once_and_publishes_it(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E100")
    bob = await make_employee(session, number="E200", status="terminated")
    await make_course(session, code="SEC-101", title="Security basics")
    await make_course(session, code="PY-201", title="Python")
    csv = (
        HEADER
        + "E100,SEC-101,2024-03-01,88.5\nE100,PY-201,2024-05-10,\nE200,SEC-101,2023-01-15,70\n"
    )

    result = await import_csv(session, "COMPLETIONS", csv)

    assert (result["rows"], result["created"], result["unchanged"], result["events"]) == (
        3,
        3,
        0,
        3,
    )
    ada_completions, bob_completions = await completions_of(session, [ada, bob], as_=HR)
    assert ada_completions is not None and bob_completions is not None
    assert ada_completions["nodes"] == [
        {
            "completedOn": "2024-05-10",
            "score": None,
            "source": "IMPORT",
            "course": {"code": "PY-201", "title": "Python"},
        },
        {
            "completedOn": "2024-03-01",
            "score": 88.5,
            "source": "IMPORT",
            "course": {"code": "SEC-101", "title": "Security basics"},
        },
    ]
    # A leaver's history is imported too.
    assert bob_completions["totalCount"] == 1
    events = await published(session, EnrollmentCompleted)
    assert {(e.employee_id, e.course_code, e.completed_on, e.score, e.source) for e in events} == {
        (ada.employee_id, "SEC-101", dt.date(2024, 3, 1), 88.5, "import"),
        (ada.employee_id, "PY-201", dt.date(2024, 5, 10), None, "import"),
        (bob.employee_id, "SEC-101", dt.date(2023, 1, 15), 70.0, "import"),
    }


async def test_reimporting_completions_inserts_and_publishes_nothing(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    await make_course(session, code="SEC-101")
    csv = HEADER + "E100,SEC-101,2024-03-01,88.5\nE100,SEC-101,2025-03-01,91\n"
    await import_csv(session, "COMPLETIONS", csv)
    events_before = await outbox_size(session)

    again = await import_csv(session, "COMPLETIONS", csv)

    assert (again["created"], again["unchanged"], again["events"]) == (0, 2, 0)
    assert await count(session, Completion) == 2
    assert await outbox_size(session) == events_before


async def test_a_file_with_new_and_known_completions_adds_only_the_new(
    session: AsyncSession,
) -> None:
    await make_employee(session, number="E100")
    await make_course(session, code="SEC-101")
    await import_csv(session, "COMPLETIONS", HEADER + "E100,SEC-101,2024-03-01,88.5\n")

    result = await import_csv(
        session,
        "COMPLETIONS",
        HEADER + "E100,SEC-101,2024-03-01,88.5\nE100,SEC-101,2025-03-02,90\n",
    )

    assert (result["created"], result["unchanged"], result["events"]) == (1, 1, 1)
    assert len(await published(session, EnrollmentCompleted)) == 2


async def test_a_bad_completions_file_reports_every_bad_row_and_writes_nothing(
    session: AsyncSession,
) -> None:
    await make_employee(session, number="E100")
    await make_course(session, code="SEC-101")
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    csv = (
        HEADER
        + "E100,SEC-101,2024-03-01,88.5\n"
        + "E999,SEC-101,2024-03-01,\n"
        + "E100,NOPE-1,2024-03-01,\n"
        + f"E100,SEC-101,{tomorrow},\n"
        + "E100,SEC-101,01/03/2024,101\n"
        + "E100,SEC-101,2024-03-01,70\n"
        + ",SEC-101,2024-03-01,\n"
    )

    result = await import_csv(session, "COMPLETIONS", csv)

    assert fields_of(result) == {
        "row 3: employee_id": "unknown employee 'E999'",
        "row 4: course_code": "unknown course 'NOPE-1'",
        "row 5: completed_on": f"{tomorrow} is in the future",
        "row 6: completed_on": "'01/03/2024' is not a date (YYYY-MM-DD)",
        "row 6: score": "101 is outside 0-100",
        "row 7: completed_on": "repeats row 2",
        "row 8: employee_id": "is required",
    }
    assert result["message"].startswith("completions: 7 problem(s)")
    assert await count(session, Completion) == 0
    assert await outbox_size(session) == 0


async def test_an_export_of_100_000_rows_is_imported_whole(session: AsyncSession) -> None:
    employees, courses = 25_000, 4
    await make_employees(session, [f"E{i:06d}" for i in range(employees)])
    for c in range(courses):
        await make_course(session, code=f"C{c:02d}")
    lines = [
        f"E{i:06d},C{c:02d},2024-{1 + c:02d}-{1 + i % 28:02d},{(i + c) % 101}"
        for i in range(employees)
        for c in range(courses)
    ]

    result = await import_csv(session, "COMPLETIONS", HEADER + "\n".join(lines) + "\n")

    assert (result["rows"], result["created"], result["events"]) == (100_000, 100_000, 100_000)
    assert await count(session, Completion) == 100_000
    assert await outbox_size(session) == 100_000
