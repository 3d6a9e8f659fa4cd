"""Builds the recommender's projections from people, learning, performance and
succession events.

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
from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleVacated,
    PotentialAssessed,
    ReadinessAssessed,
    SuccessorNominated,
    SuccessorRemoved,
)
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
    KeyRole,
    Nomination,
    PerformanceSummary,
    Potential,
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


def record_acceptance(
    session: Session,
    rid: uuid.UUID | None,
    *,
    kind: str,
    employee_id: uuid.UUID,
    via: str,
    source_id: uuid.UUID,
    at: dt.datetime,
    course_code: str | None = None,
    key_role_id: uuid.UUID | None = None,
) -> None:
    """Mark the issued recommendation `rid` accepted (once) and publish
    recommendation.feedback, if this recommender issued it for this very employee and
    course or key role; `source_id` is the enrollment or nomination that accepted it."""
    what = (
        IssuedRecommendation.course_code == course_code
        if kind == "course"
        else IssuedRecommendation.key_role_id == key_role_id
    )
    accepted = session.execute(
        update(IssuedRecommendation)
        .where(
            IssuedRecommendation.recommendation_id == rid,
            IssuedRecommendation.accepted_at.is_(None),
            IssuedRecommendation.kind == kind,
            IssuedRecommendation.employee_id == employee_id,
            what,
        )
        .values(accepted_at=at, accepted_via=via)
        .returning(IssuedRecommendation.recommendation_id)
    ).first()
    if accepted is None or rid is None:
        # Already accepted (a replay), or an id this recommender never issued for this
        # employee and course or key role: nothing to learn from.
        log.info("%s %s: recommendation %s not accepted", via, source_id, rid)
        return
    by = {"enrollment": "learning", "nomination": "succession"}[via]
    outbox.add_sync(
        session,
        RecommendationFeedback(
            feedback_id=uuid.uuid5(rid, f"accepted/{source_id}"),
            kind="accepted",
            recommendation_id=rid,
            employee_id=employee_id,
            course_code=course_code,
            key_role_id=key_role_id,
            reason=None,
            by=by,
            at=at,
            enrollment_id=source_id if via == "enrollment" else None,
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
    summarise_performance(session, payload.employee_id)


def summarise_performance(session: Session, employee_id: uuid.UUID) -> None:
    """The mean of the employee's two most recent calibrated ratings (as
    successors.scoring.performance reads them: latest rated_on, then cycle, first)."""
    recent = (
        select(Rating.overall_rating)
        .where(Rating.employee_id == employee_id)
        .order_by(Rating.rated_on.desc(), Rating.cycle_code.desc())
        .limit(2)
        .subquery()
    )
    mean, count = session.execute(
        select(func.avg(recent.c.overall_rating), func.count()).select_from(recent)
    ).one()
    if not count:
        return
    statement = insert(PerformanceSummary).values(
        employee_id=employee_id, recent_mean=float(mean), ratings=count
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[PerformanceSummary.employee_id],
            set_={"recent_mean": statement.excluded.recent_mean, "ratings": count},
        )
    )


@handles(KeyRoleDefined)
def on_key_role(session: Session, payload: KeyRoleDefined, envelope: Envelope) -> None:
    current = session.get(KeyRole, payload.key_role_id)
    if current is not None and current.updated_at > envelope.time:
        return  # a stale re-delivery
    values = {
        "key_role_id": payload.key_role_id,
        "code": payload.code,
        "title": payload.title,
        "job_profile_code": payload.job_profile_code,
        "incumbent_id": payload.incumbent_id,
        "org_unit_code": payload.org_unit_code,
        "criticality": payload.criticality,
        "updated_at": envelope.time,
    }
    statement = insert(KeyRole).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[KeyRole.key_role_id],
            set_={k: statement.excluded[k] for k in values if k != "key_role_id"},
        )
    )
    session.expire_all()


@handles(KeyRoleVacated)
def on_key_role_vacated(session: Session, payload: KeyRoleVacated, envelope: Envelope) -> None:
    # Only if nothing newer (a later definition naming a new incumbent) was applied.
    session.execute(
        update(KeyRole)
        .where(
            KeyRole.key_role_id == payload.key_role_id,
            KeyRole.incumbent_id == payload.previous_incumbent_id,
            KeyRole.updated_at <= envelope.time,
        )
        .values(incumbent_id=None, updated_at=envelope.time)
    )
    session.expire_all()


@handles(PotentialAssessed)
def on_potential(session: Session, payload: PotentialAssessed, envelope: Envelope) -> None:
    """The latest assessment wins (by date, then id), whatever order they arrive in."""
    statement = insert(Potential).values(
        employee_id=payload.employee_id,
        assessment_id=payload.assessment_id,
        potential=payload.potential,
        assessed_on=payload.assessed_on,
    )
    newer = (statement.excluded.assessed_on > Potential.assessed_on) | (
        (statement.excluded.assessed_on == Potential.assessed_on)
        & (statement.excluded.assessment_id >= Potential.assessment_id)
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Potential.employee_id],
            set_={k: statement.excluded[k] for k in ("assessment_id", "potential", "assessed_on")},
            where=newer,
        )
    )


@handles(SuccessorNominated)
def on_nominated(session: Session, payload: SuccessorNominated, envelope: Envelope) -> None:
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        readiness=payload.readiness,
        readiness_on=payload.nominated_on,
        rank=payload.rank,
        suggestion_id=payload.suggestion_id,
        nominated_on=payload.nominated_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={
                "rank": statement.excluded.rank,
                "suggestion_id": statement.excluded.suggestion_id,
                "nominated_on": statement.excluded.nominated_on,
                # A readiness assessment applied first (out of order) came later: it stays.
                "readiness": func.coalesce(Nomination.readiness, statement.excluded.readiness),
                "readiness_on": func.coalesce(
                    Nomination.readiness_on, statement.excluded.readiness_on
                ),
            },
        )
    )
    if payload.suggestion_id is not None:
        accept_suggestion(session, payload, envelope)


def accept_suggestion(session: Session, payload: SuccessorNominated, envelope: Envelope) -> None:
    record_acceptance(
        session,
        payload.suggestion_id,
        kind="successor",
        employee_id=payload.employee_id,
        key_role_id=payload.key_role_id,
        via="nomination",
        source_id=payload.nomination_id,
        at=envelope.time,
    )


@handles(ReadinessAssessed)
def on_readiness(session: Session, payload: ReadinessAssessed, envelope: Envelope) -> None:
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        readiness=payload.readiness,
        readiness_on=payload.assessed_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={
                "readiness": statement.excluded.readiness,
                "readiness_on": statement.excluded.readiness_on,
            },
            where=(Nomination.readiness_on.is_(None))
            | (Nomination.readiness_on <= statement.excluded.readiness_on),
        )
    )


@handles(SuccessorRemoved)
def on_removed(session: Session, payload: SuccessorRemoved, envelope: Envelope) -> None:
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        removed_on=payload.removed_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={"removed_on": statement.excluded.removed_on},
        )
    )
