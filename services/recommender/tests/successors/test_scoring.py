"""rank_successors as a pure function: ordering, the incumbent, readiness and reasons."""

from __future__ import annotations

import dataclasses
import uuid

from talent_recommender.recommendations.scoring import Basis, LevelEstimate, Requirement
from talent_recommender.successors.scoring import (
    Candidate,
    Readiness,
    RoleTarget,
    org_unit_shares,
    rank_successors,
)

NAMES = {"fin-model": "Financial Modelling", "lead": "Leadership"}
ROLE = RoleTarget(
    key_role_id=uuid.uuid4(),
    title="Finance Director",
    job_profile_code="FIN-5",
    job_family="Finance",
    job_level=5,
    org_unit_code="Finance",
    incumbent_id=uuid.UUID(int=1),
    requirements=(Requirement("fin-model", 4, 5), Requirement("lead", 4, 3)),
)


def candidate(number: int, **changes: object) -> Candidate:
    base = Candidate(
        employee_id=uuid.UUID(int=number),
        org_unit_code="Finance - Team 1",
        job_profile_code="FIN-4",
        job_title="Finance Manager",
        job_family="Finance",
        job_level=4,
        estimates={
            "fin-model": LevelEstimate(4, 0.8, Basis.EVIDENCE),
            "lead": LevelEstimate(4, 0.8, Basis.EVIDENCE),
        },
        ratings=(("2025-ANNUAL", 4),),
        potential="high",
        assessed_readiness=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_never_suggests_the_incumbent_and_ranks_evidence_of_fit_first() -> None:
    weak = candidate(
        3,
        estimates={"fin-model": LevelEstimate(2, 0.8, Basis.EVIDENCE)},
        ratings=(("2025-ANNUAL", 3),),
        potential="low",
    )
    ranked = rank_successors(ROLE, [candidate(1), weak, candidate(2)], names=NAMES, first=10)
    assert [s.employee_id.int for s in ranked] == [2, 3]
    strong, low = ranked
    assert strong.score > low.score
    assert strong.readiness is Readiness.READY_NOW
    assert low.readiness is Readiness.READY_3_PLUS_YEARS
    assert strong.reasons[0] == "meets 2 of 2 requirements of Finance Director (competency fit 96%)"
    assert "Finance Manager is one level below, in the same job family" in strong.reasons
    assert (
        "gap of 2 on Financial Modelling: estimated 2, Finance Director requires 4" in low.reasons
    )
    assert [g.competency_code for g in low.gaps] == ["fin-model", "lead"]


def test_hr_readiness_assessment_overrides_the_estimate_and_counts() -> None:
    assessed = candidate(2, assessed_readiness=Readiness.READY_1_2_YEARS)
    (suggestion,) = rank_successors(ROLE, [assessed], names=NAMES, first=10)
    assert suggestion.readiness is Readiness.READY_1_2_YEARS
    assert "HR assessed ready in 1-2 years for this role" in suggestion.reasons


def test_org_unit_shares_count_every_suggestion() -> None:
    ranked = rank_successors(
        ROLE,
        [candidate(2), candidate(3), candidate(4, org_unit_code="Sales")],
        names=NAMES,
        first=10,
    )
    shares = org_unit_shares(ranked)
    assert [(s.org_unit_code, s.suggestions) for s in shares] == [
        ("Finance - Team 1", 2),
        ("Sales", 1),
    ]
    assert abs(sum(s.share for s in shares) - 1) < 1e-9


def test_no_protected_attribute_can_reach_the_ranking() -> None:
    """Neither the candidate a ranking sees nor anything the recommender stores about
    people has a protected attribute (succession keeps diversity data to itself)."""
    from talent_recommender.models import Base

    protected = (
        "age", "birth", "dob", "gender", "sex", "ethnic", "race", "religio", "disab",
        "nationality", "marital",
    )  # fmt: skip
    names = [f.name for f in dataclasses.fields(Candidate)] + [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
    ]

    def is_protected(name: str) -> bool:
        words = name.lower().replace(".", "_").split("_")
        return any(w.startswith(p) for w in words for p in protected)

    assert not [n for n in names if is_protected(n)]
    assert "employee.org_unit_code" in names  # the check sees the projections
    assert is_protected("employee.birth_date") and is_protected("gender")
