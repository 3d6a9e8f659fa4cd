"""Succession acceptance through the gateway: key role, slate, readiness, a development
plan whose course action reaches learning and is completed there, bench strength,
confidentiality, and a terminated incumbent opening the role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e
TODAY = dt.datetime.now(dt.UTC).date().isoformat()

DEFINE = """mutation ($input: DefineKeyRoleInput!) {
  defineKeyRole(input: $input) {
    __typename ... on DefineKeyRolePayload { keyRole { code vacant incumbent { id name } } }
    ... on Error { message }
  }
}"""
NOMINATE = """mutation ($input: NominateSuccessorInput!) {
  nominateSuccessor(input: $input) {
    __typename ... on NominationPayload { nomination { id rank readiness } }
    ... on Error { message }
  }
}"""
ASSESS = """mutation ($input: AssessReadinessInput!) {
  assessReadiness(input: $input) {
    __typename ... on NominationPayload { nomination { readiness } } ... on Error { message }
  }
}"""
ROLE = """query ($code: String!) {
  keyRole(code: $code) {
    vacant vacatedOn incumbent { id }
    benchStrength { readyNow ready1To2Years ready3PlusYears total }
    slate { rank readiness employee { id name } }
  }
}"""
REPORT = """{ benchStrengthReport { overall {
  keyRoles readyNow readySoon rolesWithoutSuccessor rolesWithoutReadySuccessor } } }"""
PLAN = """mutation ($input: CreateDevelopmentPlanInput!) {
  createDevelopmentPlan(input: $input) {
    __typename ... on DevelopmentPlanPayload { plan { id actions { id kind status courseCode } } }
    ... on Error { message }
  }
}"""
PLAN_STATUS = """query ($id: ID!) { developmentPlan(id: $id) {
  actions { id status completedOn } } }"""
ENROLLMENTS = """query ($id: ID!) { employee(id: $id) {
  enrollments(first: 50) { nodes { planActionId reason course { code } } } } }"""
RECORD = """mutation ($input: RecordCompletionInput!) {
  recordCompletion(input: $input) { __typename ... on Error { message } }
}"""
CONFIDENTIAL = """query ($id: ID!) { employee(id: $id) {
  id potential { potential } highPotential { reason } nominations { rank }
  developmentPlans { id } nineBox { performance } } }"""
TERMINATE = """mutation ($input: TerminateEmployeeInput!) {
  terminateEmployee(input: $input) { __typename ... on Error { message } }
}"""


def candidates(stack: Stack, avoid: set[str]) -> list[dict[str, Any]]:
    """Active individual contributors, none of them a demo token's person."""
    nodes = stack.query(
        stack.tokens["admin"],
        "{ employees(first: 100, filter: {status: ACTIVE}) { nodes { id name directReports { id } } } }",
    )["employees"]["nodes"]
    return [n for n in nodes if n["id"] not in avoid and not n["directReports"]]


def employee_has_enrollments_field(stack: Stack) -> bool:
    fields = stack.query(stack.tokens["admin"], '{ __type(name: "Employee") { fields { name } } }')[
        "__type"
    ]["fields"]
    return "enrollments" in {f["name"] for f in fields}


def test_succession_through_the_gateway(stack: Stack) -> None:
    hr = stack.tokens["hr_leader"]
    admin = stack.tokens["admin"]
    demo_people = {p["employee_id"] for p in stack.info["people"].values()}
    incumbent, first, second = candidates(stack, demo_people)[:3]
    before = stack.query(hr, REPORT)["benchStrengthReport"]["overall"]
    # The demo organisation's key roles (one per director, VP and the CEO) were imported.
    assert before["keyRoles"] > 0

    # A key role, held by the incumbent.
    defined = stack.query(
        hr,
        DEFINE,
        {
            "input": {
                "code": "E2E-CFO",
                "title": "Chief Financial Officer",
                "criticality": "HIGH",
                "incumbentId": incumbent["id"],
                "riskOfLoss": "HIGH",
            }
        },
    )["defineKeyRole"]
    assert defined["__typename"] == "DefineKeyRolePayload", defined
    # The gateway joins people's fields onto the incumbent.
    assert defined["keyRole"]["incumbent"] == {"id": incumbent["id"], "name": incumbent["name"]}

    # Two successors, then a readiness assessment.
    made = [
        stack.query(
            hr,
            NOMINATE,
            {
                "input": {
                    "keyRoleCode": "E2E-CFO",
                    "employeeId": person["id"],
                    "readiness": readiness,
                }
            },
        )["nominateSuccessor"]
        for person, readiness in ((first, "READY_1_2_YEARS"), (second, "READY_3_PLUS_YEARS"))
    ]
    assert [m["__typename"] for m in made] == ["NominationPayload"] * 2, made
    assert [m["nomination"]["rank"] for m in made] == [1, 2]
    assessed = stack.query(
        hr,
        ASSESS,
        {
            "input": {
                "nominationId": made[0]["nomination"]["id"],
                "readiness": "READY_NOW",
                "assessedOn": TODAY,
            }
        },
    )["assessReadiness"]
    assert assessed == {"__typename": "NominationPayload", "nomination": {"readiness": "READY_NOW"}}

    role = stack.query(hr, ROLE, {"code": "E2E-CFO"})["keyRole"]
    assert role["benchStrength"] == {
        "readyNow": 1,
        "ready1To2Years": 0,
        "ready3PlusYears": 1,
        "total": 2,
    }
    assert [(s["rank"], s["employee"]["name"]) for s in role["slate"]] == [
        (1, first["name"]),
        (2, second["name"]),
    ]

    # The bench-strength report counts the new role and its ready-now successor.
    after = stack.query(hr, REPORT)["benchStrengthReport"]["overall"]
    assert after["keyRoles"] == before["keyRoles"] + 1
    assert after["readyNow"] == before["readyNow"] + 1
    assert after["rolesWithoutSuccessor"] == before["rolesWithoutSuccessor"]

    # A development plan with a course action for the second successor.
    course = stack.query(admin, "{ courses(first: 1) { nodes { code } } }")["courses"]["nodes"][0]
    plan = stack.query(
        hr,
        PLAN,
        {
            "input": {
                "employeeId": second["id"],
                "title": "Towards CFO",
                "actions": [
                    {"kind": "COURSE", "title": "Finance", "courseCode": course["code"]},
                    {"kind": "MENTORING", "title": "Monthly with the CFO"},
                ],
            }
        },
    )["createDevelopmentPlan"]
    assert plan["__typename"] == "DevelopmentPlanPayload", plan
    action = plan["plan"]["actions"][0]
    assert (action["kind"], action["status"]) == ("COURSE", "OPEN")

    if employee_has_enrollments_field(stack):
        # Learning's consumer of plan_action.created assigns the course.
        def assigned() -> bool:
            nodes = stack.query(admin, ENROLLMENTS, {"id": second["id"]})["employee"][
                "enrollments"
            ]["nodes"]
            return any(
                n["planActionId"] == action["id"] and n["course"]["code"] == course["code"]
                for n in nodes
            )

        wait_until(assigned, timeout=60)

    # Learning records the completion; its enrollment.completed completes the action.
    recorded = stack.query(
        admin,
        RECORD,
        {
            "input": {
                "employeeId": second["id"],
                "courseCode": course["code"],
                "completedOn": TODAY,
            }
        },
    )["recordCompletion"]
    assert recorded["__typename"] == "RecordCompletionPayload", recorded

    def action_completed() -> bool:
        actions = stack.query(hr, PLAN_STATUS, {"id": plan["plan"]["id"]})["developmentPlan"][
            "actions"
        ]
        return any(a["id"] == action["id"] and a["status"] == "COMPLETED" for a in actions)

    wait_until(action_completed, timeout=60)
    completion = stack.query(hr, "{ planActionCompletion { kind completed } }")
    assert completion["planActionCompletion"][0]["completed"] >= 1
    assert completion["planActionCompletion"][0]["kind"] is None  # the all-kinds row
    assert "COURSE" in {row["kind"] for row in completion["planActionCompletion"]}

    # Employees and managers get no succession data: errors on succession queries, nulls
    # on succession's Employee fields.
    for role_name in ("employee", "manager"):
        token = stack.tokens[role_name]
        with pytest.raises(TransportQueryError, match="hr_leader and admin only"):
            stack.query(token, ROLE, {"code": "E2E-CFO"})
        with pytest.raises(TransportQueryError, match="hr_leader and admin only"):
            stack.query(token, REPORT)
    own = stack.info["people"]["employee"]["employee_id"]
    for role_name, subject in (("employee", own), ("manager", own)):
        seen = stack.query(stack.tokens[role_name], CONFIDENTIAL, {"id": subject})["employee"]
        assert seen == {
            "id": subject,
            "potential": None,
            "highPotential": None,
            "nominations": None,
            "developmentPlans": None,
            "nineBox": None,
        }
    hr_view = stack.query(hr, CONFIDENTIAL, {"id": second["id"]})["employee"]
    assert hr_view["nominations"] == [{"rank": 2}]

    # Terminating the incumbent in people opens the role.
    terminated = stack.query(
        admin,
        TERMINATE,
        {"input": {"id": incumbent["id"], "terminatedOn": TODAY}},
    )["terminateEmployee"]
    assert terminated["__typename"] == "EmployeePayload", terminated

    def vacant() -> bool:
        return bool(stack.query(hr, ROLE, {"code": "E2E-CFO"})["keyRole"]["vacant"])

    wait_until(vacant, timeout=60)
    role = stack.query(hr, ROLE, {"code": "E2E-CFO"})["keyRole"]
    assert role["incumbent"] is None and role["vacatedOn"] == TODAY
