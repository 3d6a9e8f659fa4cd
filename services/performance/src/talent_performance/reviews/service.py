"""Reviews: drafting, submitting, reopening (HR, with a reason), signing off, peer
requests; and what of a review each reader may see.

Phase rules: a self review is written from the self-review phase, a peer review from
peer feedback, a manager review from the manager-review phase; all of them until
calibration ends (late submissions are allowed and show up as overdue). Sign-off
happens in the sign-off phase; nothing is edited after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import CompetencyAssessed, ReviewSignedOff, ReviewSubmitted
from talent_performance.audit.service import AuditLog
from talent_performance.cycles.models import PHASES, ReviewCycle
from talent_performance.cycles.population import assigned
from talent_performance.cycles.repository import CycleRepository
from talent_performance.db import outbox
from talent_performance.people.models import JobProfileRequirement
from talent_performance.people.repository import EmployeeProjectionRepository
from talent_performance.people.service import managed_employees
from talent_performance.reviews.models import PeerRequest, Review, ReviewCompetency
from talent_performance.reviews.repository import PeerRequestRepository, ReviewRepository
from talent_platform.auth import Principal
from talent_platform.db.base import utcnow
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, NotFound

# The first phase in which each kind of review may be written; all end with calibration.
OPENS_IN = {"self": "self_review", "peer": "peer_feedback", "manager": "manager_review"}
LAST_WRITING_PHASE = "calibration"
PEER_REQUEST_PHASES = ("goal_setting", "self_review", "peer_feedback")


@dataclass(frozen=True)
class CompetencyRatingInput:
    competency_code: str
    rating: int | None
    comment: str | None = None


@dataclass(frozen=True)
class ReviewDraft:
    overall_rating: int | None = None
    comment: str | None = None
    competencies: Sequence[CompetencyRatingInput] = ()


@dataclass(frozen=True)
class ReviewView:
    """A review as one reader may see it."""

    review: Review
    show_reviewer: bool


def writing_open(cycle: ReviewCycle, kind: str) -> bool:
    if cycle.status != "active" or cycle.phase is None:
        return False
    position = PHASES.index(cycle.phase)
    return PHASES.index(OPENS_IN[kind]) <= position <= PHASES.index(LAST_WRITING_PHASE)


class ReviewService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.reviews = ReviewRepository(session)
        self.cycles = CycleRepository(session)
        self.peer_requests = PeerRequestRepository(session)
        self.employees = EmployeeProjectionRepository(session)
        self.audit = AuditLog(session)

    def view(self, review: Review) -> ReviewView:
        """Peers stay anonymous to the employee they review."""
        me = self.principal.employee_id
        hidden = (
            review.kind == "peer"
            and not self.principal.is_hr
            and review.employee_id == me
            and review.reviewer_id != me
        )
        return ReviewView(review, show_reviewer=not hidden)

    def audit_reads(self, reviews: Sequence[Review]) -> None:
        """Reading someone else's ratings is a sensitive read (DESIGN.md, Security): one
        audit entry per request naming the reviews, unless the caller wrote them."""
        me = self.principal.employee_id
        read = [
            r
            for r in reviews
            if r.employee_id != me
            and r.reviewer_id != me
            and (r.overall_rating is not None or r.calibrated_rating is not None)
        ]
        if not read:
            return
        employees = {r.employee_id for r in read}
        self.audit.record(
            self.principal,
            action="ratings.read",
            entity="review",
            entity_id=read[0].id,
            employee_id=next(iter(employees)) if len(employees) == 1 else None,
            new={"reviews": [str(r.id) for r in read]},
        )

    async def _writable(self, review_id: uuid.UUID) -> tuple[Review, ReviewCycle]:
        review = await self.reviews.for_update(review_id)
        mine = review is not None and review.reviewer_id == self.principal.employee_id
        if review is None or not (mine or await self.reviews.readable(self.principal, review_id)):
            raise NotFound("review", review_id)
        if not mine:
            raise Forbidden("only the reviewer writes a review")
        cycle = await self.cycles.get(review.cycle_id)
        if review.status != "draft":
            raise Conflict(f"the review is {review.status}; HR can reopen a submitted one")
        if not writing_open(cycle, review.kind):
            raise Conflict(
                f"{review.kind} reviews of {cycle.code} are written from {OPENS_IN[review.kind]}"
                f" to {LAST_WRITING_PHASE}; the cycle is in {cycle.phase or cycle.status}"
            )
        return review, cycle

    async def save(self, review_id: uuid.UUID, draft: ReviewDraft) -> Review:
        """Change a draft: overall rating, comment and ratings of its competencies."""
        review, _ = await self._writable(review_id)
        rows = {
            c.competency_code: c for c in (await self.reviews.competencies([review.id]))[review.id]
        }
        errors = ErrorCollector()
        if draft.overall_rating is not None and not 1 <= draft.overall_rating <= 5:
            errors.add("input.overallRating", f"{draft.overall_rating} is outside the scale 1-5")
        seen: set[str] = set()
        for i, item in enumerate(draft.competencies):
            where = f"input.competencies[{i}]"
            if item.competency_code in seen:
                errors.add(f"{where}.competencyCode", f"{item.competency_code} is repeated")
            seen.add(item.competency_code)
            if item.competency_code not in rows and review.kind != "peer":
                errors.add(
                    f"{where}.competencyCode",
                    f"{item.competency_code} is not rated in this review",
                )
            if item.rating is not None and not 1 <= item.rating <= 5:
                errors.add(f"{where}.rating", f"{item.rating} is outside the scale 1-5")
        errors.raise_if_any()
        if draft.overall_rating is not None:
            review.overall_rating = draft.overall_rating
        if draft.comment is not None:
            review.comment = draft.comment
        for item in draft.competencies:
            row = rows.get(item.competency_code)
            if row is None:  # a peer may rate any competency
                row = ReviewCompetency(review_id=review.id, competency_code=item.competency_code)
                self.session.add(row)
            row.rating = item.rating
            if item.comment is not None:
                row.comment = item.comment
        review.updated_at = utcnow()
        await self.session.flush()
        return review

    async def submit(self, review_id: uuid.UUID) -> Review:
        """Submit a draft. A manager review publishes competency.assessed for each rated
        competency; every review publishes review.submitted."""
        review, cycle = await self._writable(review_id)
        if review.overall_rating is None:
            raise_missing_rating()
        now = utcnow()
        if review.submitted_rating is not None and review.submitted_rating != review.overall_rating:
            self.audit.record(
                self.principal,
                action="review.resubmitted",
                entity="review",
                entity_id=review.id,
                employee_id=review.employee_id,
                old={"overall_rating": review.submitted_rating},
                new={"overall_rating": review.overall_rating},
            )
        review.status, review.submitted_at = "submitted", now
        review.submitted_rating = review.overall_rating
        await self.session.flush()
        events: list[ReviewSubmitted | CompetencyAssessed] = [
            ReviewSubmitted(
                review_id=review.id,
                cycle_id=cycle.id,
                cycle_code=cycle.code,
                employee_id=review.employee_id,
                reviewer_id=review.reviewer_id,
                kind=review.kind,
                overall_rating=review.overall_rating,
                submitted_at=now,
            )
        ]
        if review.kind == "manager":
            competencies = (await self.reviews.competencies([review.id]))[review.id]
            events.extend(
                CompetencyAssessed(
                    assessment_id=uuid.uuid5(review.id, f"{c.competency_code}/{now.isoformat()}"),
                    employee_id=review.employee_id,
                    competency_code=c.competency_code,
                    level=c.rating,
                    source="manager",
                    assessed_on=now.date(),
                    assessor_id=review.reviewer_id,
                    cycle_id=cycle.id,
                )
                for c in competencies
                if c.rating is not None
            )
        await self.session.run_sync(outbox.add, *events)
        return review

    async def reopen(self, review_id: uuid.UUID, *, reason: str) -> Review:
        """HR sends a submitted review back to its reviewer, with a reason (audited)."""
        if not self.principal.is_hr:
            raise Forbidden("only hr_coordinator, hr_leader or admin reopen a review")
        if not reason.strip():
            raise_field("input.reason", "a reason is required")
        review = await self.reviews.for_update(review_id)
        if review is None:
            raise NotFound("review", review_id)
        if review.status != "submitted":
            raise Conflict(f"only a submitted review can be reopened; this one is {review.status}")
        review.status = "draft"
        self.audit.record(
            self.principal,
            action="review.reopened",
            entity="review",
            entity_id=review.id,
            employee_id=review.employee_id,
            old={"status": "submitted", "overall_rating": review.overall_rating},
            new={"status": "draft"},
            reason=reason.strip(),
        )
        await self.session.flush()
        cycle = await self.cycles.get(review.cycle_id)
        row = (review.id, review.employee_id, review.reviewer_id, review.kind)
        await self.session.run_sync(assigned, cycle, [row], reason="reopened")
        return review

    async def sign_off(self, review_id: uuid.UUID) -> Review:
        """The manager (or HR) signs a submitted manager review off in the sign-off phase;
        nothing of it changes afterwards."""
        review = await self.reviews.for_update(review_id)
        if review is None or await self.reviews.readable(self.principal, review_id) is None:
            raise NotFound("review", review_id)
        if review.kind != "manager":
            raise Conflict("only manager reviews are signed off")
        if not (self.principal.is_hr or review.reviewer_id == self.principal.employee_id):
            raise Forbidden("the reviewing manager or HR signs a review off")
        cycle = await self.cycles.get(review.cycle_id)
        if cycle.phase != "sign_off":
            raise Conflict(f"cycle {cycle.code} is in {cycle.phase or cycle.status}, not sign_off")
        if review.status != "submitted":
            raise Conflict(
                f"only a submitted review can be signed off; this one is {review.status}"
            )
        review.status, review.signed_off_at = "signed_off", utcnow()
        await self.session.flush()
        await self.session.run_sync(
            outbox.add,
            ReviewSignedOff(
                review_id=review.id,
                cycle_id=cycle.id,
                cycle_code=cycle.code,
                employee_id=review.employee_id,
                reviewer_id=review.reviewer_id,
                signed_off_at=review.signed_off_at,
            ),
        )
        return review

    # -- peer feedback ------------------------------------------------------------------
    async def request_peer(
        self, cycle_id: uuid.UUID, *, employee_id: uuid.UUID, reviewer_id: uuid.UUID
    ) -> PeerRequest:
        """The employee, their manager or HR asks a colleague for peer feedback. A request
        by a manager or HR is approved at once; the employee's needs the manager."""
        me = self.principal.employee_id
        is_manager = bool(await managed_employees(self.session, self.principal, [employee_id]))
        if not (self.principal.is_hr or is_manager or employee_id == me):
            raise NotFound("employee", employee_id)
        cycle = await self.cycles.get(cycle_id)
        if cycle.status != "active" or cycle.phase not in PEER_REQUEST_PHASES:
            raise Conflict(f"peers are requested during {', '.join(PEER_REQUEST_PHASES)}")
        errors = ErrorCollector()
        reviewer = await self.employees.get_or_none(reviewer_id)
        if reviewer_id == employee_id:
            errors.add("input.reviewerId", "an employee is not their own peer")
        elif reviewer is None or reviewer.status != "active":
            errors.add("input.reviewerId", f"no active employee {reviewer_id}")
        errors.raise_if_any()
        if await self.peer_requests.find(cycle_id, employee_id, reviewer_id) is not None:
            raise Conflict("this peer was already requested for this employee and cycle")
        if me is None:
            raise Forbidden("a peer request needs an employee token")
        request = PeerRequest(
            id=uuid.uuid4(),
            cycle_id=cycle_id,
            employee_id=employee_id,
            reviewer_id=reviewer_id,
            requested_by=me,
            status="pending",
        )
        await self.peer_requests.create(request)
        if is_manager or self.principal.is_hr:
            await self._approve(request)
        return request

    async def decide_peer(self, request_id: uuid.UUID, *, approve: bool) -> PeerRequest:
        request = await self.peer_requests.get(request_id)
        if not (
            self.principal.is_hr
            or await managed_employees(self.session, self.principal, [request.employee_id])
        ):
            raise Forbidden("the employee's manager approves peer requests")
        if request.status != "pending":
            raise Conflict(f"the request is {request.status}")
        if approve:
            await self._approve(request)
        else:
            request.status, request.decided_by = "declined", self.principal.employee_id
            await self.session.flush()
        return request

    async def _approve(self, request: PeerRequest) -> None:
        review = Review(
            id=uuid.uuid4(),
            cycle_id=request.cycle_id,
            employee_id=request.employee_id,
            reviewer_id=request.reviewer_id,
            kind="peer",
            status="draft",
        )
        await self.reviews.create(review)
        employee = await self.employees.get(request.employee_id)
        requirements = await self.session.scalars(
            select(JobProfileRequirement).where(
                JobProfileRequirement.job_profile_code == employee.job_profile_code
            )
        )
        self.session.add_all(
            ReviewCompetency(
                review_id=review.id,
                competency_code=r.competency_code,
                required_level=r.required_level,
            )
            for r in requirements
        )
        request.status, request.review_id = "approved", review.id
        request.decided_by = self.principal.employee_id
        await self.session.flush()
        cycle = await self.cycles.get(request.cycle_id)
        row = (review.id, review.employee_id, review.reviewer_id, review.kind)
        await self.session.run_sync(assigned, cycle, [row], reason="peer_request")


def raise_field(field: str, message: str) -> None:
    errors = ErrorCollector()
    errors.add(field, message)
    errors.raise_if_any()


def raise_missing_rating() -> None:
    raise_field("input.reviewId", "set an overall rating (1-5) before submitting")
