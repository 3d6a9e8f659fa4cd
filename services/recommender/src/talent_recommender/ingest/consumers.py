"""Builds the recommender's projections from people, learning and performance events.

Every handler is an upsert keyed by the source's natural key, so a re-delivered or
replayed event changes nothing (the platform's inbox already skips exact duplicates by
`ce_id`; replays from another outbox history are idempotent here). After changing
evidence the handler marks the employees it touched; their skill estimates (and only
theirs) are recomputed once per transaction, just before it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
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
from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
    JobHistoryRecorded,
    JobProfileUpdated,
)
from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_contracts.recommender import RecommendationFeedback
from talent_platform.db.base import utcnow
from talent_platform.events import Envelope, HandlerRegistry
from talent_recommender.db import outbox
from talent_recommender.ingest.models import (
    Assessment,
    Competency,
    Completion,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
    IngestState,
    JobHistory,
    JobProfile,
    JobRequirement,
    Rating,
)
from talent_recommender.profiles.estimates import mark_stale
from talent_recommender.recommendations.models import CoursePopularity, IssuedRecommendation

log = logging.getLogger(__name__)

registry = HandlerRegistry()

TypedHandler = Callable[[Session, Any, Envelope], None]


def handles(*types: type[EventPayload]) -> Callable[[TypedHandler], None]:
    """Register a handler for these event types (it gets only those payload types); each
    run also counts the event."""

    def register(handler: TypedHandler) -> None:
        def run(session: Session, payload: EventPayload, envelope: Envelope) -> None:
            if not isinstance(payload, types):
                raise TypeError(f"unexpected payload {type(payload).__name__}")
            handler(session, payload, envelope)
            count_event(session, envelope)

        for payload_type in types:
            registry.on(payload_type)(run)

    return register


def count_event(session: Session, envelope: Envelope) -> None:
    now = utcnow()
    statement = insert(IngestState).values(
        id=1, events_processed=1, last_event_time=envelope.time, last_processed_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[IngestState.id],
            set_={
                "events_processed": IngestState.events_processed + 1,
                "last_event_time": statement.excluded.last_event_time,
                "last_processed_at": statement.excluded.last_processed_at,
            },
        )
    )


EmployeeEvent = EmployeeHired | EmployeeUpdated | EmployeeTransferred | EmployeeTerminated


@handles(EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
def on_employee(session: Session, payload: EmployeeEvent, envelope: Envelope) -> None:
    snapshot = payload.employee
    current = session.get(Employee, snapshot.employee_id)
    if current is not None and current.updated_at > envelope.time:
        return  # a stale re-delivery: a newer state is already projected
    in_role_since: dt.date | None = snapshot.hire_date
    if current is not None and current.job_profile_code == snapshot.job_profile_code:
        in_role_since = current.in_role_since or snapshot.hire_date
    elif isinstance(payload, EmployeeTransferred):
        in_role_since = payload.effective_on
    values = {
        "employee_id": snapshot.employee_id,
        "name": snapshot.name,
        "status": snapshot.status,
        "manager_id": snapshot.manager_id,
        "org_unit_code": snapshot.org_unit_code,
        "job_profile_code": snapshot.job_profile_code,
        "hire_date": snapshot.hire_date,
        "in_role_since": in_role_since,
        "updated_at": envelope.time,
    }
    statement = insert(Employee).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Employee.employee_id],
            set_={k: statement.excluded[k] for k in values if k != "employee_id"},
        )
    )
    session.expire_all()
    mark_stale(session, [snapshot.employee_id])


@handles(JobHistoryRecorded)
def on_job_history(session: Session, payload: JobHistoryRecorded, envelope: Envelope) -> None:
    statement = insert(JobHistory).values(
        employee_id=payload.employee_id,
        job_profile_code=payload.job_profile_code,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                JobHistory.employee_id,
                JobHistory.job_profile_code,
                JobHistory.start_date,
            ],
            set_={"end_date": statement.excluded.end_date},
        )
    )
    mark_stale(session, [payload.employee_id])


@handles(CompetencyUpdated)
def on_competency(session: Session, payload: CompetencyUpdated, envelope: Envelope) -> None:
    statement = insert(Competency).values(code=payload.code, name=payload.name, tier=payload.tier)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Competency.code],
            set_={"name": statement.excluded.name, "tier": statement.excluded.tier},
        )
    )


@handles(JobProfileUpdated)
def on_job_profile(session: Session, payload: JobProfileUpdated, envelope: Envelope) -> None:
    statement = insert(JobProfile).values(
        code=payload.code, title=payload.title, family=payload.family, level=payload.level
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[JobProfile.code],
            set_={k: statement.excluded[k] for k in ("title", "family", "level")},
        )
    )
    before = _requirements(session, payload.code)
    after = {r.competency_code: (r.required_level, r.importance) for r in payload.requirements}
    if before == after:
        return
    session.execute(delete(JobRequirement).where(JobRequirement.job_profile_code == payload.code))
    if after:
        session.execute(
            insert(JobRequirement),
            [
                {
                    "job_profile_code": payload.code,
                    "competency_code": code,
                    "required_level": level,
                    "importance": importance,
                }
                for code, (level, importance) in after.items()
            ],
        )
    holders = session.scalars(
        select(Employee.employee_id).where(Employee.job_profile_code == payload.code)
    ).all()
    former = session.scalars(
        select(JobHistory.employee_id).where(JobHistory.job_profile_code == payload.code)
    ).all()
    mark_stale(session, {*holders, *former})


def _requirements(session: Session, code: str) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        select(
            JobRequirement.competency_code, JobRequirement.required_level, JobRequirement.importance
        ).where(JobRequirement.job_profile_code == code)
    )
    return {c: (level, importance) for c, level, importance in rows.all()}


@handles(CoursePublished)
def on_course(session: Session, payload: CoursePublished, envelope: Envelope) -> None:
    statement = insert(Course).values(
        code=payload.code, title=payload.title, mandatory=payload.mandatory
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Course.code],
            set_={"title": statement.excluded.title, "mandatory": statement.excluded.mandatory},
        )
    )
    before: dict[str, int] = {
        code: level
        for code, level in session.execute(
            select(CourseSkill.competency_code, CourseSkill.level).where(
                CourseSkill.course_code == payload.code
            )
        ).all()
    }
    after = {s.competency_code: s.level for s in payload.skills}
    if before == after:
        return
    session.execute(delete(CourseSkill).where(CourseSkill.course_code == payload.code))
    if after:
        session.execute(
            insert(CourseSkill),
            [
                {"course_code": payload.code, "competency_code": code, "level": level}
                for code, level in after.items()
            ],
        )
    completers = session.scalars(
        select(Completion.employee_id).where(Completion.course_code == payload.code).distinct()
    ).all()
    mark_stale(session, completers)


@handles(EnrollmentAssigned)
def on_enrollment_assigned(
    session: Session, payload: EnrollmentAssigned, envelope: Envelope
) -> None:
    """Project the enrollment (open until a close event), and record the acceptance of
    the recommendation it was assigned from, once."""
    statement = insert(Enrollment).values(
        enrollment_id=payload.enrollment_id,
        employee_id=payload.employee_id,
        course_code=payload.course_code,
        recommendation_id=payload.recommendation_id,
        assigned_at=envelope.time,
    )
    # A close replayed before its assignment already made the row: it stays closed.
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Enrollment.enrollment_id],
            set_={
                "recommendation_id": statement.excluded.recommendation_id,
                "assigned_at": statement.excluded.assigned_at,
            },
        )
    )
    if payload.recommendation_id is not None:
        accept_recommendation(session, payload, envelope)


def accept_recommendation(
    session: Session, payload: EnrollmentAssigned, envelope: Envelope
) -> None:
    rid = payload.recommendation_id
    accepted = session.execute(
        update(IssuedRecommendation)
        .where(
            IssuedRecommendation.recommendation_id == rid,
            IssuedRecommendation.accepted_at.is_(None),
            IssuedRecommendation.kind == "course",
            IssuedRecommendation.employee_id == payload.employee_id,
            IssuedRecommendation.course_code == payload.course_code,
        )
        .values(accepted_at=envelope.time, accepted_via="enrollment")
        .returning(IssuedRecommendation.recommendation_id)
    ).first()
    if accepted is None or rid is None:
        # Already accepted (a replay), or an id this recommender never issued for this
        # employee and course: nothing to learn from.
        log.info("enrollment %s: recommendation %s not accepted", payload.enrollment_id, rid)
        return
    outbox.add_sync(
        session,
        RecommendationFeedback(
            feedback_id=uuid.uuid5(rid, f"accepted/{payload.enrollment_id}"),
            kind="accepted",
            recommendation_id=rid,
            employee_id=payload.employee_id,
            course_code=payload.course_code,
            reason=None,
            by="learning",
            at=envelope.time,
            enrollment_id=payload.enrollment_id,
        ),
    )


EnrollmentClosed = EnrollmentCancelled | EnrollmentWaived | EnrollmentFailed


@handles(EnrollmentCancelled, EnrollmentWaived, EnrollmentFailed)
def on_enrollment_closed(session: Session, payload: EnrollmentClosed, envelope: Envelope) -> None:
    closed_as = {
        EnrollmentCancelled: "cancelled",
        EnrollmentWaived: "waived",
        EnrollmentFailed: "failed",
    }[type(payload)]
    close_enrollment(
        session,
        payload.enrollment_id,
        employee_id=payload.employee_id,
        course_code=payload.course_code,
        closed_as=closed_as,
        at=envelope.time,
    )


def close_enrollment(
    session: Session,
    enrollment_id: uuid.UUID,
    *,
    employee_id: uuid.UUID,
    course_code: str,
    closed_as: str,
    at: dt.datetime,
) -> None:
    """Closed once: a replayed or later close keeps the first close."""
    statement = insert(Enrollment).values(
        enrollment_id=enrollment_id,
        employee_id=employee_id,
        course_code=course_code,
        closed_at=at,
        closed_as=closed_as,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Enrollment.enrollment_id],
            set_={
                "closed_at": func.coalesce(Enrollment.closed_at, statement.excluded.closed_at),
                "closed_as": func.coalesce(Enrollment.closed_as, statement.excluded.closed_as),
            },
        )
    )


@handles(EnrollmentCompleted)
def on_completion(session: Session, payload: EnrollmentCompleted, envelope: Envelope) -> None:
    if payload.enrollment_id is not None:
        close_enrollment(
            session,
            payload.enrollment_id,
            employee_id=payload.employee_id,
            course_code=payload.course_code,
            closed_as="completed",
            at=envelope.time,
        )
    inserted = session.execute(
        insert(Completion)
        .values(
            completion_id=payload.completion_id,
            employee_id=payload.employee_id,
            course_code=payload.course_code,
            completed_on=payload.completed_on,
            score=payload.score,
        )
        .on_conflict_do_nothing(index_elements=[Completion.completion_id])
        .returning(Completion.completion_id)
    ).first()
    if inserted is None:
        return
    profile = session.scalar(
        select(Employee.job_profile_code).where(Employee.employee_id == payload.employee_id)
    )
    if profile is not None:
        count_peer_completion(session, profile, payload.course_code)
    mark_stale(session, [payload.employee_id])


def count_peer_completion(session: Session, job_profile_code: str, course_code: str) -> None:
    statement = insert(CoursePopularity).values(
        job_profile_code=job_profile_code,
        course_code=course_code,
        completions=1,
        updated_at=utcnow(),
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CoursePopularity.job_profile_code, CoursePopularity.course_code],
            set_={
                "completions": CoursePopularity.completions + 1,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )


@handles(CompetencyAssessed)
def on_assessment(session: Session, payload: CompetencyAssessed, envelope: Envelope) -> None:
    statement = insert(Assessment).values(
        assessment_id=payload.assessment_id,
        employee_id=payload.employee_id,
        competency_code=payload.competency_code,
        level=payload.level,
        source=payload.source,
        assessed_on=payload.assessed_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Assessment.assessment_id],
            set_={k: statement.excluded[k] for k in ("level", "source", "assessed_on")},
        )
    )
    mark_stale(session, [payload.employee_id])


@handles(RatingCalibrated)
def on_rating(session: Session, payload: RatingCalibrated, envelope: Envelope) -> None:
    statement = insert(Rating).values(
        employee_id=payload.employee_id,
        cycle_code=payload.cycle_code,
        overall_rating=payload.overall_rating,
        rated_on=payload.rated_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Rating.employee_id, Rating.cycle_code],
            set_={k: statement.excluded[k] for k in ("overall_rating", "rated_on")},
        )
    )
