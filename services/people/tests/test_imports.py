"""CSV imports: all-or-nothing, row-numbered errors, idempotent re-imports."""

from __future__ import annotations

from typing import Any

from .conftest import EMPLOYEES_CSV_HEADER, Api

IMPORT = """
mutation($kind: PeopleImportKind!, $csv: String!, $dryRun: Boolean! = false) {
  importPeopleCsv(input: {kind: $kind, csv: $csv, dryRun: $dryRun}) {
    __typename
    ... on ImportPayload { rows created updated unchanged events }
    ... on ValidationError { message fields { field message } }
    ... on Forbidden { message }
  }
}
"""

COMPETENCIES = """code,name,tier,description
COMM,Communication,core,Says things clearly
FIN-MOD,Financial Modelling,functional,Builds models
LEAD,Leading People,leadership,
"""
PROFILES = """code,title,family,level
FIN-2,Financial Analyst,Finance,2
FIN-4,Finance Manager,Finance,4
"""
REQUIREMENTS = """job_profile_code,competency_code,required_level,importance
FIN-4,FIN-MOD,4,5
FIN-4,LEAD,3,4
FIN-2,FIN-MOD,2,5
"""
EMPLOYEES = (
    EMPLOYEES_CSV_HEADER
    + """E1,Ada Boss,ada@example.com,2015-01-05,FIN-4,Finance,London,,active
E2,Bob Analyst,bob@example.com,2020-06-01,FIN-2,Finance,London,E1,active
E3,Cy Analyst,cy@example.com,2021-09-15,FIN-2,Finance / FP&A,Leeds,E2,active
"""
)


async def run(api: Api, kind: str, csv: str, **extra: Any) -> dict[str, Any]:
    return (await api(IMPORT, {"kind": kind, "csv": csv, **extra}))["importPeopleCsv"]  # type: ignore[no-any-return]


async def load_framework(api: Api) -> None:
    for kind, csv in (
        ("COMPETENCIES", COMPETENCIES),
        ("JOB_PROFILES", PROFILES),
        ("JOB_PROFILE_COMPETENCIES", REQUIREMENTS),
    ):
        assert (await run(api, kind, csv))["__typename"] == "ImportPayload"


async def test_framework_import_is_idempotent_and_publishes_changes_only(api: Api) -> None:
    first = await run(api, "COMPETENCIES", COMPETENCIES)
    assert first == {
        "__typename": "ImportPayload",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "events": 3,
    }
    await run(api, "JOB_PROFILES", PROFILES)
    reqs = await run(api, "JOB_PROFILE_COMPETENCIES", REQUIREMENTS)
    assert reqs["created"] == 3 and reqs["events"] == 2  # one job_profile.updated per profile
    events = await api.outbox_count()

    again = await run(api, "JOB_PROFILE_COMPETENCIES", REQUIREMENTS)
    assert again["unchanged"] == 3 and again["events"] == 0
    assert (await run(api, "COMPETENCIES", COMPETENCIES))["unchanged"] == 3
    assert await api.outbox_count() == events

    changed = await run(
        api, "JOB_PROFILE_COMPETENCIES", REQUIREMENTS.replace("FIN-4,LEAD,3,4", "FIN-4,LEAD,4,4")
    )
    assert (changed["updated"], changed["unchanged"], changed["events"]) == (1, 2, 1)
    profile = await api(
        '{ jobProfile(code: "FIN-4") { requirements { competency { code tier } requiredLevel importance } } }'
    )
    assert profile["jobProfile"]["requirements"] == [
        {
            "competency": {"code": "FIN-MOD", "tier": "FUNCTIONAL"},
            "requiredLevel": 4,
            "importance": 5,
        },
        {"competency": {"code": "LEAD", "tier": "LEADERSHIP"}, "requiredLevel": 4, "importance": 4},
    ]


async def test_employees_import_then_reimport_changes_nothing(api: Api) -> None:
    await load_framework(api)
    first = await run(api, "EMPLOYEES", EMPLOYEES)
    assert (first["created"], first["events"]) == (3, 6)  # hired + job history each
    events = await api.outbox_count()

    again = await run(api, "EMPLOYEES", EMPLOYEES)
    assert (again["created"], again["updated"], again["unchanged"], again["events"]) == (0, 0, 3, 0)
    assert await api.outbox_count() == events

    data = await api(
        '{ employees(filter: {search: "E3"}) { edges { node { name orgUnit { code } '
        "manager { name } reportingChain { employeeNumber } } } } }"
    )
    cy = data["employees"]["edges"][0]["node"]
    assert cy["orgUnit"] == {"code": "Finance / FP&A"}
    assert [m["employeeNumber"] for m in cy["reportingChain"]] == ["E2", "E1"]


async def test_moving_an_employee_publishes_one_transfer(api: Api) -> None:
    await load_framework(api)
    await run(api, "EMPLOYEES", EMPLOYEES)
    moved = await run(api, "EMPLOYEES", EMPLOYEES.replace("Leeds,E2,active", "Leeds,E1,active"))
    assert (moved["updated"], moved["unchanged"], moved["events"]) == (1, 2, 1)
    assert (await api.outbox_types())[-1] == "talent.people.employee.transferred.v1"
    promoted = await run(
        api, "EMPLOYEES", EMPLOYEES.replace("FIN-2,Finance / FP&A", "FIN-4,Finance / FP&A")
    )
    assert promoted["events"] == 2  # one transfer (manager back to E2 and new job) + job history
    history = await api(
        '{ employees(filter: {search: "E3"}) { edges { node { jobHistory { jobProfile { code } endDate } } } } }'
    )
    jobs = history["employees"]["edges"][0]["node"]["jobHistory"]
    assert [j["jobProfile"]["code"] for j in jobs] == ["FIN-4", "FIN-2"]
    assert jobs[0]["endDate"] is None and jobs[1]["endDate"] is not None


async def test_bad_rows_are_all_reported_by_number_and_nothing_is_written(api: Api) -> None:
    await load_framework(api)
    await run(api, "EMPLOYEES", EMPLOYEES)
    events = await api.outbox_count()
    bad = (
        EMPLOYEES_CSV_HEADER
        + (
            "E1,Ada Boss,ada@example.com,2015-01-05,FIN-4,Finance,London,E3,active\n"  # cycle E1->E3->E2->E1
            "E4,New Person,new@example.com,2023-13-01,FIN-2,Finance,London,E1,active\n"  # bad date
            "E5,Other,bob@example.com,2023-01-01,NOPE,Finance,London,E99,sometimes\n"  # email taken, refs, status
            "E4,Again,again@example.com,2023-01-01,,Finance,London,,active\n"  # duplicate id
        )
    )
    result = await run(api, "EMPLOYEES", bad)
    assert result["__typename"] == "ValidationError"
    fields = {(f["field"], f["message"]) for f in result["fields"]}
    assert ("row 2: manager_id", "reporting cycle through E1") in fields
    assert ("row 3: hire_date", "'2023-13-01' is not a date (YYYY-MM-DD)") in fields
    assert ("row 4: status", "'sometimes' is not one of active, terminated") in fields
    assert (
        "row 5: employee_id",
        "'E4' repeats row 3",
    ) not in fields  # row 3 was invalid, so not kept
    assert "nothing was imported" in result["message"]
    assert await api.outbox_count() == events
    directory = await api("{ employees { totalCount } }")
    assert directory["employees"]["totalCount"] == 3

    refs = await run(
        api,
        "EMPLOYEES",
        EMPLOYEES_CSV_HEADER
        + "E5,Other,bob@example.com,2023-01-01,NOPE,Finance,London,E99,active\n",
    )
    messages = {f["field"]: f["message"] for f in refs["fields"]}
    assert messages == {
        "row 2: email": "'bob@example.com' belongs to employee E2",
        "row 2: job_profile_code": "unknown job profile 'NOPE'",
        "row 2: manager_id": "unknown employee 'E99'",
    }


async def test_wrong_header_and_dry_run(api: Api) -> None:
    result = await run(api, "EMPLOYEES", "employee_id,name\nE1,Ada\n")
    assert result["__typename"] == "ValidationError"
    assert result["fields"][0]["field"] == "row 1"
    assert "missing column(s): email, hire_date" in result["fields"][0]["message"]

    await load_framework(api)
    events = await api.outbox_count()
    dry = await run(api, "EMPLOYEES", EMPLOYEES, dryRun=True)
    assert dry["created"] == 3
    assert (await api("{ employees { totalCount } }"))["employees"]["totalCount"] == 0
    assert await api.outbox_count() == events


async def test_job_history_import(api: Api) -> None:
    await load_framework(api)
    await run(api, "EMPLOYEES", EMPLOYEES)
    csv = "employee_id,job_profile_code,start_date,end_date\nE1,FIN-2,2015-01-05,2018-12-31\nE9,FIN-2,2019-01-01,\n"
    bad = await run(api, "JOB_HISTORY", csv)
    assert [(f["field"], f["message"]) for f in bad["fields"]] == [
        ("row 3: employee_id", "unknown employee 'E9'")
    ]
    good = await run(
        api, "JOB_HISTORY", csv.splitlines(keepends=True)[0] + csv.splitlines(keepends=True)[1]
    )
    assert (good["created"], good["events"]) == (1, 2)  # the period, and the moved current job
    assert (
        await run(
            api, "JOB_HISTORY", csv.splitlines(keepends=True)[0] + csv.splitlines(keepends=True)[1]
        )
    )["unchanged"] == 1


async def test_history_moves_the_current_job_after_the_last_listed_period(api: Api) -> None:
    await load_framework(api)
    await run(api, "EMPLOYEES", EMPLOYEES)  # E1 has been FIN-4 since hire (2015-01-05)
    history = "employee_id,job_profile_code,start_date,end_date\nE1,FIN-2,2015-01-05,2019-06-30\n"
    result = await run(api, "JOB_HISTORY", history)
    assert (result["created"], result["events"]) == (1, 2)  # the period, and the moved current job
    data = await api(
        '{ employees(filter: {search: "E1"}) { edges { node { jobHistory { jobProfile { code } startDate endDate } } } } }'
    )
    jobs = data["employees"]["edges"][0]["node"]["jobHistory"]
    assert jobs == [
        {"jobProfile": {"code": "FIN-4"}, "startDate": "2019-06-30", "endDate": None},
        {"jobProfile": {"code": "FIN-2"}, "startDate": "2015-01-05", "endDate": "2019-06-30"},
    ]
    again = await run(api, "JOB_HISTORY", history)
    assert (again["unchanged"], again["events"]) == (1, 0)
