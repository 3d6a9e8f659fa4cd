from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_performance.cycles.graphql import ReviewCycle, cycle_loader
from talent_performance.people.graphql import Employee, parse_id
from talent_performance.reviews.models import PeerRequest as PeerRequestModel
from talent_performance.reviews.repository import ReviewRepository
from talent_performance.reviews.service import (
    CompetencyRatingInput,
    ReviewDraft,
    ReviewService,
    ReviewView,
)
from talent_platform.graphql import (
    Conflict,
    Connection,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum
class ReviewKind(Enum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"


@strawberry.enum(
    description="draft -> submitted -> signed_off (manager reviews); HR may reopen a "
    "submitted review; cancelled when the employee left the population."
)
class ReviewStatus(Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SIGNED_OFF = "signed_off"
    CANCELLED = "cancelled"


@strawberry.type(description="One competency a review rates.")
class CompetencyRating:
    competency_code: str
    required_level: int | None = strawberry.field(
        description="What the employee's job profile requires (1-5)."
    )
    rating: int | None
    comment: str | None


async def _competencies(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[CompetencyRating]]:
    found = await ReviewRepository(info.context.session).competencies(keys)
    return [
        [
            CompetencyRating(
                competency_code=c.competency_code,
                required_level=c.required_level,
                rating=c.rating,
                comment=c.comment,
            )
            for c in found.get(k, [])
        ]
        for k in keys
    ]


def competencies_loader(info: Ctx) -> DataLoader[uuid.UUID, list[CompetencyRating]]:
    return info.context.loader("review.competencies", lambda keys: _competencies(info, keys))


@strawberry.type(description="A self, manager or peer review of one employee in one cycle.")
class Review:
    id: strawberry.ID
    kind: ReviewKind
    status: ReviewStatus
    employee: Employee
    reviewer: Employee | None = strawberry.field(
        description="Who writes it; null for a peer review read by the reviewed employee."
    )
    overall_rating: int | None = strawberry.field(description="The reviewer's rating, 1-5.")
    calibrated_rating: int | None = strawberry.field(
        description="The rating after calibration (manager reviews)."
    )
    final_rating: int | None = strawberry.field(
        description="Calibrated rating if any, else the reviewer's."
    )
    comment: str | None
    submitted_at: dt.datetime | None
    signed_off_at: dt.datetime | None
    _cycle_id: strawberry.Private[uuid.UUID]
    _id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, view: ReviewView) -> Review:
        m = view.review
        return cls(
            id=strawberry.ID(str(m.id)),
            kind=ReviewKind(m.kind),
            status=ReviewStatus(m.status),
            employee=Employee(id=strawberry.ID(str(m.employee_id))),
            reviewer=Employee.of(m.reviewer_id) if view.show_reviewer else None,
            overall_rating=m.overall_rating,
            calibrated_rating=m.calibrated_rating,
            final_rating=m.calibrated_rating
            if m.calibrated_rating is not None
            else m.overall_rating,
            comment=m.comment,
            submitted_at=m.submitted_at,
            signed_off_at=m.signed_off_at,
            _cycle_id=m.cycle_id,
            _id=m.id,
        )

    @strawberry.field
    async def cycle(self, info: Ctx) -> ReviewCycle:
        found = await cycle_loader(info).load(self._cycle_id)
        if found is None:  # the foreign key makes this impossible
            raise RuntimeError(f"cycle {self._cycle_id} of review {self.id} is missing")
        return found

    @strawberry.field(description="The competencies rated, from the employee's job profile.")
    async def competencies(self, info: Ctx) -> list[CompetencyRating]:
        return await competencies_loader(info).load(self._id)


@strawberry.type(description="A request for peer feedback, approved by the employee's manager.")
class PeerRequest:
    id: strawberry.ID
    status: str = strawberry.field(description="pending, approved or declined.")
    employee: Employee
    reviewer: Employee
    review_id: strawberry.ID | None

    @classmethod
    def from_model(cls, m: PeerRequestModel) -> PeerRequest:
        return cls(
            id=strawberry.ID(str(m.id)),
            status=m.status,
            employee=Employee(id=strawberry.ID(str(m.employee_id))),
            reviewer=Employee(id=strawberry.ID(str(m.reviewer_id))),
            review_id=strawberry.ID(str(m.review_id)) if m.review_id else None,
        )


def _optional_id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return None if value is None else parse_id(value, field)


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="A review the caller may read, else null.")
    async def review(self, info: Ctx, id: strawberry.ID) -> Review | None:
        service = ReviewService(info.context.session, info.context.principal)
        try:
            review_id = uuid.UUID(str(id))
        except ValueError:
            return None
        found = await service.reviews.readable(info.context.principal, review_id)
        if found is None:
            return None
        service.audit_reads([found])
        return Review.of(service.view(found))

    @strawberry.field(
        description="Reviews the caller may read: HR all; reviewers what they write; "
        "employees their self review, and the rest once the cycle is released; managers "
        "their reporting chain's. Oldest first. Reading others' ratings is audited."
    )
    async def reviews(
        self,
        info: Ctx,
        cycle_id: strawberry.ID | None = None,
        employee_id: strawberry.ID | None = None,
        reviewer_id: strawberry.ID | None = None,
        kind: ReviewKind | None = None,
        status: ReviewStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Review]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = ReviewService(info.context.session, info.context.principal)
        rows, total = await service.reviews.page(
            info.context.principal,
            cycle_id=_optional_id(cycle_id, "cycleId"),
            employee_id=_optional_id(employee_id, "employeeId"),
            reviewer_id=_optional_id(reviewer_id, "reviewerId"),
            kind=kind.value if kind else None,
            status=status.value if status else None,
            offset=page.offset,
            limit=page.limit,
        )
        service.audit_reads(rows)
        return connection(
            rows, total=total, page=page, to_node=lambda r: Review.of(service.view(r))
        )

    @strawberry.field(
        description="Peer requests the caller may see: HR all; managers their reporting "
        "chain's (to approve them); anyone the requests they made. Oldest first."
    )
    async def peer_requests(
        self,
        info: Ctx,
        cycle_id: strawberry.ID | None = None,
        employee_id: strawberry.ID | None = None,
        status: Annotated[
            str | None, strawberry.argument(description="pending, approved or declined.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PeerRequest]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = ReviewService(info.context.session, info.context.principal)
        rows, total = await service.peer_requests.page(
            info.context.principal,
            cycle_id=_optional_id(cycle_id, "cycleId"),
            employee_id=_optional_id(employee_id, "employeeId"),
            status=status,
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=PeerRequest.from_model)


# -- mutations ---------------------------------------------------------------------------
@strawberry.input
class CompetencyRatingInputType:
    competency_code: str
    rating: int | None = strawberry.field(description="1-5, or null to clear.")
    comment: str | None = None


@strawberry.input
class SaveReviewInput:
    review_id: strawberry.ID
    overall_rating: int | None = strawberry.field(default=None, description="1-5.")
    comment: str | None = None
    competencies: list[CompetencyRatingInputType] = strawberry.field(default_factory=list)


@strawberry.input
class ReviewIdInput:
    review_id: strawberry.ID


@strawberry.input
class ReopenReviewInput:
    review_id: strawberry.ID
    reason: str


@strawberry.input
class RequestPeerReviewInput:
    cycle_id: strawberry.ID
    employee_id: strawberry.ID
    reviewer_id: strawberry.ID


@strawberry.input
class DecidePeerRequestInput:
    request_id: strawberry.ID
    approve: bool


@strawberry.type
class ReviewPayload:
    review: Review


@strawberry.type
class PeerRequestPayload:
    request: PeerRequest


ReviewResult = Annotated[
    ReviewPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ReviewResult"),
]
PeerRequestResult = Annotated[
    PeerRequestPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PeerRequestResult"),
]


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Change a draft review (its reviewer, while the cycle's phase allows it)."
    )
    async def save_review(self, info: Ctx, input: SaveReviewInput) -> ReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewPayload:
            review = await service.save(
                parse_id(input.review_id, "input.reviewId"),
                ReviewDraft(
                    overall_rating=input.overall_rating,
                    comment=input.comment,
                    competencies=[
                        CompetencyRatingInput(c.competency_code, c.rating, c.comment)
                        for c in input.competencies
                    ],
                ),
            )
            return ReviewPayload(review=Review.of(service.view(review)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Submit a draft (its reviewer). A manager review publishes "
        "competency.assessed per rated competency; every review publishes review.submitted."
    )
    async def submit_review(self, info: Ctx, input: ReviewIdInput) -> ReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewPayload:
            review = await service.submit(parse_id(input.review_id, "input.reviewId"))
            return ReviewPayload(review=Review.of(service.view(review)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Send a submitted review back to draft (HR; reason audited).")
    async def reopen_review(self, info: Ctx, input: ReopenReviewInput) -> ReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewPayload:
            review = await service.reopen(
                parse_id(input.review_id, "input.reviewId"), reason=input.reason
            )
            return ReviewPayload(review=Review.of(service.view(review)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Sign a submitted manager review off in the sign_off phase (its "
        "manager or HR); it cannot change afterwards."
    )
    async def sign_off_review(self, info: Ctx, input: ReviewIdInput) -> ReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewPayload:
            review = await service.sign_off(parse_id(input.review_id, "input.reviewId"))
            return ReviewPayload(review=Review.of(service.view(review)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Ask a colleague for peer feedback (the employee, their manager or HR). "
        "A manager's or HR's request is approved at once."
    )
    async def request_peer_review(
        self, info: Ctx, input: RequestPeerReviewInput
    ) -> PeerRequestResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> PeerRequestPayload:
            request = await service.request_peer(
                parse_id(input.cycle_id, "input.cycleId"),
                employee_id=parse_id(input.employee_id, "input.employeeId"),
                reviewer_id=parse_id(input.reviewer_id, "input.reviewerId"),
            )
            return PeerRequestPayload(request=PeerRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Approve or decline a peer request (the manager or HR).")
    async def decide_peer_request(
        self, info: Ctx, input: DecidePeerRequestInput
    ) -> PeerRequestResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> PeerRequestPayload:
            request = await service.decide_peer(
                parse_id(input.request_id, "input.requestId"), approve=input.approve
            )
            return PeerRequestPayload(request=PeerRequest.from_model(request))

        return await run_mutation(info.context, action)
