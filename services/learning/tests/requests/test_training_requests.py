"""External training and tuition requests: manager then HR approval, the yearly cap,
rejections with reasons, and the status history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal

from ..factories import HR, execute, make_employee, principal

SUBMIT = """
mutation($input: SubmitTrainingRequestInput!) {
  submitTrainingRequest(input: $input) {
    __typename
    ... on TrainingRequestPayload { request { id status amount currency policyYear } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""

DECIDE = """
mutation($id: ID!, $reason: String!) {
  approve: approveTrainingRequest(input: {requestId: $id, comment: "ok"}) {
    __typename
    ... on TrainingRequestPayload { request { status } }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
  reject: rejectTrainingRequest(input: {requestId: $id, reason: $reason}) {
    __typename
    ... on TrainingRequestPayload { request { status rejectionReason history { status changedBy comment } } }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
}
"""

APPROVE = """
mutation($id: ID!) {
  approveTrainingRequest(input: {requestId: $id}) {
    __typename
    ... on TrainingRequestPayload { request { status history { status changedBy } } }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
}
"""

REJECT = """
mutation($id: ID!, $reason: String!) {
  reject: rejectTrainingRequest(input: {requestId: $id, reason: $reason}) {
    __typename
    ... on TrainingRequestPayload { request { status rejectionReason history { status comment } } }
  }
}
"""

NEXT_YEAR = dt.date.today().year + 1


async def submit(
    session: AsyncSession, as_: Principal, amount: str, **extra: Any
) -> dict[str, Any]:
    data = await execute(
        session,
        SUBMIT,
        as_=as_,
        variables={
            "input": {
                "title": "MSc Data Science, module 1",
                "provider": "Open University",
                "startsOn": f"{NEXT_YEAR}-02-01",
                "amount": amount,
                "currency": "EUR",
                **extra,
            }
        },
    )
    result: dict[str, Any] = data["submitTrainingRequest"]
    return result


async def approve(session: AsyncSession, as_: Principal, request_id: str) -> dict[str, Any]:
    data = await execute(session, APPROVE, as_=as_, variables={"id": request_id})
    result: dict[str, Any] = data["approveTrainingRequest"]
    return result


async def test_manager_then_hr_approve_within_the_yearly_cap(session: AsyncSession) -> None:
    await execute(
        session,
        'mutation { setTuitionPolicy(input: {currency: "EUR", yearlyCap: "5000"}) { __typename } }',
        as_=HR,
    )
    boss = await make_employee(session, number="B1")
    ada = await make_employee(session, number="E1", manager=boss)
    me = principal(ada)

    first = await submit(session, me, "3000.00")
    too_much = await submit(session, me, "2500")
    no_policy = await submit(session, me, "10", currency="GBP")
    request_id = first["request"]["id"]
    hr_first = await approve(session, HR, request_id)
    by_manager = await approve(session, principal(boss), request_id)
    by_manager_again = await approve(session, principal(boss), request_id)
    by_hr = await approve(session, HR, request_id)

    assert first["request"] == {
        "id": request_id,
        "status": "SUBMITTED",
        "amount": "3000.00",
        "currency": "EUR",
        "policyYear": NEXT_YEAR,
    }
    assert [f["field"] for f in too_much["fields"]] == ["input.amount"]
    assert "2000.00 EUR left" in too_much["fields"][0]["message"]
    assert [f["field"] for f in no_policy["fields"]] == ["input.currency"]
    assert hr_first["__typename"] == "Forbidden"  # the manager decides first
    assert by_manager["request"]["status"] == "MANAGER_APPROVED"
    assert by_manager_again["__typename"] == "Forbidden"  # now it is HR's turn
    assert by_hr["request"]["status"] == "APPROVED"
    assert [(h["status"], h["changedBy"]) for h in by_hr["request"]["history"]] == [
        ("SUBMITTED", str(ada.employee_id)),
        ("MANAGER_APPROVED", str(boss.employee_id)),
        ("APPROVED", "hr-coordinator"),
    ]
    mine = await execute(session, "{ trainingRequests { totalCount nodes { status } } }", as_=me)
    assert mine["trainingRequests"] == {"totalCount": 1, "nodes": [{"status": "APPROVED"}]}


async def test_rejections_need_a_reason_and_free_the_cap(session: AsyncSession) -> None:
    await execute(
        session,
        'mutation { setTuitionPolicy(input: {currency: "EUR", yearlyCap: "1000"}) { __typename } }',
        as_=HR,
    )
    boss = await make_employee(session, number="B1")
    ada = await make_employee(session, number="E1", manager=boss)
    request_id = (await submit(session, principal(ada), "1000"))["request"]["id"]
    stranger = await make_employee(session, number="X1")

    by_stranger = await execute(
        session, DECIDE, as_=principal(stranger), variables={"id": request_id, "reason": "no"}
    )
    rejected = await execute(
        session,
        REJECT,
        as_=principal(boss),
        variables={"id": request_id, "reason": "budget frozen this quarter"},
    )
    again = await submit(session, principal(ada), "1000")

    assert (by_stranger["approve"]["__typename"], by_stranger["reject"]["__typename"]) == (
        "Forbidden",
        "Forbidden",
    )
    assert rejected["reject"]["request"] == {
        "status": "REJECTED",
        "rejectionReason": "budget frozen this quarter",
        "history": [
            {"status": "SUBMITTED", "comment": None},
            {"status": "REJECTED", "comment": "budget frozen this quarter"},
        ],
    }
    assert again["request"]["status"] == "SUBMITTED"  # a rejected request no longer counts


@pytest.mark.parametrize(
    "amount", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999", "10000000000.00", "0", "1.001"]
)
async def test_an_amount_that_is_not_money_is_a_field_error(
    session: AsyncSession, amount: str
) -> None:
    # NaN does not compare and 1e999999 does not round (decimal.InvalidOperation), and
    # NUMERIC(12, 2) does not hold 10^10: each was an internal error, not the caller's.
    ada = await make_employee(session, number="E1")
    answer = await submit(session, principal(ada), amount)
    assert answer["__typename"] == "ValidationError", answer
    assert [f["field"] for f in answer["fields"]] == ["input.amount"]


@pytest.mark.parametrize("cap", ["NaN", "Infinity", "1e999999", "10000000000"])
async def test_a_yearly_cap_that_is_not_money_is_a_field_error(
    session: AsyncSession, cap: str
) -> None:
    answer = await execute(
        session,
        """mutation($cap: Decimal!) { setTuitionPolicy(input: {currency: "EUR", yearlyCap: $cap}) {
             __typename ... on ValidationError { fields { field message } } } }""",
        as_=HR,
        variables={"cap": cap},
    )
    policy = answer["setTuitionPolicy"]
    assert policy["__typename"] == "ValidationError", policy
    assert policy["fields"] == [
        {"field": "input.yearlyCap", "message": "a number from 0 to 9999999999.99"}
    ]
