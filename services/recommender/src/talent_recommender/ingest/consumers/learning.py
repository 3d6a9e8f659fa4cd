"""Learning's events: courses and the skills they teach, enrollments (and the accepted
course recommendations they came from), and completions with their peer counts."""

from __future__ import annotations

from collections import Counter

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
from talent_platform.events import Envelope, in_waves
from talent_recommender.ingest.consumers.runs import Items, handles
from talent_recommender.ingest.models import Course, Enrollment
from talent_recommender.ingest.store import upsert
from talent_recommender.ingest.store.learning import (
    close_enrollments,
    completers_of,
    count_peer_completions,
    record_completions,
    replace_course_skills,
    skills_of_courses,
)
from talent_recommender.ingest.store.people import job_profiles_of
from talent_recommender.profiles.estimates import mark_stale
from talent_recommender.recommendations.acceptance import record_acceptance


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
        before = skills_of_courses(session, [c.code for c in courses])
        changed = [
            c
            for c in courses
            if before.get(c.code, {}) != {s.competency_code: s.level for s in c.skills}
        ]
        if not changed:
            continue
        changed_codes = [c.code for c in changed]
        replace_course_skills(
            session,
            changed_codes,
            [
                {"course_code": c.code, "competency_code": s.competency_code, "level": s.level}
                for c in changed
                for s in {s.competency_code: s for s in c.skills}.values()
            ],
        )
        mark_stale(session, completers_of(session, changed_codes))


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
    inserted = record_completions(session, rows)
    new = [row for row in rows if row["completion_id"] in inserted]
    if not new:
        return
    profiles = job_profiles_of(session, list({row["employee_id"] for row in new}))
    count_peer_completions(
        session,
        Counter(
            (profiles[row["employee_id"]], row["course_code"])
            for row in new
            if row["employee_id"] in profiles
        ),
    )
    mark_stale(session, {row["employee_id"] for row in new})
