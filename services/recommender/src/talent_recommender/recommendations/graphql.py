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
    run_mutation,
)
from talent_recommender.recommendations import scoring
from talent_recommender.recommendations.repository import EvidenceRow
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
    weight: float = strawberry.field(description="Its weight (source, score, recency, years).")
    on: dt.date

    @classmethod
    def from_row(cls, row: EvidenceRow) -> SkillEvidence:
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


@strawberry.type(description="A recommended course with its score and reasons.")
class CourseRecommendation:
    course: Course
    score: float
    reasons: list[str]
    competency_codes: list[str] = strawberry.field(
        description="The gap competencies the course teaches."
    )

    @classmethod
    def from_ranked(cls, r: scoring.RankedCourse) -> CourseRecommendation:
        return cls(
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
    score: float
    reasons: list[str]

    @classmethod
    def from_data(cls, a: DevelopmentActionData) -> DevelopmentAction:
        return cls(
            employee=Employee(id=strawberry.ID(str(a.employee_id))),
            kind=DevelopmentActionKind(a.kind),
            competency_code=a.competency_code,
            course=Course(code=a.course.code) if a.course else None,
            score=a.score,
            reasons=list(a.reasons),
        )


def _employee_id(value: strawberry.ID) -> uuid.UUID | None:
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
        return RecommenderService(info.context.session, info.context.principal)

    @strawberry.field(
        description="Estimated level per competency with confidence and evidence, plus "
        "inferred competencies (labelled). Null unless the caller may see the employee."
    )
    async def skill_profile(self, info: Ctx) -> list[SkillLevel] | None:
        employee_id = _employee_id(self.id)
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
        employee_id = _employee_id(self.id)
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
        description=f"Courses closing the employee's gaps (current job profile, or "
        f"`targetJobProfileCode`), best first, each with reasons; at most "
        f"{MAX_RECOMMENDATIONS}."
    )
    async def recommended_courses(
        self, info: Ctx, first: int = 10, target_job_profile_code: str | None = None
    ) -> list[CourseRecommendation] | None:
        employee_id = _employee_id(self.id)
        if employee_id is None:
            return None
        try:
            ranked = await locked(
                info,
                lambda: self._service(info).recommend_courses(
                    employee_id,
                    first=max(0, min(first, MAX_RECOMMENDATIONS)),
                    target_job_profile_code=target_job_profile_code,
                ),
            )
        except errors.NotFound as exc:
            if exc.entity == "job profile":
                raise
            return None
        except errors.Forbidden:
            return None
        return [CourseRecommendation.from_ranked(r) for r in ranked]

    @strawberry.field(
        description="For each active direct report of this employee (a manager), their "
        "top development actions: courses, or an assessment where evidence is thin."
    )
    async def team_development_actions(self, info: Ctx) -> list[DevelopmentAction] | None:
        employee_id = _employee_id(self.id)
        if employee_id is None:
            return None
        try:
            actions = await locked(info, lambda: self._service(info).team_actions(employee_id))
        except (errors.NotFound, errors.Forbidden):
            return None
        return [DevelopmentAction.from_data(a) for a in actions]


@strawberry.input
class DismissRecommendationInput:
    employee_id: strawberry.ID
    course_code: str
    reason: str


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
        "managers or HR). It is not recommended to them again; similar courses rank lower."
    )
    async def dismiss_recommendation(
        self, info: Ctx, input: DismissRecommendationInput
    ) -> DismissRecommendationResult:
        service = RecommenderService(info.context.session, info.context.principal)

        async def action() -> DismissRecommendationPayload:
            employee_id = _employee_id(input.employee_id)
            if employee_id is None:
                raise ValidationFailed([DomainFieldError("input.employeeId", "not an employee id")])
            dismissal = await service.dismiss(
                employee_id, course_code=input.course_code, reason=input.reason
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
