"""Who sees whose completions: self, the reporting chain above, HR; nobody else."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.people.models import EmployeeProjection
from talent_learning.people.service import can_see_employee
from talent_platform.auth import Principal, Role

from ..factories import (
    HR,
    completions_of,
    execute,
    make_completion,
    make_course,
    make_employee,
    principal,
)


@dataclass
class Org:
    ceo: EmployeeProjection
    mia: EmployeeProjection  # manages rob, who manages sue
    rob: EmployeeProjection
    sue: EmployeeProjection
    pat: EmployeeProjection  # mia's peer, manages pia
    pia: EmployeeProjection


@pytest.fixture
async def org(session: AsyncSession) -> Org:
    ceo = await make_employee(session, number="E1")
    mia = await make_employee(session, number="E2", manager=ceo)
    rob = await make_employee(session, number="E3", manager=mia)
    sue = await make_employee(session, number="E4", manager=rob)
    pat = await make_employee(session, number="E5", manager=ceo)
    pia = await make_employee(session, number="E6", manager=pat)
    course = await make_course(session, code="SEC-101")
    for employee in (ceo, mia, rob, sue, pat, pia):
        await make_completion(
            session, employee=employee, course=course, completed_on=dt.date(2024, 3, 1)
        )
    return Org(ceo=ceo, mia=mia, rob=rob, sue=sue, pat=pat, pia=pia)


def seen(pages: list[dict[str, object] | None]) -> list[bool]:
    return [page is not None and page["totalCount"] == 1 for page in pages]


async def test_an_employee_sees_only_their_own_completions(session: AsyncSession, org: Org) -> None:
    pages = await completions_of(session, [org.sue, org.rob, org.pia], as_=principal(org.sue))

    assert seen(pages) == [True, False, False]
    assert pages[1] is None and pages[2] is None


async def test_a_manager_sees_direct_and_indirect_reports_but_not_a_peers_or_their_own_boss(
    session: AsyncSession, org: Org
) -> None:
    pages = await completions_of(
        session,
        [org.rob, org.sue, org.mia, org.pia, org.pat, org.ceo],
        as_=principal(org.mia, Role.EMPLOYEE, Role.MANAGER),
    )

    assert seen(pages) == [True, True, True, False, False, False]


async def test_the_top_of_the_organisation_sees_everyone_below(
    session: AsyncSession, org: Org
) -> None:
    everyone = [org.mia, org.rob, org.sue, org.pat, org.pia]

    pages = await completions_of(session, everyone, as_=principal(org.ceo))

    assert seen(pages) == [True] * 5


@pytest.mark.parametrize("role", [Role.HR_COORDINATOR, Role.HR_LEADER, Role.ADMIN])
async def test_hr_and_admin_see_everyone(session: AsyncSession, org: Org, role: Role) -> None:
    hr = Principal(subject="hr", employee_id=None, roles=frozenset({role}))
    everyone = [org.ceo, org.mia, org.rob, org.sue, org.pat, org.pia]

    assert seen(await completions_of(session, everyone, as_=hr)) == [True] * 6


async def test_an_hr_coordinator_with_an_org_scope_sees_inside_it_and_their_own_team(
    session: AsyncSession,
) -> None:
    boss = await make_employee(session, number="S1", org_unit="Sales")
    seller = await make_employee(session, number="S2", org_unit="Sales / EMEA", manager=boss)
    salesy = await make_employee(session, number="S3", org_unit="Sales Ops")  # not below Sales
    builder = await make_employee(session, number="S4", org_unit="Engineering")
    coordinator = await make_employee(session, number="S5", org_unit="HR")
    helper = await make_employee(session, number="S6", org_unit="HR", manager=coordinator)
    course = await make_course(session, code="SCOPE-1")
    people = [boss, seller, salesy, builder, coordinator, helper]
    for employee in people:
        await make_completion(
            session, employee=employee, course=course, completed_on=dt.date(2024, 3, 1)
        )
    scoped = Principal(
        subject="hr",
        employee_id=coordinator.employee_id,
        roles=frozenset({Role.EMPLOYEE, Role.HR_COORDINATOR}),
        org_units=frozenset({"Sales"}),
    )

    assert seen(await completions_of(session, people, as_=scoped)) == [
        True,  # Sales
        True,  # Sales / EMEA, below Sales
        False,  # Sales Ops only shares a prefix
        False,  # Engineering
        True,  # themself
        True,  # their own report: reporting lines still count
    ]
    # The same coordinator without a scope, or an HR leader with one, sees everyone.
    unscoped = Principal(subject="hr", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
    leader = Principal(
        subject="hr",
        employee_id=None,
        roles=frozenset({Role.HR_LEADER, Role.HR_COORDINATOR}),
        org_units=frozenset({"Sales"}),
    )
    assert seen(await completions_of(session, people, as_=unscoped)) == [True] * 6
    assert seen(await completions_of(session, people, as_=leader)) == [True] * 6


async def test_a_token_without_an_employee_or_hr_role_sees_nobody(
    session: AsyncSession, org: Org
) -> None:
    pages = await completions_of(session, [org.ceo, org.sue], as_=principal(None, Role.MANAGER))

    assert pages == [None, None]


async def test_an_id_people_never_announced_has_no_completions_and_a_malformed_one_none(
    session: AsyncSession, org: Org
) -> None:
    data = await execute(
        session,
        """
        query($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Employee { completions { totalCount } }
          }
        }
        """,
        as_=HR,
        variables={
            "representations": [
                {"__typename": "Employee", "id": str(uuid.uuid4())},
                {"__typename": "Employee", "id": "not-a-uuid"},
            ]
        },
    )

    assert data["_entities"] == [{"completions": {"totalCount": 0}}, {"completions": None}]


async def test_a_reporting_cycle_in_the_data_does_not_hang_or_leak(session: AsyncSession) -> None:
    # people prevents cycles; the projection must still be safe if one slips through.
    a = await make_employee(session, number="A")
    b = await make_employee(session, number="B", manager=a)
    a.manager_id = b.employee_id
    outsider = await make_employee(session, number="C")
    await session.flush()

    assert await can_see_employee(session, principal(a), b.employee_id)
    assert await can_see_employee(session, principal(b), a.employee_id)
    assert not await can_see_employee(session, principal(outsider), a.employee_id)


async def test_completions_are_paged_newest_first(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")
    for code, day in (("A-1", "2023-01-10"), ("B-2", "2024-06-01"), ("C-3", "2024-02-15")):
        course = await make_course(session, code=code)
        await make_completion(
            session, employee=ada, course=course, completed_on=dt.date.fromisoformat(day)
        )

    [first] = await completions_of(session, [ada], as_=HR, first=2)
    assert first is not None
    [rest] = await completions_of(
        session, [ada], as_=HR, first=2, after=first["pageInfo"]["endCursor"]
    )

    assert [n["course"]["code"] for n in first["nodes"]] == ["B-2", "C-3"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    assert rest is not None
    assert [n["course"]["code"] for n in rest["nodes"]] == ["A-1"]
    assert rest["pageInfo"]["hasNextPage"] is False
