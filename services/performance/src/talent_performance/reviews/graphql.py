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
from talent_performance.people.graphql import Employee
from talent_performance.reviews.enums import ReviewKind, ReviewStatus
from talent_performance.reviews.models import PeerRequest as PeerRequestModel
from talent_performance.reviews.repository import ReviewRepository
from talent_performance.reviews.service import (
    CompetencyRatingInput,
    ReviewDraft,
    ReviewService,
    ReviewView,
)
from talent_platform.errors import Forbidden as Refused
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    parse_id,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Where a peer request stands.")
class PeerRequestStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    PENDING = strawberry.enum_value(
        "pending", description="Asked by the employee; waits for their manager (or HR)."
    )
    APPROVED = strawberry.enum_value(
        "approved", description="Approved: the peer review exists (see `reviewId`)."
    )
    DECLINED = strawberry.enum_value(
        "declined", description="Declined by the manager or HR; no review."
    )


@strawberry.type(description="One competency a review rates.")
class CompetencyRating:
    competency_code: str = strawberry.field(
        description="Code of the competency in the people service's framework."
    )
    required_level: int | None = strawberry.field(
        description="What the employee's job profile requires (1-5); null for a competency "
        "a peer added."
    )
    rating: int | None = strawberry.field(
        description="The reviewer's rating, 1-5; null while not rated."
    )
    comment: str | None = strawberry.field(
        description="The reviewer's comment; null when there is none."
    )


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
    id: strawberry.ID = strawberry.field(description="The review's id (UUID).")
    kind: ReviewKind = strawberry.field(description="Self, manager or peer review.")
    status: ReviewStatus = strawberry.field(description="Where the review stands.")
    employee: Employee = strawberry.field(description="The employee the review is about.")
    reviewer: Employee | None = strawberry.field(
        description="Who writes it; null for a peer review read by the reviewed employee."
    )
    overall_rating: int | None = strawberry.field(
        description="The reviewer's rating, 1-5 (see the cycle's `scale`); null until set."
    )
    calibrated_rating: int | None = strawberry.field(
        description="The rating after calibration (manager reviews); null until calibrated."
    )
    final_rating: int | None = strawberry.field(
        description="Calibrated rating if any, else the reviewer's; null when neither is set."
    )
    comment: str | None = strawberry.field(
        description="The reviewer's overall comment; null when there is none."
    )
    submitted_at: dt.datetime | None = strawberry.field(
        description="When it was last submitted; null until then."
    )
    signed_off_at: dt.datetime | None = strawberry.field(
        description="When the manager review was signed off; null until then."
    )
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

    @strawberry.field(description="The cycle the review belongs to.")
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
    id: strawberry.ID = strawberry.field(description="The request's id (UUID).")
    status: PeerRequestStatus = strawberry.field(description="Where the request stands.")
    employee: Employee = strawberry.field(description="The employee to be reviewed.")
    reviewer: Employee = strawberry.field(description="The colleague asked for feedback.")
    review_id: strawberry.ID | None = strawberry.field(
        description="The peer review created on approval; null while pending or declined."
    )

    @classmethod
    def from_model(cls, m: PeerRequestModel) -> PeerRequest:
        return cls(
            id=strawberry.ID(str(m.id)),
            status=PeerRequestStatus(m.status),
            employee=Employee(id=strawberry.ID(str(m.employee_id))),
            reviewer=Employee(id=strawberry.ID(str(m.reviewer_id))),
            review_id=strawberry.ID(str(m.review_id)) if m.review_id else None,
        )


def _optional_id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return None if value is None else parse_id(value, field)


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="A review the caller may read (same rules as `reviews`), else null."
    )
    async def review(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The review's id.")],
    ) -> Review | None:
        service = ReviewService(info.context.session, info.context.principal)
        review_id = parse_id(id, "id", "review id")
        found = await service.reviews.readable(info.context.principal, review_id)
        if found is None:
            if await service.reviews.get_or_none(review_id) is not None:
                raise Refused("you may not read this review")
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
        cycle_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this cycle's reviews.")
        ] = None,
        employee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only reviews about this employee."),
        ] = None,
        reviewer_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only reviews this employee writes."),
        ] = None,
        kind: Annotated[
            ReviewKind | None, strawberry.argument(description="Only reviews of this kind.")
        ] = None,
        status: Annotated[
            ReviewStatus | None, strawberry.argument(description="Only reviews in this status.")
        ] = None,
        first: First = None,
        after: After = None,
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
        cycle_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this cycle's requests.")
        ] = None,
        employee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only requests for feedback on this employee."),
        ] = None,
        status: Annotated[
            PeerRequestStatus | None,
            strawberry.argument(description="Only requests in this status, e.g. PENDING."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[PeerRequest]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = ReviewService(info.context.session, info.context.principal)
        rows, total = await service.peer_requests.page(
            info.context.principal,
            cycle_id=_optional_id(cycle_id, "cycleId"),
            employee_id=_optional_id(employee_id, "employeeId"),
            status=status.value if status else None,
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=PeerRequest.from_model)


# -- mutations ---------------------------------------------------------------------------
@strawberry.input(description="The rating of one competency in a review.")
class CompetencyRatingInputType:
    competency_code: str = strawberry.field(
        description="A competency the review rates (a peer may rate any competency); once "
        "per input."
    )
    rating: int | None = strawberry.field(description="1-5, or null to clear.")
    comment: str | None = strawberry.field(
        default=None, description="Comment on the rating; null keeps the stored one."
    )


@strawberry.input(description="Changes to a draft review; what is left out stays as it is.")
class SaveReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The draft review.")
    overall_rating: int | None = strawberry.field(
        default=None, description="1-5; null keeps the stored rating."
    )
    comment: str | None = strawberry.field(
        default=None, description="Overall comment; null keeps the stored one."
    )
    competencies: list[CompetencyRatingInputType] = strawberry.field(
        default_factory=list, description="Competency ratings to set; others are untouched."
    )


@strawberry.input(description="Names a review.")
class ReviewIdInput:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")


@strawberry.input(description="Sends a submitted review back to draft.")
class ReopenReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The submitted review.")
    reason: str = strawberry.field(description="Why; required, kept in the audit log.")


@strawberry.input(description="Asks a colleague for peer feedback on an employee.")
class RequestPeerReviewInput:
    cycle_id: strawberry.ID = strawberry.field(
        description="A running cycle in GOAL_SETTING, SELF_REVIEW or PEER_FEEDBACK."
    )
    employee_id: strawberry.ID = strawberry.field(
        description="The employee to be reviewed: the caller, someone below them in the "
        "reporting lines, or anyone for HR."
    )
    reviewer_id: strawberry.ID = strawberry.field(
        description="The peer: another active employee, asked once per employee and cycle."
    )


@strawberry.input(description="The manager's (or HR's) answer to a pending peer request.")
class DecidePeerRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The pending request.")
    approve: bool = strawberry.field(
        description="True creates the peer review; false declines the request."
    )


@strawberry.type(description="The review a mutation changed.")
class ReviewPayload:
    review: Review = strawberry.field(description="The review as it is now.")


@strawberry.type(description="The peer request a mutation created or decided.")
class PeerRequestPayload:
    request: PeerRequest = strawberry.field(description="The request as it is now.")


ReviewResult = Annotated[
    ReviewPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ReviewResult", description="The changed review, or why nothing changed."),
]
PeerRequestResult = Annotated[
    PeerRequestPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PeerRequestResult", description="The peer request, or why nothing changed."),
]


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Change a draft review (its reviewer, while the cycle's phase allows it)."
    )
    async def save_review(
        self,
        info: Ctx,
        input: Annotated[
            SaveReviewInput, strawberry.argument(description="The draft and the changes.")
        ],
    ) -> ReviewResult:
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
    async def submit_review(
        self,
        info: Ctx,
        input: Annotated[
            ReviewIdInput,
            strawberry.argument(description="The draft review, with an overall rating set."),
        ],
    ) -> ReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewPayload:
            review = await service.submit(parse_id(input.review_id, "input.reviewId"))
            return ReviewPayload(review=Review.of(service.view(review)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Send a submitted review back to draft (HR; reason audited).")
    async def reopen_review(
        self,
        info: Ctx,
        input: Annotated[
            ReopenReviewInput, strawberry.argument(description="The review and the reason.")
        ],
    ) -> ReviewResult:
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
    async def sign_off_review(
        self,
        info: Ctx,
        input: Annotated[
            ReviewIdInput, strawberry.argument(description="The submitted manager review.")
        ],
    ) -> ReviewResult:
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
        self,
        info: Ctx,
        input: Annotated[
            RequestPeerReviewInput,
            strawberry.argument(description="The cycle, the employee and the peer."),
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            DecidePeerRequestInput, strawberry.argument(description="The request and the decision.")
        ],
    ) -> PeerRequestResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> PeerRequestPayload:
            request = await service.decide_peer(
                parse_id(input.request_id, "input.requestId"), approve=input.approve
            )
            return PeerRequestPayload(request=PeerRequest.from_model(request))

        return await run_mutation(info.context, action)
