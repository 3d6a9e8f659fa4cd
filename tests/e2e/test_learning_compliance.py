"""Acceptance for compliance training, through the gateway with a real GraphQL client:
a compliance rule assigns a course to a population, a hire in people assigns onboarding
(from the hire event alone), completions arrive by xAPI and by CSV (`talent import
completions`), the evidence lists exactly who is compliant as of a day, and a
recertification keeps the earlier completion in the history."""

from __future__ import annotations

import collections
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

TODAY = dt.date.today()

CREATE_COURSE = """mutation($input: CreateCourseInput!) {
  createCourse(input: $input) { __typename ... on CoursePayload { course { code version } } } }"""
CREATE_RULE = """mutation($input: CreateComplianceRuleInput!) {
  createComplianceRule(input: $input) {
    __typename ... on ComplianceRulePayload { assignedCount } ... on ValidationError { message } } }"""
SAVE_PATH = """mutation($input: SaveLearningPathInput!) {
  saveLearningPath(input: $input) { __typename ... on LearningPathPayload { path { code } } } }"""
HIRE = """mutation($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { __typename ... on EmployeePayload { employee { id } } } }"""
PEOPLE = """query($filter: EmployeeFilterInput) {
  employees(first: 100, filter: $filter) {
    nodes { id employeeNumber email location jobProfile { code } orgUnit { code } }
  } }"""
LEARNING = """query($id: ID!) { employee(id: $id) {
  enrollments(first: 50) { nodes { status reason dueOn course { code } path { code } } }
  completions(first: 50) { nodes { completedOn score source course { code } } }
} }"""
EVIDENCE = """query($course: String!, $asOf: Date!, $location: String!) {
  complianceEvidence(courseCode: $course, asOf: $asOf, population: {location: $location}, first: 100) {
    total compliant notCompliant
    rows { nodes { employeeId employeeNumber completedOn score validUntil compliant } }
  } }"""
SWEEP = """mutation { runComplianceSweep(input: {}) {
  __typename ... on ComplianceSweepPayload { assigned overdue dueSoon expiring } } }"""


def learning_of(stack: Stack, token: str, employee_id: str) -> dict[str, Any]:
    return stack.query(token, LEARNING, {"id": employee_id})["employee"]  # type: ignore[no-any-return]


def enrollments_in(stack: Stack, token: str, employee_id: str, course: str) -> list[dict[str, Any]]:
    nodes = learning_of(stack, token, employee_id)["enrollments"]["nodes"]
    return [n for n in nodes if n["course"]["code"] == course]


def post_xapi(stack: Stack, token: str, statements: list[dict[str, Any]]) -> httpx.Response:
    base = stack.info["services"]["learning"]["url"].removesuffix("/graphql")
    return httpx.post(
        f"{base}/xapi/statements",
        json=statements,
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )


def learning_errors(stack: Stack) -> str:
    """The learning processes' error lines of the stack's log (for failure messages)."""
    log = (stack.state_dir / "dev-up.log").read_text(errors="replace").splitlines()
    return "\n".join(line[:2000] for line in log if "learning" in line and "rror" in line)[-20000:]


def xapi(verb: str, actor: dict[str, Any], course: str, scaled: float) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": f"https://lms.example.com/activities/{course}"},
        "result": {"score": {"scaled": scaled}, "success": True},
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
    }


def test_compliance_training_from_rule_to_evidence_and_recertification(
    stack: Stack, tmp_path: Path
) -> None:
    admin = stack.tokens["admin"]
    tag = uuid.uuid4().hex[:6].upper()
    fire, intro = f"FIRE-{tag}", f"WELCOME-{tag}"

    # The catalog: a course to renew every 12 months, and an onboarding course.
    for code, months in ((fire, 12), (intro, None)):
        created = stack.query(
            admin,
            CREATE_COURSE,
            {
                "input": {
                    "code": code,
                    "title": code,
                    "modality": "E_LEARNING",
                    "durationHours": 1,
                    "mandatory": True,
                    "recertifyMonths": months,
                }
            },
        )["createCourse"]
        assert created["__typename"] == "CoursePayload", created

    # The population: the demo location with the most active people.
    everyone = stack.query(admin, PEOPLE, {"filter": {"status": "ACTIVE"}})["employees"]["nodes"]
    location, _ = collections.Counter(e["location"] for e in everyone if e["location"]).most_common(
        1
    )[0]
    population = stack.query(admin, PEOPLE, {"filter": {"status": "ACTIVE", "location": location}})[
        "employees"
    ]["nodes"]
    assert len(population) >= 3

    # 1. A compliance rule assigns the course to the whole population at once.
    rule = stack.query(
        admin,
        CREATE_RULE,
        {
            "input": {
                "code": f"RULE-{tag}",
                "courseCode": fire,
                "population": {"location": location},
                "withinDays": 30,
            }
        },
    )["createComplianceRule"]
    assert rule == {"__typename": "ComplianceRulePayload", "assignedCount": len(population)}
    first = enrollments_in(stack, admin, population[0]["id"], fire)
    assert [(e["status"], e["reason"], e["dueOn"]) for e in first] == [
        ("ASSIGNED", "COMPLIANCE", (TODAY + dt.timedelta(days=30)).isoformat())
    ]

    # 2. A hire (people's createEmployee) gets the onboarding path for their job profile and
    # location, and the compliance course, from the hire event alone.
    profile = next(e["jobProfile"]["code"] for e in population if e["jobProfile"])
    path = stack.query(
        admin,
        SAVE_PATH,
        {
            "input": {
                "code": f"ONB-{tag}",
                "title": "Welcome",
                "kind": "ONBOARDING",
                "jobProfileCode": profile,
                "location": location,
                "targetDays": 21,
                "steps": [{"courseCode": intro}],
            }
        },
    )["saveLearningPath"]
    assert path["__typename"] == "LearningPathPayload", path
    hired = stack.query(
        admin,
        HIRE,
        {
            "input": {
                "employeeNumber": f"N{tag}",
                "name": f"New Hire {tag}",
                "email": f"new.{tag.lower()}@example.com",
                "hireDate": TODAY.isoformat(),
                "jobProfileCode": profile,
                "location": location,
                "orgUnit": population[0]["orgUnit"]["code"] if population[0]["orgUnit"] else None,
            }
        },
    )["createEmployee"]
    assert hired["__typename"] == "EmployeePayload", hired
    newcomer = hired["employee"]["id"]

    # Only this test's courses: the demo organisation's own compliance rules (scenes of
    # `talent dev up`) assign the newcomer their courses too.
    def assigned_here() -> set[tuple[str, str, str, str | None]]:
        return {
            (e["course"]["code"], e["reason"], e["dueOn"], (e["path"] or {}).get("code"))
            for e in learning_of(stack, admin, newcomer)["enrollments"]["nodes"]
            if e["course"]["code"] in (intro, fire)
        }

    try:
        wait_until(lambda: len(assigned_here()) >= 2, timeout=90)
    except pytest.fail.Exception:
        pytest.fail(f"no onboarding for the new hire; learning errors:\n{learning_errors(stack)}")
    assigned = assigned_here()
    assert assigned == {
        (intro, "ONBOARDING", (TODAY + dt.timedelta(days=21)).isoformat(), f"ONB-{tag}"),
        (fire, "COMPLIANCE", (TODAY + dt.timedelta(days=30)).isoformat(), None),
    }

    # 3. Completions: one by xAPI (actor by email), one by CSV dated 340 days ago.
    by_xapi, by_csv = population[0], population[1]
    statement = xapi("passed", {"mbox": f"mailto:{by_xapi['email']}"}, fire, 0.92)
    posted = post_xapi(stack, admin, [statement])
    repeated = post_xapi(stack, admin, [statement])
    assert posted.status_code == 200, posted.text
    assert (posted.json()["recorded"], repeated.json()["duplicates"]) == (1, 1)
    earlier_day = TODAY - dt.timedelta(days=340)
    csv_path = tmp_path / "completions.csv"
    csv_path.write_text(
        f"employee_id,course_code,completed_on,score\n{by_csv['employeeNumber']},{fire},{earlier_day.isoformat()},81\n"
    )
    imported = stack.talent("import", "completions", str(csv_path))
    assert imported.returncode == 0, imported.stderr

    # 4. The evidence lists exactly who is compliant, as of today and as of an earlier day.
    def evidence(as_of: dt.date) -> dict[str, Any]:
        return stack.query(
            admin, EVIDENCE, {"course": fire, "asOf": as_of.isoformat(), "location": location}
        )["complianceEvidence"]  # type: ignore[no-any-return]

    today = evidence(TODAY)
    compliant = {r["employeeNumber"]: r for r in today["rows"]["nodes"] if r["compliant"]}
    assert set(compliant) == {by_xapi["employeeNumber"], by_csv["employeeNumber"]}
    assert today["total"] == len(population) + 1  # the new hire, hired today, is counted
    assert (today["compliant"], today["notCompliant"]) == (2, len(population) - 1)
    assert compliant[by_xapi["employeeNumber"]]["score"] == 92.0
    assert (
        compliant[by_csv["employeeNumber"]]["validUntil"]
        == earlier_day.replace(year=earlier_day.year + 1).isoformat()
    )
    before = evidence(TODAY - dt.timedelta(days=1))
    assert {r["employeeNumber"] for r in before["rows"]["nodes"] if r["compliant"]} == {
        by_csv["employeeNumber"]
    }

    # 5. The sweep assigns the recertification before the CSV completion expires; completing
    # it by xAPI (actor by employee number) keeps the earlier completion in the history.
    swept = stack.query(admin, SWEEP)["runComplianceSweep"]
    assert swept["__typename"] == "ComplianceSweepPayload" and swept["assigned"] >= 1
    renewals = [
        e for e in enrollments_in(stack, admin, by_csv["id"], fire) if e["status"] == "ASSIGNED"
    ]
    assert [e["dueOn"] for e in renewals] == [
        earlier_day.replace(year=earlier_day.year + 1).isoformat()
    ]
    account = {"account": {"homePage": "https://hr.example.com", "name": by_csv["employeeNumber"]}}
    assert post_xapi(stack, admin, [xapi("completed", account, fire, 0.88)]).status_code == 200
    history = learning_of(stack, admin, by_csv["id"])
    assert [
        (c["completedOn"], c["source"])
        for c in history["completions"]["nodes"]
        if c["course"]["code"] == fire
    ] == [
        (TODAY.isoformat(), "XAPI"),
        (earlier_day.isoformat(), "IMPORT"),
    ]
    assert {e["status"] for e in enrollments_in(stack, admin, by_csv["id"], fire)} == {"COMPLETED"}
    latest = {r["employeeNumber"]: r for r in evidence(TODAY)["rows"]["nodes"]}[
        by_csv["employeeNumber"]
    ]
    assert (latest["completedOn"], latest["compliant"]) == (TODAY.isoformat(), True)
