"""Skills profiles, gaps, course recommendations and feedback for one employee.

Authorization: every method checks that the principal may see the employee (their own
records, their reporting chain, HR); callers get NotFound/Forbidden domain errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.errors import FieldError, NotFound, ValidationFailed
from talent_recommender.ingest.models import Employee
from talent_recommender.ingest.repository import EmployeeRepository
from talent_recommender.ingest.visibility import (
    DirectAccess,
    EmployeeAccess,
    require_succession_reader,
    sees_succession,
)
from talent_recommender.profiles.estimates import ShownReading, years_in_role
from talent_recommender.profiles.inference import LoadedModel, evidence_of
from talent_recommender.recommendations.feedback import dismissal_reason, publish_dismissal
from talent_recommender.recommendations.issuing import (
    IssuedItem,
    course_recommendation_id,
    issue,
)
from talent_recommender.recommendations.models import Dismissal, IssuedRecommendation
from talent_recommender.recommendations.repository import RecommenderRepository
from talent_recommender.recommendations.scoring import (
    Basis,
    Gap,
    LevelEstimate,
    PeerContext,
    RankedCourse,
    compute_gaps,
    rank_courses,
)

# Inferred competencies shown in a profile besides the required ones.
EXTRA_INFERRED = 5
EXTRA_INFERRED_MIN_LEVEL = 3.0
# Courses most completed on the same path, considered besides the gap courses.
POPULAR_CANDIDATES = 30


@dataclass(frozen=True)
class ProfileEntry:
    competency_code: str
    competency_name: str
    level: float
    confidence: float
    basis: Basis
    evidence: tuple[ShownReading, ...]


@dataclass(frozen=True)
class GapReport:
    target_code: str
    target_title: str
    gaps: list[Gap]


@dataclass(frozen=True)
class KeyRoleGapReport:
    key_role_id: uuid.UUID
    key_role_code: str
    key_role_title: str
    report: GapReport


@dataclass(frozen=True)
class DevelopmentAction:
    employee_id: uuid.UUID
    kind: str  # "course" or "assessment"
    competency_code: str
    course: RankedCourse | None
    score: float
    reasons: tuple[str, ...]


class RecommenderService:
    def __init__(
        self, session: AsyncSession, principal: Principal, *, access: EmployeeAccess | None = None
    ) -> None:
        self.session = session
        self.principal = principal
        self.repository = RecommenderRepository(session)
        self.employees = EmployeeRepository(session)
        # GraphQL passes a DataLoader-backed access so a page of employees is checked
        # in one go; everything else checks one employee at a time.
        self.access = access or DirectAccess(session, principal)
        self._model: tuple[LoadedModel | None] | None = None

    async def _visible(self, employee_id: uuid.UUID) -> Employee:
        return await self.access.visible(employee_id)

    async def _latest_model(self) -> LoadedModel | None:
        if self._model is None:
            self._model = (await self.repository.latest_model(),)
        return self._model[0]

    async def _estimates(
        self, employee: Employee, *, wanted: Sequence[str] | None, model: LoadedModel | None
    ) -> dict[str, LevelEstimate]:
        """Estimates of the competencies with evidence (stored posteriors), completed with
        inferred ones for the `wanted` codes without evidence (None: every competency the
        model knows)."""
        stored = await self.repository.estimates(employee.employee_id)
        found = {
            e.competency_code: LevelEstimate(e.level, e.confidence, Basis.EVIDENCE) for e in stored
        }
        if model is not None:
            for code, inferred in model.infer(
                employee.job_profile_code,
                evidence_of(stored),
                wanted=wanted,
                tenure_years=years_in_role(employee.in_role_since or employee.hire_date),
            ).items():
                found[code] = LevelEstimate(inferred.level, inferred.confidence, Basis.INFERRED)
        return found

    async def estimates(
        self, employee_id: uuid.UUID, *, wanted: Sequence[str]
    ) -> dict[str, LevelEstimate]:
        """The employee's estimate of each `wanted` competency the model knows or they have
        evidence on (stored posterior, or inferred), as every other answer uses them."""
        employee = await self._visible(employee_id)
        found = await self._estimates(employee, wanted=wanted, model=await self._latest_model())
        return {code: found[code] for code in wanted if code in found}

    async def profile(self, employee_id: uuid.UUID) -> list[ProfileEntry]:
        """Every competency with evidence, every one the job profile requires, and the
        EXTRA_INFERRED strongest other inferred ones."""
        employee = await self._visible(employee_id)
        model = await self._latest_model()
        required = (
            {
                r.competency_code
                for r in await self.repository.requirements(employee.job_profile_code)
            }
            if employee.job_profile_code
            else set()
        )
        everything = await self._estimates(employee, wanted=None, model=model)
        strongest = sorted(
            (
                (code, e)
                for code, e in everything.items()
                if e.basis is Basis.INFERRED
                and code not in required
                and e.level >= EXTRA_INFERRED_MIN_LEVEL
            ),
            key=lambda item: -item[1].level,
        )[:EXTRA_INFERRED]
        estimates = {
            code: e
            for code, e in everything.items()
            if e.basis is Basis.EVIDENCE or code in required
        } | dict(strongest)
        names = await self.repository.competency_names(estimates)
        evidence = (await self.repository.evidence([employee_id]))[employee_id]
        by_competency: dict[str, list[ShownReading]] = {}
        for row in evidence:
            by_competency.setdefault(row.competency_code, []).append(row)
        entries = [
            ProfileEntry(
                competency_code=code,
                competency_name=names.get(code, code),
                level=round(e.level, 2),
                confidence=round(e.confidence, 3),
                basis=e.basis,
                evidence=tuple(by_competency.get(code, ())),
            )
            for code, e in estimates.items()
        ]
        entries.sort(key=lambda p: (p.basis is not Basis.EVIDENCE, -p.level, p.competency_code))
        return entries

    async def gaps(
        self, employee_id: uuid.UUID, *, target_job_profile_code: str | None = None
    ) -> GapReport | None:
        """Gaps against the target job profile (default: the current one); None when the
        employee has no job profile and no target was given."""
        employee = await self._visible(employee_id)
        return await self._gaps(employee, target_job_profile_code)

    async def _gaps(self, employee: Employee, target: str | None) -> GapReport | None:
        code = target or employee.job_profile_code
        if code is None:
            return None
        profile = await self.repository.job_profile(code)
        if profile is None:
            if target is not None:
                raise NotFound("job profile", code)
            return None
        requirements = await self.repository.requirements(code)
        model = await self._latest_model()
        estimates = await self._estimates(
            employee, wanted=[r.competency_code for r in requirements], model=model
        )
        names = await self.repository.competency_names([r.competency_code for r in requirements])
        return GapReport(code, profile.title, compute_gaps(requirements, estimates, names))

    async def key_role_gaps(self, employee_id: uuid.UUID) -> list[KeyRoleGapReport]:
        """Gaps against the job profile of every key role the employee is currently
        nominated for (succession data: hr_leader and admin only)."""
        require_succession_reader(self.principal, "gaps against key roles")
        employee = await self._visible(employee_id)
        found = []
        for role in await self.repository.nominated_key_roles(employee_id):
            report = await self._gaps(employee, role.job_profile_code)
            if report is not None:
                found.append(KeyRoleGapReport(role.key_role_id, role.code, role.title, report))
        return found

    async def recommend_courses(
        self, employee_id: uuid.UUID, *, first: int = 10, target_job_profile_code: str | None = None
    ) -> list[RankedCourse]:
        """Ranked courses, each recorded as issued (its id is
        `course_recommendation_id(employee_id, code)`)."""
        employee = await self._visible(employee_id)
        ranked = await self._recommend(employee, first=first, target=target_job_profile_code)
        await self._issue([(employee.employee_id, r) for r in ranked])
        return ranked

    async def _issue(self, served: Sequence[tuple[uuid.UUID, RankedCourse]]) -> None:
        model = await self._latest_model()
        await issue(
            self.session,
            "course",
            [
                IssuedItem(employee_id=e, score=r.score, reasons=r.reasons, course_code=r.code)
                for e, r in served
            ],
            model_version=model.version if model is not None else None,
        )

    async def _recommend(
        self, employee: Employee, *, first: int, target: str | None = None
    ) -> list[RankedCourse]:
        report = await self._gaps(employee, target)
        if report is None:
            return []
        open_codes = [g.competency_code for g in report.gaps if g.gap > 0]
        candidates = await self.repository.courses_teaching(open_codes)
        known = {c.code for c in candidates}
        popular = [
            c
            for c in await self.repository.popular_courses(
                report.target_code, limit=POPULAR_CANDIDATES
            )
            if c not in known
        ]
        candidates += await self.repository.courses_by_code(popular)
        completed = await self.repository.completed_courses(employee.employee_id)
        dismissed, dismissed_competencies = await self.repository.dismissals(employee.employee_id)
        enrolled, addressed = await self.repository.open_enrollments(employee.employee_id)
        peers = PeerContext(
            title=report.target_title,
            headcount=await self.repository.headcount(report.target_code),
            completions=await self.repository.peer_completions(
                report.target_code, [c.code for c in candidates]
            ),
        )
        return rank_courses(
            report.gaps,
            candidates,
            target_title=report.target_title,
            peers=peers,
            completed=completed,
            dismissed=dismissed,
            dismissed_competencies=dismissed_competencies,
            first=first,
            enrolled=enrolled,
            addressed=addressed,
        )

    async def team_actions(
        self, manager_id: uuid.UUID, *, per_report: int = 3
    ) -> list[DevelopmentAction]:
        """For each active direct report, their top development actions: an assessment
        where a large gap rests on little evidence, otherwise recommended courses."""
        await self._visible(manager_id)
        actions: list[DevelopmentAction] = []
        for report in await self.employees.direct_reports(manager_id):
            gaps = await self._gaps(report, None)
            mine: list[DevelopmentAction] = []
            if gaps is not None:
                for g in gaps.gaps:
                    if g.suggest_assessment and g.weighted_gap >= 2 and len(mine) < 1:
                        mine.append(
                            DevelopmentAction(
                                employee_id=report.employee_id,
                                kind="assessment",
                                competency_code=g.competency_code,
                                course=None,
                                score=round(g.weighted_gap / 20.0, 4),
                                reasons=(
                                    f"assess {g.competency_name}: {gaps.target_title} requires "
                                    f"{g.required_level}, evidence so far is thin "
                                    f"(confidence {g.confidence:.2f})",
                                ),
                            )
                        )
            for course in await self._recommend(report, first=per_report - len(mine)):
                mine.append(
                    DevelopmentAction(
                        employee_id=report.employee_id,
                        kind="course",
                        competency_code=course.main_competency,
                        course=course,
                        score=course.score,
                        reasons=course.reasons,
                    )
                )
            actions.extend(mine)
        await self._issue([(a.employee_id, a.course) for a in actions if a.course is not None])
        return actions

    async def history(self, employee_id: uuid.UUID, *, first: int) -> list[IssuedRecommendation]:
        """What was recommended to the employee, most recently served first, with
        acceptances. Successor suggestions only for hr_leader and admin."""
        await self._visible(employee_id)
        kinds = ["course"]
        if sees_succession(self.principal):
            kinds.append("successor")
        return await self.repository.history(employee_id, kinds=kinds, first=first)

    async def dismiss(
        self,
        employee_id: uuid.UUID | None = None,
        *,
        course_code: str | None = None,
        recommendation_id: uuid.UUID | None = None,
        reason: str,
    ) -> Dismissal:
        """Dismiss by (employee, course) or by a served recommendation's id."""
        if recommendation_id is not None:
            if employee_id is not None or course_code is not None:
                raise ValidationFailed(
                    [
                        FieldError(
                            "input.recommendationId",
                            "give either recommendationId or employeeId and courseCode",
                        )
                    ]
                )
            issued = await self.repository.issued(recommendation_id)
            if issued is None or issued.kind != "course" or issued.course_code is None:
                raise NotFound("recommendation", recommendation_id)
            employee_id, course_code = issued.employee_id, issued.course_code
        missing = [
            FieldError(f"input.{name}", "required unless recommendationId is given")
            for name, value in (("employeeId", employee_id), ("courseCode", course_code))
            if value is None
        ]
        if employee_id is None or course_code is None:
            raise ValidationFailed(missing)
        employee = await self._visible(employee_id)
        reason = dismissal_reason(reason)
        if not await self.repository.course_exists(course_code):
            raise NotFound("course", course_code)
        dismissal = Dismissal(
            employee_id=employee.employee_id,
            course_code=course_code,
            reason=reason,
            dismissed_by=self.principal.subject,
        )
        self.session.add(dismissal)
        await self.session.flush()
        await publish_dismissal(
            self.session,
            feedback_id=dismissal.id,
            recommendation_id=course_recommendation_id(employee.employee_id, course_code),
            employee_id=employee.employee_id,
            course_code=course_code,
            reason=reason,
            by=self.principal.subject,
            at=dismissal.created_at,
        )
        return dismissal
