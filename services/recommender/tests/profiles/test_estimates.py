"""Skill estimates from evidence: readings weighted by their source's precision (the
default calibration until a model has measured it), recency, completions and ended roles,
recomputed per employee on each event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_recommender.profiles.models import SkillEstimate

from ..factories import TODAY, assessed, completed, deliver, employee_id, employee_view
from ..world import build_world


async def estimate(session: AsyncSession, number: str, code: str) -> SkillEstimate | None:
    found: SkillEstimate | None = await session.scalar(
        select(SkillEstimate).where(
            SkillEstimate.employee_id == employee_id(number),
            SkillEstimate.competency_code == code,
        )
    )
    if found is not None:
        await session.refresh(found)
    return found


async def test_a_formal_assessment_outweighs_a_self_assessment(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(
        session,
        assessed("E1", "fin-model", 2, source="assessment"),
        assessed("E1", "fin-model", 5, source="self"),
    )

    found = await estimate(session, "E1", "fin-model")

    assert found is not None
    # Precisions 1 / 0.25 and 1 / 0.8: (4 * 2 + 1.25 * 5) / 5.25
    assert round(found.level, 2) == 2.71
    assert found.evidence_count == 2
    assert 0.7 < found.confidence < 0.8


async def test_recent_evidence_counts_more_than_old(session: AsyncSession) -> None:
    await build_world(session)
    four_years_ago = TODAY - dt.timedelta(days=4 * 365)
    await deliver(
        session,
        assessed("E1", "excel", 5, on=four_years_ago),
        assessed("E1", "excel", 2),
    )

    found = await estimate(session, "E1", "excel")

    assert found is not None
    assert found.level < 2.8  # the old 5 weighs about a quarter of the fresh 2


async def test_a_completion_pulls_towards_the_course_level_by_score(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    before = await estimate(session, "E1", "fin-model")
    assert before is not None
    confidence_before = before.confidence

    await deliver(session, completed("E1", "FM-4", score=100))
    good = await estimate(session, "E1", "fin-model")

    assert good is not None
    # Precisions 1 / 0.25 and 1 / 1.2: (4 * 2 + 0.83 * 4) / 4.83
    assert round(good.level, 2) == 2.34
    assert good.confidence > confidence_before


async def test_the_current_role_is_the_prior_not_evidence_of_itself(
    session: AsyncSession,
) -> None:
    await build_world(session)

    # E2 has been an analyst since 2020: the role's requirement is what the model's prior
    # expects of E2, not a reading of E2's level, so nothing is stored as evidence.
    assert await estimate(session, "E2", "fin-model") is None
    view = await employee_view(session, "E2")
    gaps = {g["competencyCode"]: g for g in view["skillGaps"]["gaps"]}
    assert gaps["fin-model"]["basis"] != "EVIDENCE"


async def test_an_event_recomputes_only_that_employees_estimates(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E2", "excel", 4))
    e2_before = await estimate(session, "E2", "excel")
    assert e2_before is not None
    e2_before_level = e2_before.level
    # Mark E2's row so a recompute of E2 would be visible.
    e2_before.level = 4.5
    await session.flush()

    await deliver(session, assessed("E1", "excel", 1))

    e2_after = await estimate(session, "E2", "excel")
    assert e2_after is not None and e2_after.level == 4.5
    assert e2_before_level != 4.5
    e1 = await estimate(session, "E1", "excel")
    assert e1 is not None and e1.level == 1.0


async def test_the_profile_lists_levels_with_their_evidence(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(
        session,
        assessed("E2", "fin-model", 4, source="manager"),
        completed("E2", "XL-3", score=80),
    )

    view = await employee_view(session, "E2")

    profile = {p["competencyCode"]: p for p in view["skillProfile"]}
    fin = profile["fin-model"]
    assert fin["basis"] == "EVIDENCE" and fin["inferred"] is False
    assert fin["competencyName"] == "Financial Modelling"
    # What is shown is what the model read: the current role is its prior, not a reading.
    assert [e["kind"] for e in fin["evidence"]] == ["ASSESSMENT"]
    manager = fin["evidence"][0]
    # Weight = precision (no model yet: the default calibration): 1 / 0.4 for a manager.
    assert (manager["detail"], manager["level"], manager["weight"]) == ("manager", 4.0, 2.5)
    excel_kinds = {e["kind"]: e for e in profile["excel"]["evidence"]}
    assert excel_kinds["COMPLETION"]["detail"] == "XL-3"
    assert excel_kinds["COMPLETION"]["weight"] == 0.6667  # score 80 / 100 over 1.2


async def test_an_assessment_supersedes_earlier_evidence(session: AsyncSession) -> None:
    await build_world(session)
    last_year = TODAY - dt.timedelta(days=365)
    await deliver(session, completed("E1", "FM-4", on=last_year, score=100))
    await deliver(session, assessed("E1", "fin-model", 2))

    found = await estimate(session, "E1", "fin-model")

    # The assessor saw what last year's course taught: the course keeps a quarter of its
    # precision (0.83, halved in two years: 0.59, then 0.15) against the assessment's 4.
    assert found is not None and 2.0 < found.level < 2.1
