"""Employees through the people subgraph: directory, admin mutations, authorization."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from talent_platform.auth import Principal, Role

from .conftest import Api, employee_principal

CREATE = """
mutation($input: CreateEmployeeInput!) {
  createEmployee(input: $input) {
    __typename
    ... on EmployeePayload { employee { id name email status manager { name } jobProfile { code } orgUnit { code } } }
    ... on ValidationError { message fields { field message } }
    ... on Forbidden { message }
  }
}
"""
UPDATE = """
mutation($input: UpdateEmployeeInput!) {
  updateEmployee(input: $input) {
    __typename
    ... on EmployeePayload { employee { id manager { name } jobProfile { code } } }
    ... on ValidationError { fields { field message } }
    ... on NotFound { entity key }
  }
}
"""
PROFILE = """
mutation { upsertJobProfile(input: {code: "ENG-2", title: "Engineer II", family: "Engineering", level: 2}) {
  __typename } }
"""


async def hire(
    api: Api, number: str, name: str, *, manager: str | None = None, **extra: Any
) -> dict[str, Any]:
    data = await api(
        CREATE,
        {
            "input": {
                "employeeNumber": number,
                "name": name,
                "email": f"{number.lower()}@example.com",
                "hireDate": "2022-03-01",
                "managerId": manager,
                **extra,
            }
        },
    )
    result = data["createEmployee"]
    assert result["__typename"] == "EmployeePayload", result
    return result["employee"]  # type: ignore[no-any-return]


async def test_hiring_publishes_events_and_records_job_history(api: Api) -> None:
    await api(PROFILE)
    boss = await hire(api, "E1", "Ada Boss", orgUnit="Engineering", jobProfileCode="ENG-2")
    assert boss["orgUnit"] == {"code": "Engineering"}
    assert boss["jobProfile"] == {"code": "ENG-2"}
    report = await hire(api, "E2", "Bob Report", manager=boss["id"])
    assert report["manager"] == {"name": "Ada Boss"}

    data = await api(
        "query($id: ID!) { employee(id: $id) { jobHistory { jobProfile { code } endDate } } }",
        {"id": boss["id"]},
    )
    assert data["employee"]["jobHistory"] == [{"jobProfile": {"code": "ENG-2"}, "endDate": None}]
    assert await api.outbox_types() == [
        "talent.people.job_profile.updated.v1",
        "talent.people.employee.hired.v1",
        "talent.people.job_history.recorded.v1",
        "talent.people.employee.hired.v1",
    ]


async def test_invalid_input_names_each_field_and_writes_nothing(api: Api) -> None:
    await hire(api, "E1", "Ada Boss")
    before = await api.outbox_count()
    data = await api(
        CREATE,
        {
            "input": {
                "employeeNumber": "E1",
                "name": " ",
                "email": "not-an-email",
                "hireDate": "2022-03-01",
                "jobProfileCode": "NOPE",
                "managerId": "4a9f1a4e-0000-0000-0000-000000000000",
            }
        },
    )
    result = data["createEmployee"]
    assert result["__typename"] == "ValidationError"
    fields = {f["field"]: f["message"] for f in result["fields"]}
    assert set(fields) == {
        "input.employeeNumber",
        "input.name",
        "input.email",
        "input.jobProfileCode",
        "input.managerId",
    }
    assert "already used" in fields["input.employeeNumber"]
    assert await api.outbox_count() == before


async def test_only_admins_and_coordinators_change_employees(api: Api) -> None:
    boss = await hire(api, "E1", "Ada Boss")
    data = await api(
        CREATE,
        {
            "input": {
                "employeeNumber": "E9",
                "name": "X",
                "email": "x@example.com",
                "hireDate": "2022-01-01",
            }
        },
        as_=employee_principal(boss["id"], Role.MANAGER),
    )
    assert data["createEmployee"]["__typename"] == "Forbidden"
    coordinator = Principal(subject="c", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
    data = await api(
        CREATE,
        {
            "input": {
                "employeeNumber": "E9",
                "name": "X",
                "email": "x@example.com",
                "hireDate": "2022-01-01",
            }
        },
        as_=coordinator,
    )
    assert data["createEmployee"]["__typename"] == "EmployeePayload"


async def test_manager_change_is_a_transfer_and_cycles_are_refused(api: Api) -> None:
    a = await hire(api, "E1", "Ada")
    b = await hire(api, "E2", "Bob", manager=a["id"])
    c = await hire(api, "E3", "Cy", manager=b["id"])

    cycle = await api(UPDATE, {"input": {"id": a["id"], "managerId": c["id"]}})
    assert cycle["updateEmployee"]["fields"] == [
        {"field": "input.managerId", "message": "would create a reporting cycle"}
    ]

    moved = await api(UPDATE, {"input": {"id": c["id"], "managerId": a["id"]}})
    assert moved["updateEmployee"]["employee"]["manager"] == {"name": "Ada"}
    assert (await api.outbox_types())[-1] == "talent.people.employee.transferred.v1"

    missing = await api(
        UPDATE, {"input": {"id": "4a9f1a4e-0000-0000-0000-000000000000", "name": "Z"}}
    )
    assert missing["updateEmployee"] == {
        "__typename": "NotFound",
        "entity": "employee",
        "key": "4a9f1a4e-0000-0000-0000-000000000000",
    }


async def test_directory_filters_sorts_and_pages(api: Api) -> None:
    boss = await hire(api, "E1", "Ada Boss")
    for i, name in enumerate(["Dee", "Cal", "Eve", "Bea"], start=2):
        await hire(api, f"E{i}", name, manager=boss["id"], location="Paris" if i % 2 else "Oslo")
    query = """query($first: Int, $after: String, $filter: EmployeeFilterInput) {
      employees(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""
    page1 = (await api(query, {"first": 2, "filter": {"managerId": boss["id"]}}))["employees"]
    assert page1["totalCount"] == 4
    assert [e["node"]["name"] for e in page1["edges"]] == ["Bea", "Cal"]
    assert page1["pageInfo"]["hasNextPage"] is True
    page2 = (
        await api(
            query,
            {
                "first": 2,
                "after": page1["pageInfo"]["endCursor"],
                "filter": {"managerId": boss["id"]},
            },
        )
    )["employees"]
    assert [e["node"]["name"] for e in page2["edges"]] == ["Dee", "Eve"]
    assert page2["pageInfo"]["hasNextPage"] is False

    paris = (await api(query, {"filter": {"location": "Paris"}}))["employees"]
    assert sorted(e["node"]["name"] for e in paris["edges"]) == ["Bea", "Cal"]
    search = (await api(query, {"filter": {"search": "ada"}}))["employees"]
    assert [e["node"]["name"] for e in search["edges"]] == ["Ada Boss"]

    errors = await api.errors(query, {"first": 1000})
    assert any("first: must be at most 100" in e for e in errors)


async def test_reporting_chain_and_private_job_history(api: Api) -> None:
    await api(PROFILE)
    a = await hire(api, "E1", "Ada", jobProfileCode="ENG-2")
    b = await hire(api, "E2", "Bob", manager=a["id"], jobProfileCode="ENG-2")
    c = await hire(api, "E3", "Cy", manager=b["id"], jobProfileCode="ENG-2")
    peer = await hire(api, "E4", "Pat", manager=a["id"])
    query = "query($id: ID!) { employee(id: $id) { reportingChain { name } directReports { name } jobHistory { startDate } } }"

    as_self = (await api(query, {"id": c["id"]}, as_=employee_principal(c["id"])))["employee"]
    assert [m["name"] for m in as_self["reportingChain"]] == ["Bob", "Ada"]
    assert as_self["jobHistory"] is not None
    as_skip_manager = (await api(query, {"id": c["id"]}, as_=employee_principal(a["id"])))[
        "employee"
    ]
    assert as_skip_manager["jobHistory"] is not None
    as_peer, errors = await api.refused(query, {"id": c["id"]}, as_=employee_principal(peer["id"]))
    assert as_peer["employee"]["jobHistory"] is None
    assert as_peer["employee"]["reportingChain"]  # the rest of the employee is there
    assert errors == [(("employee", "jobHistory"), "FORBIDDEN")]
    top = (await api(query, {"id": a["id"]}))["employee"]
    assert [r["name"] for r in top["directReports"]] == ["Bob", "Pat"]


async def test_an_hr_coordinators_org_scope_limits_whose_job_history_they_see(api: Api) -> None:
    await api(PROFILE)
    seller = await hire(api, "E1", "Sam", orgUnit="Sales / EMEA", jobProfileCode="ENG-2")
    builder = await hire(api, "E2", "Bo", orgUnit="Engineering", jobProfileCode="ENG-2")
    query = "query($id: ID!) { employee(id: $id) { name jobHistory { startDate } } }"
    scoped = Principal(
        subject="c",
        employee_id=None,
        roles=frozenset({Role.HR_COORDINATOR}),
        org_units=frozenset({"Sales"}),
    )

    inside = (await api(query, {"id": seller["id"]}, as_=scoped))["employee"]
    outside, errors = await api.refused(query, {"id": builder["id"]}, as_=scoped)
    assert inside["jobHistory"] is not None
    assert outside["employee"] == {"name": "Bo", "jobHistory": None}  # the directory stays open
    assert errors == [(("employee", "jobHistory"), "FORBIDDEN")]


async def test_termination_closes_job_history_and_is_published_once(api: Api) -> None:
    await api(PROFILE)
    a = await hire(api, "E1", "Ada", jobProfileCode="ENG-2")
    mutation = """mutation($input: TerminateEmployeeInput!) { terminateEmployee(input: $input) {
      __typename ... on EmployeePayload { employee { status terminatedOn } }
      ... on ValidationError { fields { field message } } } }"""
    done = await api(mutation, {"input": {"id": a["id"], "terminatedOn": "2024-06-30"}})
    assert done["terminateEmployee"]["employee"] == {
        "status": "TERMINATED",
        "terminatedOn": "2024-06-30",
    }
    again = await api(mutation, {"input": {"id": a["id"], "terminatedOn": "2024-07-01"}})
    assert again["terminateEmployee"]["fields"] == [
        {"field": "input.employeeId", "message": "is already terminated"}
    ]
    assert (await api.outbox_types()).count("talent.people.employee.terminated.v1") == 1
    history = await api(
        "query($id: ID!) { employee(id: $id) { jobHistory { endDate } } }", {"id": a["id"]}
    )
    assert history["employee"]["jobHistory"] == [{"endDate": "2024-06-30"}]


async def test_a_page_costs_the_same_queries_whatever_its_size(
    api: Api, engine: AsyncEngine
) -> None:
    """Cross-row fields go through DataLoaders: no query per employee (N+1)."""
    await api(PROFILE)
    boss = await hire(api, "E1", "Ada", jobProfileCode="ENG-2")
    for i in range(2, 12):
        await hire(api, f"E{i}", f"Report {i:02d}", manager=boss["id"], jobProfileCode="ENG-2")
    query = """query($first: Int) { employees(first: $first) { nodes {
      name manager { name } directReports { name } reportingChain { name } orgUnit { code }
      jobProfile { code requirements { requiredLevel } } jobHistory { startDate } } } }"""
    manager = employee_principal(boss["id"], Role.MANAGER)

    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        small = await api(query, {"first": 3}, as_=manager)
        small_count = len(statements)
        statements.clear()
        large = await api(query, {"first": 11}, as_=manager)
        large_count = len(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(small["employees"]["nodes"]) == 3 and len(large["employees"]["nodes"]) == 11
    assert all(n["jobHistory"] is not None for n in large["employees"]["nodes"])
    assert large_count == small_count
