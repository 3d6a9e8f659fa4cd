"""The projections of learning's events: courses and the skills they teach, enrollments,
completions, and the completions per job profile and course (peer counts)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, delete, func, select
from sqlalchemy.orm import Session

from talent_platform.db.base import utcnow
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import in_waves
from talent_recommender.ingest.models import Completion, CourseSkill, Enrollment
from talent_recommender.recommendations.models import CoursePopularity

_CODES = bindparam("codes", type_=ARRAY(String))


def skills_of_courses(session: Session, codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """The stored skills of these courses: course code -> competency code -> level."""
    skills: dict[str, dict[str, int]] = {}
    for course_code, competency_code, level in session.execute(
        select(CourseSkill.course_code, CourseSkill.competency_code, CourseSkill.level).where(
            CourseSkill.course_code == any_(_CODES)
        ),
        {"codes": codes},
    ):
        skills.setdefault(course_code, {})[competency_code] = level
    return skills


def replace_course_skills(
    session: Session, codes: Sequence[str], skills: Sequence[dict[str, Any]]
) -> None:
    """The skills of these courses become `skills` (course_code, competency_code, level):
    two statements."""
    session.execute(
        delete(CourseSkill).where(CourseSkill.course_code == any_(_CODES)), {"codes": codes}
    )
    if skills:
        names = list(skills[0])
        session.execute(unnest_insert(CourseSkill, names), unnest_params(skills, names))


def completers_of(session: Session, codes: Sequence[str]) -> Sequence[uuid.UUID]:
    """Everyone who completed one of these courses."""
    return session.scalars(
        select(Completion.employee_id).where(Completion.course_code == any_(_CODES)).distinct(),
        {"codes": codes},
    ).all()


def close_enrollments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Closed once: a replayed or later close keeps the first close. Rows: enrollment_id,
    employee_id, course_code, closed_at, closed_as."""
    for wave in in_waves(rows, key=lambda row: row["enrollment_id"]):
        names = list(wave[0])
        statement = unnest_insert(Enrollment, names)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[Enrollment.enrollment_id],
                set_={
                    "closed_at": func.coalesce(Enrollment.closed_at, statement.excluded.closed_at),
                    "closed_as": func.coalesce(Enrollment.closed_as, statement.excluded.closed_as),
                },
            ),
            unnest_params(wave, names),
        )


def record_completions(session: Session, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the completions not recorded yet (one statement); the ids of those inserted.
    Rows: completion_id, employee_id, course_code, completed_on, score."""
    names = list(rows[0])
    return set(
        session.scalars(
            unnest_insert(Completion, names)
            .on_conflict_do_nothing(index_elements=[Completion.completion_id])
            .returning(Completion.completion_id),
            unnest_params(rows, names),
        )
    )


def count_peer_completions(session: Session, counts: Counter[tuple[str, str]]) -> None:
    """Add completions per (job profile, course)."""
    if not counts:
        return
    now = utcnow()
    rows = [
        {"job_profile_code": profile, "course_code": course, "completions": n, "updated_at": now}
        for (profile, course), n in counts.items()
    ]
    names = list(rows[0])
    # Through unnest: one statement compiled once, whatever the number of pairs.
    statement = unnest_insert(CoursePopularity, names)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CoursePopularity.job_profile_code, CoursePopularity.course_code],
            set_={
                "completions": CoursePopularity.completions + statement.excluded.completions,
                "updated_at": statement.excluded.updated_at,
            },
        ),
        unnest_params(rows, names),
    )
