"""Learning's events: courses and the skills they teach, enrollments (and the accepted
course recommendations they came from), and completions with their peer counts."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, String, Uuid, any_, bindparam, delete, func, select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import (
    CoursePublished,
    EnrollmentAssigned,
    EnrollmentCancelled,
    EnrollmentCompleted,
    EnrollmentFailed,
    EnrollmentWaived,
)
from talent_platform.db.base import utcnow
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import Envelope, in_waves
from talent_recommender.ingest.consumers.acceptance import record_acceptance
from talent_recommender.ingest.consumers.runs import (
    Items,
    handles,
    upsert,
)
from talent_recommender.ingest.models import (
    Completion,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
)
from talent_recommender.profiles.estimates import mark_stale
from talent_recommender.recommendations.models import CoursePopularity


@handles(CoursePublished)
def on_courses(session: Session, items: Items) -> None:
    """Per wave of distinct courses: one upsert of the courses; the skills of those whose
    skills changed replaced in two statements; their completers marked stale."""
    for wave in in_waves(items, key=lambda item: item[0].code):
        courses: list[CoursePublished] = [payload for payload, _ in wave]
        upsert(
            session,
            Course,
            [{"code": c.code, "title": c.title, "mandatory": c.mandatory} for c in courses],
            key=["code"],
            update=["title", "mandatory"],
        )
        codes = [c.code for c in courses]
        before: dict[str, dict[str, int]] = {}
        for course_code, competency_code, level in session.execute(
            select(CourseSkill.course_code, CourseSkill.competency_code, CourseSkill.level).where(
                CourseSkill.course_code == any_(bindparam("codes", type_=ARRAY(String)))
            ),
            {"codes": codes},
        ):
            before.setdefault(course_code, {})[competency_code] = level
        changed = [
            c
            for c in courses
            if before.get(c.code, {}) != {s.competency_code: s.level for s in c.skills}
        ]
        if not changed:
            continue
        changed_codes = [c.code for c in changed]
        session.execute(
            delete(CourseSkill).where(
                CourseSkill.course_code == any_(bindparam("codes", type_=ARRAY(String)))
            ),
            {"codes": changed_codes},
        )
        skills = [
            {"course_code": c.code, "competency_code": s.competency_code, "level": s.level}
            for c in changed
            for s in {s.competency_code: s for s in c.skills}.values()
        ]
        if skills:
            names = list(skills[0])
            session.execute(unnest_insert(CourseSkill, names), unnest_params(skills, names))
        completers = session.scalars(
            select(Completion.employee_id)
            .where(Completion.course_code == any_(bindparam("codes", type_=ARRAY(String))))
            .distinct(),
            {"codes": changed_codes},
        ).all()
        mark_stale(session, completers)


@handles(EnrollmentAssigned)
def on_enrollments_assigned(session: Session, items: Items) -> None:
    """Project the enrollments (open until a close event), and record the acceptance of
    the recommendation each was assigned from, once."""
    rows = [
        {
            "enrollment_id": payload.enrollment_id,
            "employee_id": payload.employee_id,
            "course_code": payload.course_code,
            "recommendation_id": payload.recommendation_id,
            "assigned_at": envelope.time,
        }
        for payload, envelope in items
    ]
    # A close replayed before its assignment already made the row: it stays closed.
    upsert(
        session,
        Enrollment,
        rows,
        key=["enrollment_id"],
        update=["recommendation_id", "assigned_at"],
    )
    for payload, envelope in items:
        if payload.recommendation_id is not None:
            accept_recommendation(session, payload, envelope)


def accept_recommendation(
    session: Session, payload: EnrollmentAssigned, envelope: Envelope
) -> None:
    record_acceptance(
        session,
        payload.recommendation_id,
        kind="course",
        employee_id=payload.employee_id,
        course_code=payload.course_code,
        via="enrollment",
        source_id=payload.enrollment_id,
        at=envelope.time,
    )


CLOSED_AS: dict[type[EventPayload], str] = {
    EnrollmentCancelled: "cancelled",
    EnrollmentWaived: "waived",
    EnrollmentFailed: "failed",
}


@handles(EnrollmentCancelled, EnrollmentWaived, EnrollmentFailed)
def on_enrollments_closed(session: Session, items: Items) -> None:
    close_enrollments(
        session,
        [
            {
                "enrollment_id": payload.enrollment_id,
                "employee_id": payload.employee_id,
                "course_code": payload.course_code,
                "closed_at": envelope.time,
                "closed_as": CLOSED_AS[type(payload)],
            }
            for payload, envelope in items
        ],
    )


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


@handles(EnrollmentCompleted)
def on_completions(session: Session, items: Items) -> None:
    """Close the completed enrollments; record each completion once, count it for the
    peers on the same job profile, and mark the completer's estimates stale."""
    close_enrollments(
        session,
        [
            {
                "enrollment_id": payload.enrollment_id,
                "employee_id": payload.employee_id,
                "course_code": payload.course_code,
                "closed_at": envelope.time,
                "closed_as": "completed",
            }
            for payload, envelope in items
            if payload.enrollment_id is not None
        ],
    )
    rows = list(
        {
            payload.completion_id: {
                "completion_id": payload.completion_id,
                "employee_id": payload.employee_id,
                "course_code": payload.course_code,
                "completed_on": payload.completed_on,
                "score": payload.score,
            }
            for payload, _ in reversed(items)  # the first of a completion id is recorded
        }.values()
    )
    names = list(rows[0])
    inserted = set(
        session.scalars(
            unnest_insert(Completion, names)
            .on_conflict_do_nothing(index_elements=[Completion.completion_id])
            .returning(Completion.completion_id),
            unnest_params(rows, names),
        )
    )
    new = [row for row in rows if row["completion_id"] in inserted]
    if not new:
        return
    profiles: dict[uuid.UUID, str] = {
        employee_id: profile
        for employee_id, profile in session.execute(
            select(Employee.employee_id, Employee.job_profile_code).where(
                Employee.employee_id == any_(bindparam("ids", type_=ARRAY(Uuid)))
            ),
            {"ids": list({row["employee_id"] for row in new})},
        )
        if profile is not None
    }
    count_peer_completions(
        session,
        Counter(
            (profiles[row["employee_id"]], row["course_code"])
            for row in new
            if row["employee_id"] in profiles
        ),
    )
    mark_stale(session, {row["employee_id"] for row in new})


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
