from __future__ import annotations

import asyncio
import datetime as dt
import uuid
import weakref
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, TypeVar

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from talent_platform import errors
from talent_platform.errors import FieldError as DomainFieldError
from talent_platform.errors import ValidationFailed
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    checked_first,
    run_mutation,
)
from talent_recommender.ingest.visibility import DirectAccess, LoadedAccess
from talent_recommender.profiles.estimates import ShownReading
from talent_recommender.recommendations import scoring
from talent_recommender.recommendations.issuing import course_recommendation_id
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.service import (
    DevelopmentAction as DevelopmentActionData,
)
from talent_recommender.recommendations.service import (
    ProfileEntry,
    RecommenderService,
)

Ctx = Info[TalentContext, None]
T = TypeVar("T")
MAX_RECOMMENDATIONS = 50
MAX_HISTORY = 100

_LOCKS: weakref.WeakKeyDictionary[TalentContext, asyncio.Lock] = weakref.WeakKeyDictionary()


def session_lock(info: Ctx) -> asyncio.Lock:
    """One request's session runs one statement at a time, but strawberry resolves sibling
    fields concurrently: the Employee fields below take turns on the session."""
    lock = _LOCKS.get(info.context)
    if lock is None:
        lock = _LOCKS[info.context] = asyncio.Lock()
    return lock


async def locked(info: Ctx, work: Callable[[], Awaitable[T]]) -> T:
    async with session_lock(info):
        return await work()


@strawberry.federation.type(
    keys=[Key(fields=FieldSet("code"), resolvable=False)],
    description="A course of the catalog (owned by the learning service).",
)
class Course:
    code: str


@strawberry.enum(description="Where a level estimate comes from.")
class EstimateBasis(Enum):
    EVIDENCE = "evidence"
    INFERRED = "inferred"
    NONE = "none"


@strawberry.type(description="One piece of evidence behind a skill estimate.")
class SkillEvidence:
    kind: str = strawberry.field(description="`assessment`, `completion` or `role`.")
    detail: str = strawberry.field(
        description="The assessment's source (self, manager, peer, assessment), the "
        "completed course's code, or the job profile held."
    )
    level: float = strawberry.field(description="The level this evidence points to.")
    weight: float = strawberry.field(
        description="How much it counts in the estimate: its precision under the latest "
        "model (the source's calibrated noise, the score or years, recency, and a quarter "
        "when a later formal assessment supersedes it)."
    )
    on: dt.date

    @classmethod
    def from_row(cls, row: ShownReading) -> SkillEvidence:
        return cls(
            kind=row.kind,
            detail=row.detail,
            level=row.value,
            weight=round(row.weight, 4),
            on=row.on,
        )


@strawberry.type(description="An employee's estimated level (1-5) in one competency.")
class SkillLevel:
    competency_code: str
    competency_name: str
    level: float
    confidence: float = strawberry.field(description="0-1.")
    basis: EstimateBasis = strawberry.field(
        description="EVIDENCE (assessments, completions, roles) or INFERRED (a low-rank "
        "model's guess from similar colleagues; never verified)."
    )
    inferred: bool
    evidence: list[SkillEvidence]

    @classmethod
    def from_entry(cls, e: ProfileEntry) -> SkillLevel:
        return cls(
            competency_code=e.competency_code,
            competency_name=e.competency_name,
            level=e.level,
            confidence=e.confidence,
            basis=EstimateBasis(e.basis.value),
            inferred=e.basis is scoring.Basis.INFERRED,
            evidence=[SkillEvidence.from_row(r) for r in e.evidence],
        )


@strawberry.type(description="A required competency, the estimate and the gap.")
class SkillGap:
    competency_code: str
    competency_name: str
    required_level: int
    importance: int = strawberry.field(description="1-5, from the job profile.")
    estimate: float
    confidence: float
    basis: EstimateBasis
    gap: float = strawberry.field(description="Required level minus estimate, at least 0.")
    weighted_gap: float = strawberry.field(description="Gap times importance.")
    suggest_assessment: bool = strawberry.field(
        description="The estimate rests on little evidence: assess before training."
    )

    @classmethod
    def from_gap(cls, g: scoring.Gap) -> SkillGap:
        return cls(
            competency_code=g.competency_code,
            competency_name=g.competency_name,
            required_level=g.required_level,
            importance=g.importance,
            estimate=g.estimate,
            confidence=g.confidence,
            basis=EstimateBasis(g.basis.value),
            gap=g.gap,
            weighted_gap=g.weighted_gap,
            suggest_assessment=g.suggest_assessment,
        )


@strawberry.type(description="Gaps against one job profile, largest weighted gap first.")
class SkillGapReport:
    target_job_profile_code: str
    target_title: str
    gaps: list[SkillGap]


@strawberry.type(
    description="Gaps against the job profile of a key role the employee is nominated for."
)
class KeyRoleGapReport:
    key_role_id: strawberry.ID
    key_role_code: str
    key_role_title: str
    target_job_profile_code: str
    target_title: str
    gaps: list[SkillGap]


@strawberry.type(description="A recommended course with its score and reasons.")
class CourseRecommendation:
    id: strawberry.ID = strawberry.field(
        description="Stable for this employee and course across requests: pass it to "
        "learning's `assignLearning(input: {reason: RECOMMENDATION, recommendationId})` to "
        "accept it, or to `dismissRecommendation(input: {recommendationId})`."
    )
    course: Course
    score: float
    reasons: list[str]
    competency_codes: list[str] = strawberry.field(
        description="The gap competencies the course teaches."
    )

    @classmethod
    def from_ranked(cls, employee_id: uuid.UUID, r: scoring.RankedCourse) -> CourseRecommendation:
        return cls(
            id=strawberry.ID(str(course_recommendation_id(employee_id, r.code))),
            course=Course(code=r.code),
            score=r.score,
            reasons=list(r.reasons),
            competency_codes=list(r.competencies),
        )


@strawberry.enum
class DevelopmentActionKind(Enum):
    COURSE = "course"
    ASSESSMENT = "assessment"


@strawberry.type(description="A suggested development action for a direct report.")
class DevelopmentAction:
    employee: Employee
    kind: DevelopmentActionKind
    competency_code: str
    course: Course | None
    recommendation_id: strawberry.ID | None = strawberry.field(
        description="For a COURSE action: the course recommendation's id (as "
        "`recommendedCourses.id`), to accept or dismiss it."
    )
    score: float
    reasons: list[str]

    @classmethod
    def from_data(cls, a: DevelopmentActionData) -> DevelopmentAction:
        return cls(
            employee=Employee(id=strawberry.ID(str(a.employee_id))),
            kind=DevelopmentActionKind(a.kind),
            competency_code=a.competency_code,
            course=Course(code=a.course.code) if a.course else None,
            recommendation_id=strawberry.ID(
                str(course_recommendation_id(a.employee_id, a.course.code))
            )
            if a.course
            else None,
            score=a.score,
            reasons=list(a.reasons),
        )


@strawberry.enum(description="What a recommendation suggests.")
class RecommendationKind(Enum):
    COURSE = "course"
    SUCCESSOR = "successor"


@strawberry.type(description="A recommendation as served, and whether it was accepted.")
class IssuedRecommendationRecord:
    id: strawberry.ID
    kind: RecommendationKind
    course: Course | None = strawberry.field(description="For COURSE recommendations.")
    key_role_id: strawberry.ID | None = strawberry.field(
        description="For SUCCESSOR suggestions (hr_leader and admin only)."
    )
    score: float = strawberry.field(description="The score when last served.")
    model_version: int | None
    first_issued_at: dt.datetime
    last_issued_at: dt.datetime = strawberry.field(
        description="Refreshed at most hourly while it keeps being served."
    )
    accepted: bool
    accepted_at: dt.datetime | None
    accepted_via: str | None = strawberry.field(
        description="`enrollment`: learning assigned the course with this recommendation id; "
        "`nomination`: succession nominated the successor with this suggestion id."
    )

    @classmethod
    def from_model(cls, m: IssuedRecommendation) -> IssuedRecommendationRecord:
        return cls(
            id=strawberry.ID(str(m.recommendation_id)),
            kind=RecommendationKind(m.kind),
            course=Course(code=m.course_code) if m.course_code else None,
            key_role_id=strawberry.ID(str(m.key_role_id)) if m.key_role_id else None,
            score=round(m.score, 4),
            model_version=m.model_version,
            first_issued_at=m.first_issued_at,
            last_issued_at=m.last_issued_at,
            accepted=m.accepted_at is not None,
            accepted_at=m.accepted_at,
            accepted_via=m.accepted_via,
        )


def _access(info: Ctx) -> LoadedAccess:
    """The request's visibility checks, batched: the Employee entities of one
    `_entities` call are looked up and checked together."""
    direct = DirectAccess(info.context.session, info.context.principal)
    return LoadedAccess(info.context.loader("recommender.visible_employee", direct.visible_many))


def _parse_uuid(value: strawberry.ID) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@strawberry.federation.type(keys=["id"])
class Employee:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    def _service(self, info: Ctx) -> RecommenderService:
        return RecommenderService(
            info.context.session, info.context.principal, access=_access(info)
        )

    async def _visible_id(self, info: Ctx) -> uuid.UUID | None:
        """The employee's id if the caller may see them. Checked before taking the
        session lock, so every entity's check lands in the same DataLoader batch."""
        employee_id = _parse_uuid(self.id)
        if employee_id is None:
            return None
        try:
            await _access(info).visible(employee_id)
        except (errors.NotFound, errors.Forbidden):
            return None
        return employee_id

    @strawberry.field(
        description="Estimated level per competency with confidence and evidence, plus "
        "inferred competencies (labelled). Null unless the caller may see the employee."
    )
    async def skill_profile(self, info: Ctx) -> list[SkillLevel] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            entries = await locked(info, lambda: self._service(info).profile(employee_id))
        except (errors.NotFound, errors.Forbidden):
            return None
        return [SkillLevel.from_entry(e) for e in entries]

    @strawberry.field(
        description="Gaps against `targetJobProfileCode`, or the current job profile."
    )
    async def skill_gaps(
        self, info: Ctx, target_job_profile_code: str | None = None
    ) -> SkillGapReport | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            report = await locked(
                info,
                lambda: self._service(info).gaps(
                    employee_id, target_job_profile_code=target_job_profile_code
                ),
            )
        except errors.NotFound as exc:
            if exc.entity == "job profile":
                raise
            return None
        except errors.Forbidden:
            return None
        if report is None:
            return None
        return SkillGapReport(
            target_job_profile_code=report.target_code,
            target_title=report.target_title,
            gaps=[SkillGap.from_gap(g) for g in report.gaps],
        )

    @strawberry.field(
        description="Gaps against each key role the employee is currently nominated for "
        "(its job profile), by key role code. Succession data: hr_leader and admin only, "
        "null for everyone else."
    )
    async def key_role_gaps(self, info: Ctx) -> list[KeyRoleGapReport] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            reports = await locked(info, lambda: self._service(info).key_role_gaps(employee_id))
        except (errors.NotFound, errors.Forbidden):
            return None
        return [
            KeyRoleGapReport(
                key_role_id=strawberry.ID(str(r.key_role_id)),
                key_role_code=r.key_role_code,
                key_role_title=r.key_role_title,
                target_job_profile_code=r.report.target_code,
                target_title=r.report.target_title,
                gaps=[SkillGap.from_gap(g) for g in r.report.gaps],
            )
            for r in reports
        ]

    @strawberry.field(
        description=f"Courses closing the employee's gaps (current job profile, or "
        f"`targetJobProfileCode`), best first, each with reasons; at most "
        f"{MAX_RECOMMENDATIONS}."
    )
    async def recommended_courses(
        self, info: Ctx, first: int = 10, target_job_profile_code: str | None = None
    ) -> list[CourseRecommendation] | None:
        checked_first(first, maximum=MAX_RECOMMENDATIONS)
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            ranked = await locked(
                info,
                lambda: self._service(info).recommend_courses(
                    employee_id,
                    first=first,
                    target_job_profile_code=target_job_profile_code,
                ),
            )
        except errors.NotFound as exc:
            if exc.entity == "job profile":
                raise
            return None
        except errors.Forbidden:
            return None
        return [CourseRecommendation.from_ranked(employee_id, r) for r in ranked]

    @strawberry.field(
        description="For each active direct report of this employee (a manager), their "
        "top development actions: courses, or an assessment where evidence is thin."
    )
    async def team_development_actions(self, info: Ctx) -> list[DevelopmentAction] | None:
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            actions = await locked(info, lambda: self._service(info).team_actions(employee_id))
        except (errors.NotFound, errors.Forbidden):
            return None
        return [DevelopmentAction.from_data(a) for a in actions]

    @strawberry.field(
        description=f"Recommendations served for this employee, most recently served "
        f"first, with acceptances (at most {MAX_HISTORY}). Same visibility as "
        f"`recommendedCourses`; successor suggestions only for hr_leader and admin."
    )
    async def recommendation_history(
        self, info: Ctx, first: int = 20
    ) -> list[IssuedRecommendationRecord] | None:
        checked_first(first, maximum=MAX_HISTORY)
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            records = await locked(
                info,
                lambda: self._service(info).history(employee_id, first=first),
            )
        except (errors.NotFound, errors.Forbidden):
            return None
        return [IssuedRecommendationRecord.from_model(m) for m in records]


@strawberry.input(
    description="Either `recommendationId` (as served) or both `employeeId` and `courseCode`."
)
class DismissRecommendationInput:
    reason: str
    employee_id: strawberry.ID | None = None
    course_code: str | None = None
    recommendation_id: strawberry.ID | None = None


@strawberry.type
class Dismissal:
    id: strawberry.ID
    employee: Employee
    course: Course
    reason: str
    dismissed_at: dt.datetime


@strawberry.type
class DismissRecommendationPayload:
    dismissal: Dismissal


DismissRecommendationResult = Annotated[
    DismissRecommendationPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DismissRecommendationResult"),
]


@strawberry.type
class RecommendationMutation:
    @strawberry.mutation(
        description="Dismiss a course recommended for an employee (the employee, their "
        "managers or HR), by `recommendationId` or by `employeeId` and `courseCode`. It is "
        "not recommended to them again; similar courses rank lower. Publishes "
        "recommendation.feedback (kind dismissed)."
    )
    async def dismiss_recommendation(
        self, info: Ctx, input: DismissRecommendationInput
    ) -> DismissRecommendationResult:
        service = RecommenderService(info.context.session, info.context.principal)

        async def action() -> DismissRecommendationPayload:
            employee_id = recommendation_id = None
            if input.employee_id is not None:
                employee_id = _parse_uuid(input.employee_id)
                if employee_id is None:
                    raise ValidationFailed(
                        [DomainFieldError("input.employeeId", "not an employee id")]
                    )
            if input.recommendation_id is not None:
                recommendation_id = _parse_uuid(input.recommendation_id)
                if recommendation_id is None:
                    raise ValidationFailed(
                        [DomainFieldError("input.recommendationId", "not a recommendation id")]
                    )
            dismissal = await service.dismiss(
                employee_id,
                course_code=input.course_code,
                recommendation_id=recommendation_id,
                reason=input.reason,
            )
            return DismissRecommendationPayload(
                dismissal=Dismissal(
                    id=strawberry.ID(str(dismissal.id)),
                    employee=Employee(id=strawberry.ID(str(dismissal.employee_id))),
                    course=Course(code=dismissal.course_code),
                    reason=dismissal.reason,
                    dismissed_at=dismissal.created_at,
                )
            )

        return await run_mutation(info.context, action)
