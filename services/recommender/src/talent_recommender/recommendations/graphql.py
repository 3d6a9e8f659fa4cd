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
    enum_value,
    run_mutation,
)
from talent_recommender.careers import graphql as careers
from talent_recommender.careers.repository import CareerRepository
from talent_recommender.ingest.visibility import DirectAccess, LoadedAccess
from talent_recommender.profiles.estimates import ShownReading
from talent_recommender.recommendations import scoring
from talent_recommender.recommendations.issuing import course_recommendation_id
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.service import (
    DevelopmentAction as DevelopmentActionData,
)
from talent_recommender.recommendations.service import (
    GapReport,
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
    code: str = strawberry.field(
        description="The course's code; learning resolves the other fields."
    )


@strawberry.enum(description="Where a level estimate comes from.")
class EstimateBasis(Enum):
    EVIDENCE = enum_value(
        "evidence",
        description="The employee's own evidence: assessments, completions, past roles.",
    )
    INFERRED = enum_value(
        "inferred",
        description="No own evidence on it: inferred by the latest model from the job "
        "profile and the employee's other evidence; never verified.",
    )
    NONE = enum_value(
        "none",
        description="Neither evidence nor a model estimate: the estimate is 1 with confidence 0.",
    )


@strawberry.enum(description="What kind of evidence a reading is.")
class EvidenceKind(Enum):
    ASSESSMENT = enum_value(
        "assessment",
        description="A competency assessment; `detail` is its source: assessment (formal), "
        "manager, peer or self.",
    )
    COMPLETION = enum_value(
        "completion",
        description="A completed course teaching the competency; `detail` is the course code "
        "and `level` the level it teaches.",
    )
    ROLE = enum_value(
        "role",
        description="A past job profile requiring the competency; `detail` is its code, "
        "`level` its required level and `on` the day it ended.",
    )


@strawberry.type(description="One piece of evidence behind a skill estimate.")
class SkillEvidence:
    kind: EvidenceKind = strawberry.field(description="Assessment, completion or past role.")
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
    on: dt.date = strawberry.field(
        description="Day of the evidence (ISO date): assessed, completed, or the role's last day."
    )

    @classmethod
    def from_row(cls, row: ShownReading) -> SkillEvidence:
        return cls(
            kind=EvidenceKind(row.kind),
            detail=row.detail,
            level=row.value,
            weight=round(row.weight, 4),
            on=row.on,
        )


@strawberry.type(description="An employee's estimated level (1-5) in one competency.")
class SkillLevel:
    competency_code: str = strawberry.field(description="Code of the competency.")
    competency_name: str = strawberry.field(
        description="Its name from people's framework (the code when unknown)."
    )
    level: float = strawberry.field(description="Estimated level, 1-5, two decimals.")
    confidence: float = strawberry.field(
        description="0-1: the chance that the true level is within 0.5 of `level`."
    )
    basis: EstimateBasis = strawberry.field(
        description="EVIDENCE (assessments, completions, past roles) or INFERRED (the latest "
        "model's estimate from the job profile and the employee's other evidence; never "
        "verified)."
    )
    inferred: bool = strawberry.field(description="True when basis is INFERRED.")
    evidence: list[SkillEvidence] = strawberry.field(
        description="The readings the estimate rests on, newest first; empty when inferred."
    )

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
    competency_code: str = strawberry.field(description="Code of the required competency.")
    competency_name: str = strawberry.field(
        description="Its name from people's framework (the code when unknown)."
    )
    required_level: int = strawberry.field(description="Level the job profile requires, 1-5.")
    importance: int = strawberry.field(description="1-5, from the job profile.")
    estimate: float = strawberry.field(
        description="The employee's estimated level, 1-5, two decimals (1 when basis is NONE)."
    )
    confidence: float = strawberry.field(
        description="0-1: the chance that the true level is within 0.5 of the estimate."
    )
    basis: EstimateBasis = strawberry.field(description="Where the estimate comes from.")
    gap: float = strawberry.field(description="Required level minus estimate, at least 0.")
    weighted_gap: float = strawberry.field(description="Gap times importance.")
    suggest_assessment: bool = strawberry.field(
        description="The estimate rests on little evidence (a gap with confidence below "
        "0.3): assess before training."
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
    target_job_profile_code: str = strawberry.field(
        description="Code of the job profile compared against."
    )
    target_title: str = strawberry.field(description="Title of that job profile.")
    gaps: list[SkillGap] = strawberry.field(
        description="Every requirement of the profile, met ones too (gap 0)."
    )


def _report(report: GapReport) -> SkillGapReport:
    return SkillGapReport(
        target_job_profile_code=report.target_code,
        target_title=report.target_title,
        gaps=[SkillGap.from_gap(g) for g in report.gaps],
    )


@strawberry.type(
    description="A common move from the employee's current job profile, with the "
    "employee's own gaps for the job profile it leads to."
)
class CareerPath:
    move: careers.CareerMove = strawberry.field(
        description="The move: where people went next, how many, after how long, and the "
        "typical gaps it closes."
    )
    gaps: SkillGapReport = strawberry.field(
        description="The employee's own gaps against the job profile the move leads to."
    )


@strawberry.type(
    description="Gaps against the job profile of a key role the employee is nominated for."
)
class KeyRoleGapReport:
    key_role_id: strawberry.ID = strawberry.field(description="The key role's id (UUID).")
    key_role_code: str = strawberry.field(description="The key role's code.")
    key_role_title: str = strawberry.field(description="The key role's title.")
    target_job_profile_code: str = strawberry.field(
        description="Code of the key role's job profile, compared against."
    )
    target_title: str = strawberry.field(description="Title of that job profile.")
    gaps: list[SkillGap] = strawberry.field(
        description="Every requirement of the profile, largest weighted gap first."
    )


@strawberry.type(description="A recommended course with its score and reasons.")
class CourseRecommendation:
    id: strawberry.ID = strawberry.field(
        description="Stable for this employee and course across requests: pass it to "
        "learning's `assignLearning(input: {reason: RECOMMENDATION, recommendationId})` to "
        "accept it, or to `dismissRecommendation(input: {recommendationId})`."
    )
    course: Course = strawberry.field(description="The course (resolved by learning).")
    score: float = strawberry.field(
        description="Ranking score, higher first (0 to about 1.25): gaps closed, level fit, "
        "confidence and peer completions, lowered by similar dismissals."
    )
    reasons: list[str] = strawberry.field(
        description="Why, as English sentences to show people, gaps first."
    )
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


@strawberry.enum(description="What a development action asks for.")
class DevelopmentActionKind(Enum):
    COURSE = enum_value("course", description="Take a recommended course.")
    ASSESSMENT = enum_value(
        "assessment",
        description="Assess the competency first: a weighted gap of 2 or more rests on "
        "little evidence (confidence below 0.3).",
    )


@strawberry.type(description="A suggested development action for a direct report.")
class DevelopmentAction:
    employee: Employee = strawberry.field(description="The direct report it is for.")
    kind: DevelopmentActionKind = strawberry.field(description="Take a course, or assess.")
    competency_code: str = strawberry.field(
        description="The competency to assess, or the main gap the course closes."
    )
    course: Course | None = strawberry.field(
        description="The course to take; null for an ASSESSMENT."
    )
    recommendation_id: strawberry.ID | None = strawberry.field(
        description="For a COURSE action: the course recommendation's id (as "
        "`recommendedCourses.id`), to accept or dismiss it."
    )
    score: float = strawberry.field(
        description="Higher first: the course recommendation's score, or for an assessment "
        "the weighted gap / 20."
    )
    reasons: list[str] = strawberry.field(description="Why, as English sentences to show.")

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
    COURSE = enum_value("course", description="A course for the employee (`recommendedCourses`).")
    SUCCESSOR = enum_value(
        "successor",
        description="The employee as a successor for a key role (`successorSuggestions`).",
    )


@strawberry.enum(description="How a recommendation was acted on.")
class AcceptedVia(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    ENROLLMENT = strawberry.enum_value(
        "enrollment", description="Learning assigned the course with this recommendation id."
    )
    NOMINATION = strawberry.enum_value(
        "nomination", description="Succession nominated the successor with this suggestion id."
    )


@strawberry.type(description="A recommendation as served, and whether it was accepted.")
class IssuedRecommendationRecord:
    id: strawberry.ID = strawberry.field(
        description="The id it was served with (`CourseRecommendation.id` or "
        "`SuccessorSuggestion.id`)."
    )
    kind: RecommendationKind = strawberry.field(description="Course or successor suggestion.")
    course: Course | None = strawberry.field(description="For COURSE recommendations.")
    key_role_id: strawberry.ID | None = strawberry.field(
        description="For SUCCESSOR suggestions (hr_leader and admin only)."
    )
    score: float = strawberry.field(description="The score when last served.")
    model_version: int | None = strawberry.field(
        description="Model version when last served; null if served before the first refit."
    )
    first_issued_at: dt.datetime = strawberry.field(
        description="When it was first served (ISO date-time with offset)."
    )
    last_issued_at: dt.datetime = strawberry.field(
        description="Refreshed at most hourly while it keeps being served."
    )
    accepted: bool = strawberry.field(description="True once it was accepted (see acceptedVia).")
    accepted_at: dt.datetime | None = strawberry.field(
        description="When it was accepted (ISO date-time with offset); null until then."
    )
    accepted_via: AcceptedVia | None = strawberry.field(
        description="How it was accepted; null until then."
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
            accepted_via=AcceptedVia(m.accepted_via) if m.accepted_via else None,
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


@strawberry.federation.type(
    keys=["id"],
    description="A person (owned by the people service); the recommender adds skills "
    "estimates, gaps and recommendations.",
)
class Employee:
    id: strawberry.ID = strawberry.field(description="The employee's id (UUID), as in people.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Employee:
        return cls(id=id)

    def _service(self, info: Ctx) -> RecommenderService:
        return RecommenderService(
            info.context.session, info.context.principal, access=_access(info)
        )

    async def _visible_id(self, info: Ctx) -> uuid.UUID | None:
        """The employee's id if the caller may see them (Forbidden, a FORBIDDEN error at the
        field, otherwise). Checked before taking the session lock, so every entity's check
        lands in the same DataLoader batch."""
        employee_id = _parse_uuid(self.id)
        if employee_id is None:
            return None
        try:
            await _access(info).visible(employee_id)
        except errors.NotFound:
            return None  # not an employee the recommender has heard of: nothing to show
        return employee_id

    @strawberry.field(
        description="Estimated level per competency with confidence and evidence, plus "
        "inferred competencies (labelled). Null with a FORBIDDEN error unless the caller "
        "may see the employee."
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
        self,
        info: Ctx,
        target_job_profile_code: Annotated[
            str | None,
            strawberry.argument(
                description="Compare against this job profile; an unknown code is NOT_FOUND. "
                "Omitted: the current one (null when the employee has none)."
            ),
        ] = None,
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
        return _report(report)

    @strawberry.field(
        description="Where people went next from the employee's current job profile (as "
        "`JobProfile.nextMoves`), each with the employee's own gaps for it; empty when "
        "they have no job profile. Null with a FORBIDDEN error unless the caller may see "
        "the employee."
    )
    async def career_paths(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many moves, 0-{careers.MAX_MOVES} (default 5); outside "
                "that BAD_USER_INPUT."
            ),
        ] = 5,
    ) -> list[CareerPath] | None:
        checked_first(first, maximum=careers.MAX_MOVES)
        employee_id = await self._visible_id(info)
        if employee_id is None:
            return None
        try:
            # Only the current job profile's code is needed here (visibility is checked
            # above): not its whole gap report, which each move's report recomputes anyway.
            current = await CareerRepository(info.context.session).job_profile_of(employee_id)
            if current is None:
                return []
            moves = await careers.next_moves(info, current, first=first)
            paths = []
            service = self._service(info)
            for move in moves:
                async with session_lock(info):
                    report = await service.gaps(
                        employee_id, target_job_profile_code=move.job_profile_code
                    )
                if report is not None:
                    paths.append(CareerPath(move=careers.CareerMove.of(move), gaps=_report(report)))
        except (errors.NotFound, errors.Forbidden):
            return None
        return paths

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
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many, 0-{MAX_RECOMMENDATIONS} (default 10); outside that "
                "BAD_USER_INPUT."
            ),
        ] = 10,
        target_job_profile_code: Annotated[
            str | None,
            strawberry.argument(
                description="Close the gaps for this job profile instead of the current one; "
                "an unknown code is NOT_FOUND."
            ),
        ] = None,
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
        "top development actions (at most 3 each): courses, or an assessment where evidence "
        "is thin. Same visibility as `recommendedCourses`."
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
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many, 0-{MAX_HISTORY} (default 20); outside that BAD_USER_INPUT."
            ),
        ] = 20,
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
    reason: str = strawberry.field(description="Why, 1-2000 characters (trimmed).")
    employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="With `courseCode`: whose recommendation it is."
    )
    course_code: str | None = strawberry.field(
        default=None, description="With `employeeId`: the course to dismiss."
    )
    recommendation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="`CourseRecommendation.id` as served; then leave the other two out.",
    )


@strawberry.type(description="A course recommendation dismissed for an employee.")
class Dismissal:
    id: strawberry.ID = strawberry.field(description="The dismissal's id (UUID).")
    employee: Employee = strawberry.field(description="Whose recommendation it was.")
    course: Course = strawberry.field(
        description="The course; it is not recommended to the employee again."
    )
    reason: str = strawberry.field(description="Why, as given (trimmed).")
    dismissed_at: dt.datetime = strawberry.field(description="When (ISO date-time with offset).")


@strawberry.type(description="The dismissal recorded.")
class DismissRecommendationPayload:
    dismissal: Dismissal = strawberry.field(description="The new dismissal.")


DismissRecommendationResult = Annotated[
    DismissRecommendationPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "DismissRecommendationResult", description="The dismissal, or why none was recorded."
    ),
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
        self,
        info: Ctx,
        input: Annotated[
            DismissRecommendationInput,
            strawberry.argument(description="The recommendation and why."),
        ],
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
