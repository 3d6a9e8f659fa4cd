"""Successor suggestions through the schema: succession events in, KeyRole entity out."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import (
    EmployeeTerminated,
    JobProfileUpdated,
    RequirementSnapshot,
)
from talent_contracts.performance import RatingCalibrated
from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleVacated,
    PotentialAssessed,
    ReadinessAssessed,
    SuccessorNominated,
    SuccessorRemoved,
)
from talent_platform.auth import Principal, Role
from talent_platform.graphql import TalentContext
from talent_recommender.db import messaging
from talent_recommender.ingest.models import KeyRole, Nomination, PerformanceSummary, Potential
from talent_recommender.profiles.inference import refit
from talent_recommender.recommendations.issuing import successor_recommendation_id
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.repository import RecommenderRepository
from talent_recommender.schema import schema
from talent_recommender.successors.repository import SuccessorRepository
from talent_recommender.successors.service import SuccessorService

from ..factories import (
    HR,
    HR_LEADER,
    SETTINGS,
    as_employee,
    assessed,
    competency,
    deliver,
    employee_id,
    hired,
)

ROLE = uuid.uuid5(uuid.NAMESPACE_URL, "talent-recommender-test/key-role/head-fpa")
DAY = dt.date(2026, 6, 1)

SUGGESTIONS = """
query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) { ... on KeyRole {
  successorSuggestions(first: $first) {
    id employee { id } score readiness readinessAssessed fit reasons strengths
    gaps { competencyCode gap } slateRank accepted
  }
  successorSuggestionOrgUnits(first: $first) { orgUnitCode suggestions share }
} } }
"""


def profile(code: str, title: str, family: str, level: int) -> JobProfileUpdated:
    requirements = {"fin_model": (4, 5), "reporting": (4, 3), "leadership": (3, 4)}
    return JobProfileUpdated(
        code=code,
        title=title,
        family=family,
        level=level,
        requirements=tuple(
            RequirementSnapshot(competency_code=c, required_level=lvl, importance=imp)
            for c, (lvl, imp) in requirements.items()
        ),
    )


def rating(number: str, cycle: str, value: int, on: dt.date) -> RatingCalibrated:
    return RatingCalibrated(
        employee_id=employee_id(number),
        cycle_id=None,
        cycle_code=cycle,
        overall_rating=value,
        previous_rating=None,
        rated_on=on,
    )


def potential(number: str, level: str, on: dt.date = DAY) -> PotentialAssessed:
    return PotentialAssessed(
        assessment_id=uuid.uuid4(),
        employee_id=employee_id(number),
        potential=level,  # type: ignore[arg-type]
        assessed_on=on,
        assessor_id=None,
        review_by=on + dt.timedelta(days=365),
    )


def key_role(incumbent: str | None = "M1") -> KeyRoleDefined:
    return KeyRoleDefined(
        key_role_id=ROLE,
        code="HEAD-FPA",
        title="Head of FP&A",
        job_profile_code="finance_manager",
        incumbent_id=employee_id(incumbent) if incumbent else None,
        org_unit_code="finance",
        criticality="high",
        risk_of_loss="medium",
        impact_of_loss="high",
        expected_vacancy_date=None,
    )


def nominated(
    number: str, nomination: uuid.UUID, *, rank: int = 1, suggestion: uuid.UUID | None = None
) -> SuccessorNominated:
    return SuccessorNominated(
        nomination_id=nomination,
        key_role_id=ROLE,
        key_role_code="HEAD-FPA",
        employee_id=employee_id(number),
        readiness="ready_1_2_years",
        rank=rank,
        emergency=False,
        suggestion_id=suggestion,
        nominated_on=DAY,
    )


def removed(number: str, nomination: uuid.UUID) -> SuccessorRemoved:
    return SuccessorRemoved(
        nomination_id=nomination,
        key_role_id=ROLE,
        key_role_code="HEAD-FPA",
        employee_id=employee_id(number),
        reason="moved on",
        removed_on=DAY,
    )


def evidence(number: str, fin_model: int, reporting: int, leadership: int) -> list[Any]:
    return [
        assessed(number, "fin_model", fin_model),
        assessed(number, "reporting", reporting),
        assessed(number, "leadership", leadership),
    ]


async def build_bench(session: AsyncSession) -> None:
    """Finance family levels 1, 3, 4, 5 and a Sales level-4 profile, all requiring the
    same competencies, and people of every kind around one key role."""
    await deliver(
        session,
        competency("fin_model", "Financial Modelling"),
        competency("reporting", "Reporting"),
        competency("leadership", "Leadership"),
        profile("clerk", "Finance Clerk", "Finance", 1),
        profile("analyst", "Financial Analyst", "Finance", 3),
        profile("senior_analyst", "Senior Financial Analyst", "Finance", 4),
        profile("finance_manager", "Finance Manager", "Finance", 5),
        profile("sales_lead", "Sales Lead", "Sales", 4),
        hired("M1", profile="finance_manager"),
        hired("S1", profile="senior_analyst", org_unit="finance/fpa"),
        hired("S2", profile="senior_analyst", org_unit="finance/fpa"),
        hired("A1", profile="analyst", org_unit="finance/fpa"),
        hired("R1", profile="sales_lead", org_unit="sales"),
        hired("C1", profile="clerk"),
        hired("T1", profile="senior_analyst"),
        hired("X1", profile="senior_analyst"),
        hired("N1", profile="senior_analyst", org_unit="finance/controlling"),
        *evidence("M1", 5, 5, 5),
        *evidence("S1", 4, 4, 3),
        *evidence("S2", 3, 3, 2),
        *evidence("A1", 4, 4, 3),
        *evidence("R1", 4, 4, 3),
        *evidence("C1", 5, 5, 5),
        *evidence("T1", 5, 5, 5),
        *evidence("X1", 5, 5, 5),
        *evidence("N1", 3, 4, 3),
        rating("S1", "2025", 4, dt.date(2025, 12, 15)),
        rating("S1", "2024", 5, dt.date(2024, 12, 15)),
        rating("S2", "2025", 3, dt.date(2025, 12, 15)),
        potential("S1", "high"),
        key_role(),
    )
    terminated = hired("T1", profile="senior_analyst").employee.model_copy(
        update={"status": "terminated"}
    )
    nomination_x, nomination_n = uuid.uuid4(), uuid.uuid4()
    await deliver(
        session,
        EmployeeTerminated(
            employee_id=terminated.employee_id, employee=terminated, terminated_on=DAY
        ),
        nominated("X1", nomination_x, rank=2),
        removed("X1", nomination_x),
        nominated("N1", nomination_n, rank=1),
    )


async def suggestions(
    session: AsyncSession, *, as_: Principal = HR_LEADER, first: int = 10
) -> tuple[dict[str, Any] | None, list[Any] | None]:
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(
        SUGGESTIONS,
        variable_values={"r": [{"__typename": "KeyRole", "id": str(ROLE)}], "first": first},
        context_value=context,
    )
    entity = result.data["_entities"][0] if result.data else None
    return entity, result.errors


def who(items: list[dict[str, Any]]) -> list[uuid.UUID]:
    return [uuid.UUID(s["employee"]["id"]) for s in items]


async def test_ranks_plausible_successors_with_reasons(session: AsyncSession) -> None:
    await build_bench(session)
    entity, errors = await suggestions(session)
    assert errors is None, errors
    assert entity is not None
    listed = entity["successorSuggestions"]
    ids = who(listed)
    # The strong senior analyst (one level below, rated, high potential) leads.
    assert ids[0] == employee_id("S1")
    top = listed[0]
    assert "meets 3 of 3 requirements of Head of FP&A (competency fit 95%)" in top["reasons"]
    assert "Senior Financial Analyst is one level below, in the same job family" in top["reasons"]
    assert "calibrated rating 4 of 5 in 2025" in top["reasons"]
    assert "high potential" in top["reasons"]
    assert top["readiness"] == "READY_NOW" and top["readinessAssessed"] is False
    assert top["fit"] > 0.9 and top["gaps"] == []  # expected fit: estimates carry doubt
    assert top["strengths"][0] == "Financial Modelling at 4 (requires 4)"
    # Never the incumbent, a terminated employee or someone removed from the slate; the
    # other family, two levels below and a capable clerk far below are all candidates:
    # the whole organisation is searched, and the reasons say who is off the usual path.
    for absent in ("M1", "T1", "X1"):
        assert employee_id(absent) not in ids
    assert {employee_id(n) for n in ("S2", "A1", "R1", "N1", "C1")} <= set(ids)
    clerk = listed[ids.index(employee_id("C1"))]
    assert any("outside the usual path" in r for r in clerk["reasons"])
    # Equal evidence: one level below in the family beats two below and another family.
    assert ids.index(employee_id("S1")) < ids.index(employee_id("A1"))
    assert ids.index(employee_id("S1")) < ids.index(employee_id("R1"))
    scores = [s["score"] for s in listed]
    assert scores == sorted(scores, reverse=True)


async def test_slate_members_carry_hr_readiness_and_rank(session: AsyncSession) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session)
    assert entity is not None
    on_slate = next(s for s in entity["successorSuggestions"] if s["slateRank"] is not None)
    assert uuid.UUID(on_slate["employee"]["id"]) == employee_id("N1")
    assert on_slate["slateRank"] == 1
    assert on_slate["readiness"] == "READY_1_2_YEARS" and on_slate["readinessAssessed"]
    assert on_slate["reasons"][0] == f"on the slate (rank 1) since {DAY.isoformat()}"
    assert "HR assessed ready in 1-2 years for this role" in on_slate["reasons"]
    gap = on_slate["gaps"][0]
    assert gap == {"competencyCode": "fin_model", "gap": 1.0}


async def test_org_unit_shares_cover_every_suggestion(session: AsyncSession) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session, first=5)
    assert entity is not None
    shares = entity["successorSuggestionOrgUnits"]
    assert sum(s["suggestions"] for s in shares) == len(entity["successorSuggestions"]) == 5
    assert shares[0] == {"orgUnitCode": "finance/fpa", "suggestions": 2, "share": 0.4}
    assert sum(s["share"] for s in shares) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "principal",
    [
        HR,
        as_employee(employee_id("S1")),
        Principal(subject="m1", employee_id=employee_id("M1"), roles=frozenset({Role.MANAGER})),
    ],
    ids=["hr_coordinator", "employee", "manager"],
)
async def test_only_hr_leaders_and_admins_see_suggestions(
    session: AsyncSession, principal: Principal
) -> None:
    await build_bench(session)
    entity, errors = await suggestions(session, as_=principal)
    # Refused fields answer null with FORBIDDEN; the key role entity itself stays.
    assert entity == {"successorSuggestions": None, "successorSuggestionOrgUnits": None}
    assert errors and "visible to hr_leader and admin only" in errors[0].message
    assert {(e.extensions or {})["code"] for e in errors} == {"FORBIDDEN"}
    issued = await session.scalar(select(IssuedRecommendation.recommendation_id).limit(1))
    assert issued is None


async def test_the_caller_is_never_suggested_for_a_role(session: AsyncSession) -> None:
    await build_bench(session)
    leader = Principal(
        subject="s1", employee_id=employee_id("S1"), roles=frozenset({Role.HR_LEADER})
    )
    entity, _ = await suggestions(session, as_=leader)
    assert entity is not None
    assert employee_id("S1") not in who(entity["successorSuggestions"])


@pytest.mark.parametrize("first", [0, 51])
async def test_first_out_of_range_names_the_argument(session: AsyncSession, first: int) -> None:
    await build_bench(session)
    entity, errors = await suggestions(session, first=first)
    # The field is refused, not its key role: the rest of the entity keeps its data.
    assert entity is not None and entity["successorSuggestions"] is None
    assert errors and (errors[0].extensions or {})["code"] == "BAD_USER_INPUT"
    assert "first" in (errors[0].extensions or {})["fields"][0]["field"]


async def test_served_suggestions_are_issued_and_accepted_by_nomination(
    session: AsyncSession,
) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session, first=3)
    assert entity is not None
    top = entity["successorSuggestions"][0]
    assert uuid.UUID(top["id"]) == successor_recommendation_id(employee_id("S1"), ROLE)
    issued = (
        await session.scalars(
            select(IssuedRecommendation).where(IssuedRecommendation.kind == "successor")
        )
    ).all()
    assert {r.employee_id for r in issued} == set(who(entity["successorSuggestions"]))
    assert all(r.key_role_id == ROLE for r in issued)
    events = await outbox(session, "talent.recommender.recommendation.issued.v1")
    assert {e["recommendation_id"] for e in events} == {
        s["id"] for s in entity["successorSuggestions"]
    }
    assert all(e["kind"] == "successor" and e["reasons"] for e in events)

    await deliver(session, nominated("S1", uuid.uuid4(), rank=2, suggestion=uuid.UUID(top["id"])))
    again, _ = await suggestions(session, first=3)
    assert again is not None
    first = again["successorSuggestions"][0]
    assert first["accepted"] is True and first["slateRank"] == 2
    feedback = await outbox(session, "talent.recommender.recommendation.feedback.v1")
    assert [(f["kind"], f["recommendation_id"], f["key_role_id"]) for f in feedback] == [
        ("accepted", top["id"], str(ROLE))
    ]
    # Served again: not published twice.
    assert len(await outbox(session, "talent.recommender.recommendation.issued.v1")) == 3


async def test_a_short_shortlist_finds_the_same_top_suggestions(session: AsyncSession) -> None:
    """The SQL pre-score is the Python score minus HR readiness: keeping only the best
    few candidates in SQL must not change the top of the ranking (40 varied people)."""
    await build_bench(session)
    rng = random.Random(5)
    profiles = ["analyst", "senior_analyst", "finance_manager", "sales_lead"]
    events: list[Any] = []
    for i in range(40):
        number = f"P{i}"
        events.append(hired(number, profile=rng.choice(profiles), org_unit=f"unit{i % 4}"))
        for code in rng.sample(["fin_model", "reporting", "leadership"], rng.randint(0, 3)):
            events.append(assessed(number, code, rng.randint(1, 5)))
        for year in rng.sample([2023, 2024, 2025], rng.randint(0, 3)):
            events.append(rating(number, str(year), rng.randint(1, 5), dt.date(year, 12, 1)))
        if rng.random() < 0.6:
            events.append(potential(number, rng.choice(["low", "medium", "high"])))
    await deliver(session, *events)
    full = await SuccessorService(session, HR_LEADER, shortlist=1000).suggest(ROLE, first=8)
    short = await SuccessorService(session, HR_LEADER, shortlist=8).suggest(ROLE, first=8)
    assert [(s.suggestion.employee_id, s.suggestion.score) for s in short.suggestions] == [
        (s.suggestion.employee_id, s.suggestion.score) for s in full.suggestions
    ]


async def test_the_shortlist_of_any_length_is_the_head_of_the_full_pre_score_order(
    session: AsyncSession,
) -> None:
    """The shortlist ranks people with evidence in SQL and walks the others profile by
    profile only as far as they can still make the list: whatever its length, it is the
    head of the order over everyone (with and without a model, with people of no profile
    and people without evidence)."""
    await build_bench(session)
    rng = random.Random(8)
    profiles = ["clerk", "analyst", "senior_analyst", "sales_lead", None]
    events: list[Any] = []
    for i in range(60):
        number = f"Q{i}"
        events.append(hired(number, profile=rng.choice(profiles)))
        for code in rng.sample(["fin_model", "reporting", "leadership"], rng.randint(0, 2)):
            events.append(assessed(number, code, rng.randint(1, 5)))
    await deliver(session, *events)
    repository = SuccessorRepository(session)
    shared = RecommenderRepository(session)
    role = await repository.key_role(ROLE)
    assert role is not None
    manager = await repository.job_profile(role.job_profile_code)
    requirements = await shared.requirements("finance_manager")
    for refitted in (False, True):
        if refitted:
            await session.run_sync(lambda sync: refit(sync, rank=2))
        model = await shared.latest_model()
        assert (model is not None) is refitted
        arguments = {
            "profile": manager,
            "requirements": requirements,
            "excluded": {employee_id("M1")},
            "model": model,
        }
        everyone = await repository.shortlist(**arguments, limit=1000)
        assert len(everyone) > 60
        for limit in (1, 3, 7, 15, 40):
            assert await repository.shortlist(**arguments, limit=limit) == everyone[:limit]


async def test_unknown_key_role_is_not_found(session: AsyncSession) -> None:
    from talent_platform.errors import NotFound

    with pytest.raises(NotFound):
        await SuccessorService(session, HR_LEADER).suggest(uuid.uuid4())


async def outbox(session: AsyncSession, event_type: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(messaging.outbox.c.payload)
        .where(messaging.outbox.c.event_type == event_type)
        .order_by(messaging.outbox.c.id)
    )
    return [json.loads(p) for p in rows.scalars().all()]


DISMISS = """
mutation($id: ID!, $reason: String!) {
  dismissSuccessorSuggestion(input: {suggestionId: $id, reason: $reason}) {
    __typename
    ... on DismissSuccessorSuggestionPayload {
      dismissal { suggestionId keyRole { id } employee { id } reason dismissedBy }
    }
    ... on ValidationError { fields { field message } }
    ... on NotFound { message }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
}
"""


async def dismiss(
    session: AsyncSession,
    suggestion: str,
    reason: str = "moving abroad",
    *,
    as_: Principal = HR_LEADER,
) -> dict[str, Any]:
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(
        DISMISS, variable_values={"id": suggestion, "reason": reason}, context_value=context
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    payload: dict[str, Any] = result.data["dismissSuccessorSuggestion"]
    return payload


async def test_a_dismissed_suggestion_is_not_suggested_again(session: AsyncSession) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session, first=3)
    assert entity is not None
    top = entity["successorSuggestions"][0]
    assert uuid.UUID(top["employee"]["id"]) == employee_id("S1")

    done = await dismiss(session, top["id"], "  relocating next year ")

    assert done["__typename"] == "DismissSuccessorSuggestionPayload"
    assert done["dismissal"] == {
        "suggestionId": top["id"],
        "keyRole": {"id": str(ROLE)},
        "employee": {"id": str(employee_id("S1"))},
        "reason": "relocating next year",
        "dismissedBy": HR_LEADER.subject,
    }
    again, _ = await suggestions(session, first=3)
    assert again is not None
    assert employee_id("S1") not in who(again["successorSuggestions"])
    assert len(again["successorSuggestions"]) == 3
    feedback = await outbox(session, "talent.recommender.recommendation.feedback.v1")
    assert [
        (f["kind"], f["recommendation_id"], f["key_role_id"], f["employee_id"], f["reason"])
        for f in feedback
    ] == [("dismissed", top["id"], str(ROLE), str(employee_id("S1")), "relocating next year")]
    # Dismissing again is a conflict, and publishes nothing more.
    twice = await dismiss(session, top["id"])
    assert twice["__typename"] == "Conflict" and "already dismissed" in twice["message"]
    assert len(await outbox(session, "talent.recommender.recommendation.feedback.v1")) == 1
    # HR putting the employee on the slate anyway brings them back.
    await deliver(session, nominated("S1", uuid.uuid4(), rank=3))
    back, _ = await suggestions(session, first=5)
    assert back is not None and employee_id("S1") in who(back["successorSuggestions"])


async def test_dismissing_a_suggestion_validates_and_is_for_hr_leaders_only(
    session: AsyncSession,
) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session, first=1)
    assert entity is not None
    served = entity["successorSuggestions"][0]["id"]

    blank = await dismiss(session, served, "   ")
    assert blank["__typename"] == "ValidationError"
    assert blank["fields"] == [{"field": "input.reason", "message": "say why it is dismissed"}]
    long = await dismiss(session, served, "x" * 2001)
    assert long["fields"][0]["field"] == "input.reason"
    bad_id = await dismiss(session, "not-a-uuid")
    assert bad_id["fields"] == [{"field": "input.suggestionId", "message": "not a suggestion id"}]
    never_served = await dismiss(session, str(uuid.uuid4()))
    assert never_served["__typename"] == "NotFound"
    refused = await dismiss(session, served, as_=HR)
    assert refused["__typename"] == "Forbidden"
    assert await outbox(session, "talent.recommender.recommendation.feedback.v1") == []
    # A course recommendation's id is not a successor suggestion.
    course_id = uuid.uuid4()
    session.add(
        IssuedRecommendation(
            recommendation_id=course_id,
            kind="course",
            employee_id=employee_id("S2"),
            course_code="FM-2",
            score=0.5,
            first_issued_at=dt.datetime.now(dt.UTC),
            last_issued_at=dt.datetime.now(dt.UTC),
        )
    )
    await session.flush()
    assert (await dismiss(session, str(course_id)))["__typename"] == "NotFound"


# -- ingest of succession events -------------------------------------------------------


async def test_key_roles_follow_definitions_and_vacancies(session: AsyncSession) -> None:
    await deliver(session, key_role("M1"))
    await deliver(
        session,
        KeyRoleVacated(
            key_role_id=ROLE,
            code="HEAD-FPA",
            previous_incumbent_id=employee_id("M1"),
            reason="terminated",
            vacated_on=DAY,
        ),
    )
    role = await session.get(KeyRole, ROLE)
    assert role is not None and role.incumbent_id is None and role.title == "Head of FP&A"
    await deliver(session, key_role("S1"))
    await session.refresh(role)
    assert role.incumbent_id == employee_id("S1")


async def test_the_latest_potential_wins_whatever_the_order(session: AsyncSession) -> None:
    await deliver(
        session,
        potential("S1", "high", on=DAY),
        potential("S1", "low", on=DAY - dt.timedelta(days=400)),
    )
    found = await session.get(Potential, employee_id("S1"))
    assert found is not None and found.potential == "high"


async def test_readiness_before_nomination_and_removal_before_nomination(
    session: AsyncSession,
) -> None:
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    await deliver(
        session,
        ReadinessAssessed(
            nomination_id=kept,
            key_role_id=ROLE,
            employee_id=employee_id("S1"),
            readiness="ready_now",
            assessed_on=DAY + dt.timedelta(days=30),
            review_by=DAY + dt.timedelta(days=400),
        ),
        nominated("S1", kept),
        removed("S2", dropped),
        nominated("S2", dropped, rank=2),
    )
    s1 = await session.get(Nomination, kept)
    assert s1 is not None and s1.readiness == "ready_now" and s1.rank == 1
    s2 = await session.get(Nomination, dropped)
    assert s2 is not None and s2.removed_on == DAY and s2.nominated_on == DAY


async def test_performance_summary_is_the_mean_of_the_two_latest(session: AsyncSession) -> None:
    await deliver(
        session,
        rating("S1", "2023", 1, dt.date(2023, 12, 15)),
        rating("S1", "2025", 5, dt.date(2025, 12, 15)),
        rating("S1", "2024", 4, dt.date(2024, 12, 15)),
    )
    summary = await session.get(PerformanceSummary, employee_id("S1"))
    assert summary is not None and summary.recent_mean == 4.5 and summary.ratings == 2


KEY_ROLE_GAPS = """
query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee {
  keyRoleGaps { keyRoleId keyRoleCode keyRoleTitle targetJobProfileCode targetTitle
                gaps { competencyCode requiredLevel estimate gap } }
} } }
"""


async def key_role_gaps(session: AsyncSession, number: str, as_: Principal) -> Any:
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(
        KEY_ROLE_GAPS,
        variable_values={"r": [{"__typename": "Employee", "id": str(employee_id(number))}]},
        context_value=context,
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["_entities"][0]["keyRoleGaps"]


async def test_gaps_against_the_key_roles_a_successor_is_nominated_for(
    session: AsyncSession,
) -> None:
    await build_bench(session)
    reports = await key_role_gaps(session, "N1", HR_LEADER)
    assert [(r["keyRoleId"], r["keyRoleCode"], r["targetTitle"]) for r in reports] == [
        (str(ROLE), "HEAD-FPA", "Finance Manager")
    ]
    assert reports[0]["gaps"][0] == {
        "competencyCode": "fin_model",
        "requiredLevel": 4,
        "estimate": 3.0,
        "gap": 1.0,
    }
    # Succession data: an HR coordinator (who sees the employee) gets null, not gaps.
    assert await key_role_gaps(session, "N1", HR) is None
    # Removed from the slate: no longer a target; never nominated: none.
    nomination = await session.scalar(
        select(Nomination.nomination_id).where(Nomination.employee_id == employee_id("N1"))
    )
    assert nomination is not None
    await deliver(session, removed("N1", nomination))
    assert await key_role_gaps(session, "N1", HR_LEADER) == []
    assert await key_role_gaps(session, "S2", HR_LEADER) == []


AUDIT = """query ($role: ID) {
  recommenderAuditLog(keyRoleId: $role, first: 10) {
    totalCount nodes { actor action entity entityId after }
  }
}"""


async def test_reads_and_dismissals_of_suggestions_are_in_the_audit_trail(
    session: AsyncSession,
) -> None:
    await build_bench(session)
    entity, _ = await suggestions(session, first=2)
    assert entity is not None
    served = entity["successorSuggestions"]
    await dismiss(session, served[0]["id"], "relocating")

    context = TalentContext.with_session(session, principal=HR_LEADER, settings=SETTINGS)
    result = await schema.execute(AUDIT, variable_values={"role": str(ROLE)}, context_value=context)
    assert result.errors is None and result.data is not None
    log = result.data["recommenderAuditLog"]
    assert log["totalCount"] == 2
    dismissed, read = log["nodes"]  # newest first
    assert (read["actor"], read["action"], read["entity"], read["entityId"]) == (
        HR_LEADER.subject,
        "successor_suggestions.read",
        "key_role",
        str(ROLE),
    )
    assert read["after"]["suggested"] == [s["employee"]["id"] for s in served]
    assert (dismissed["action"], dismissed["after"]["reason"]) == (
        "successor_suggestion.dismissed",
        "relocating",
    )
    assert dismissed["after"]["employee_id"] == served[0]["employee"]["id"]

    employee = TalentContext.with_session(
        session, principal=as_employee(employee_id("S2")), settings=SETTINGS
    )
    refused = await schema.execute(AUDIT, variable_values={"role": None}, context_value=employee)
    assert refused.errors and (refused.errors[0].extensions or {})["code"] == "FORBIDDEN"
    assert refused.data == {"recommenderAuditLog": None}  # null at its path, not the whole data


@pytest.mark.parametrize("role", ["", "KR-1", "0"])
async def test_a_malformed_key_role_id_in_the_audit_trail_is_the_callers_error(
    session: AsyncSession, role: str
) -> None:
    context = TalentContext.with_session(session, principal=HR_LEADER, settings=SETTINGS)
    result = await schema.execute(AUDIT, variable_values={"role": role}, context_value=context)
    assert result.errors is not None and result.data == {"recommenderAuditLog": None}
    [error] = result.errors
    assert error.extensions == {
        "code": "BAD_USER_INPUT",
        "fields": [{"field": "keyRoleId", "message": f"{role!r} is not a valid key role id"}],
    }
