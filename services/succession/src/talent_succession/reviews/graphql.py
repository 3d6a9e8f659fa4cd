from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_platform.db import Repository
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
    run_mutation,
)
from talent_succession.audit.service import require_confidential
from talent_succession.enums import Readiness
from talent_succession.people.ref import EmployeeType, employee_ref
from talent_succession.reviews.models import ReviewDecision as DecisionModel
from talent_succession.reviews.models import TalentReview as ReviewModel
from talent_succession.reviews.service import DecisionInput, ReviewInput, ReviewService
from talent_succession.validation import parse_uuid

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="NOMINATION, READINESS_CHANGE and DESIGNATION carry out what they record; "
    "DEVELOPMENT and OTHER are notes that change nothing."
)
class ReviewDecisionKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    NOMINATION = strawberry.enum_value(
        "nomination", description="Nominates the employee for a key role (nominateSuccessor)."
    )
    READINESS_CHANGE = strawberry.enum_value(
        "readiness_change",
        description="Re-assesses the readiness of their nomination for a key role "
        "(assessReadiness).",
    )
    DESIGNATION = strawberry.enum_value(
        "designation",
        description="Designates the employee high potential (designateHighPotential).",
    )
    DEVELOPMENT = strawberry.enum_value(
        "development", description="A note about the employee's development; changes nothing."
    )
    OTHER = strawberry.enum_value("other", description="Any other note; changes nothing.")


@strawberry.type(description="A decision a talent review recorded for an employee.")
class ReviewDecision:
    id: strawberry.ID = strawberry.field(description="The decision's id (UUID).")
    kind: ReviewDecisionKind = strawberry.field(description="What was decided.")
    description: str = strawberry.field(description="The decision as minuted.")
    key_role_code: str | None = strawberry.field(
        description="The key role of a NOMINATION or READINESS_CHANGE; null otherwise."
    )
    readiness: Readiness | None = strawberry.field(
        description="The readiness of a NOMINATION or READINESS_CHANGE; null otherwise."
    )
    nomination_id: strawberry.ID | None = strawberry.field(
        description="The nomination a NOMINATION created or a READINESS_CHANGE re-assessed."
    )
    designation_id: strawberry.ID | None = strawberry.field(
        description="The high-potential designation a DESIGNATION made."
    )
    recorded_by: str = strawberry.field(description="Token subject of who recorded it.")
    _employee_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: DecisionModel) -> ReviewDecision:
        return cls(
            id=strawberry.ID(str(m.id)),
            kind=ReviewDecisionKind(m.kind),
            description=m.description,
            key_role_code=m.key_role_code,
            readiness=None if m.readiness is None else Readiness(m.readiness),
            nomination_id=None if m.nomination_id is None else strawberry.ID(str(m.nomination_id)),
            designation_id=(
                None if m.designation_id is None else strawberry.ID(str(m.designation_id))
            ),
            recorded_by=m.recorded_by,
            _employee_id=m.employee_id,
        )

    @strawberry.field(description="The employee the decision is about.")
    def employee(self) -> EmployeeType:
        return employee_ref(self._employee_id)


async def _discussed(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[uuid.UUID]]:
    found = await ReviewService(info.context.session, info.context.principal).discussed(keys)
    return [found.get(k, []) for k in keys]


async def _decisions(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[ReviewDecision]]:
    found = await ReviewService(info.context.session, info.context.principal).decisions(keys)
    return [[ReviewDecision.from_model(d) for d in found.get(k, [])] for k in keys]


@strawberry.type(description="A talent review meeting (confidential).")
class TalentReview:
    id: strawberry.ID = strawberry.field(description="The review's id (UUID).")
    title: str = strawberry.field(description="1-300 characters.")
    held_on: dt.date = strawberry.field(description="The day of the meeting (ISO date).")
    notes: str = strawberry.field(description="Minutes or notes; empty when none.")
    created_by: str = strawberry.field(description="Token subject of who recorded it.")
    _participant_ids: strawberry.Private[list[uuid.UUID]]

    @classmethod
    def from_model(cls, m: ReviewModel) -> TalentReview:
        return cls(
            id=strawberry.ID(str(m.id)),
            title=m.title,
            held_on=m.held_on,
            notes=m.notes,
            created_by=m.created_by,
            _participant_ids=list(m.participant_ids),
        )

    @strawberry.field(description="Who took part, as recorded.")
    def participants(self) -> list[EmployeeType]:
        return [employee_ref(e) for e in self._participant_ids]

    @strawberry.field(
        description="The employees discussed. Their talent profile is the review's material: "
        "ask for `jobHistory` (people), `completions` (learning), `calibratedRatings`, "
        "`potential`, `nominations`, `developmentPlans` and `nineBox` (succession)."
    )
    async def employees_discussed(self, info: Ctx) -> list[EmployeeType]:
        loader: DataLoader[uuid.UUID, list[uuid.UUID]] = info.context.loader(
            "review.discussed", lambda keys: _discussed(info, keys)
        )
        return [employee_ref(e) for e in await loader.load(uuid.UUID(self.id))]

    @strawberry.field(
        description="Decisions in the order recorded (none about the caller themself)."
    )
    async def decisions(self, info: Ctx) -> list[ReviewDecision]:
        loader: DataLoader[uuid.UUID, list[ReviewDecision]] = info.context.loader(
            "review.decisions", lambda keys: _decisions(info, keys)
        )
        return await loader.load(uuid.UUID(self.id))


class _ReviewRepository(Repository[ReviewModel]):
    model = ReviewModel


@strawberry.input(description="A talent review meeting.")
class CreateTalentReviewInput:
    title: str = strawberry.field(description="1-300 characters.")
    held_on: dt.date = strawberry.field(description="The day of the meeting (ISO date).")
    participant_ids: list[strawberry.ID] = strawberry.field(
        description="Known employees who took part."
    )
    employee_ids: list[strawberry.ID] = strawberry.field(
        description="The employees discussed: known, each once, not the caller."
    )
    notes: str = strawberry.field(default="", description="Minutes or notes.")


@strawberry.input(description="A decision about an employee discussed in a talent review.")
class RecordReviewDecisionInput:
    review_id: strawberry.ID = strawberry.field(description="The talent review.")
    employee_id: strawberry.ID = strawberry.field(description="An employee the review discussed.")
    kind: ReviewDecisionKind = strawberry.field(description="What was decided.")
    description: str = strawberry.field(
        description="The decision as minuted; a NOMINATION's notes, a DESIGNATION's reason."
    )
    key_role_code: str | None = strawberry.field(
        default=None, description="Required for NOMINATION and READINESS_CHANGE."
    )
    readiness: Readiness | None = strawberry.field(
        default=None, description="Required for NOMINATION and READINESS_CHANGE."
    )
    rank: int | None = strawberry.field(
        default=None, description="NOMINATION only (default: last on the slate)."
    )
    emergency: bool = strawberry.field(default=False, description="NOMINATION only.")
    effective_on: dt.date | None = strawberry.field(
        default=None,
        description="The day of the nomination, assessment or designation (default: the "
        "day the review was held).",
    )
    review_by: dt.date | None = strawberry.field(
        default=None, description="Review-by date (default: 12 months after effectiveOn)."
    )


@strawberry.type(description="The talent review recorded.")
class TalentReviewPayload:
    review: TalentReview = strawberry.field(description="The new talent review.")


@strawberry.type(description="The decision recorded.")
class ReviewDecisionPayload:
    decision: ReviewDecision = strawberry.field(
        description="The decision, with the nomination or designation it made."
    )


TalentReviewResult = Annotated[
    TalentReviewPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("TalentReviewResult", description="The review, or why none was recorded."),
]
ReviewDecisionResult = Annotated[
    ReviewDecisionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ReviewDecisionResult", description="The decision, or why none was recorded."),
]


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="One talent review (confidential: FORBIDDEN otherwise; NOT_FOUND for "
        "an unknown id; reads are audited)."
    )
    async def talent_review(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The review's id.")],
    ) -> TalentReview | None:
        service = ReviewService(info.context.session, info.context.principal)
        return TalentReview.from_model(await service.get(parse_uuid(id, "id", "id")))

    @strawberry.field(
        description="Talent reviews, newest meeting first (confidential: FORBIDDEN otherwise)."
    )
    async def talent_reviews(
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[TalentReview] | None:
        await require_confidential(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await _ReviewRepository(info.context.session).paginate(
            select(ReviewModel).order_by(ReviewModel.held_on.desc(), ReviewModel.id),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=TalentReview.from_model)


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Record a talent review meeting and who was discussed (hr_leader, "
        "admin, granted hr_coordinator)."
    )
    async def create_talent_review(
        self,
        info: Ctx,
        input: Annotated[CreateTalentReviewInput, strawberry.argument(description="The meeting.")],
    ) -> TalentReviewResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> TalentReviewPayload:
            review = await service.create(
                ReviewInput(
                    title=input.title,
                    held_on=input.held_on,
                    participant_ids=[
                        parse_uuid(p, f"input.participantIds[{i}]")
                        for i, p in enumerate(input.participant_ids)
                    ],
                    employee_ids=[
                        parse_uuid(e, f"input.employeeIds[{i}]")
                        for i, e in enumerate(input.employee_ids)
                    ],
                    notes=input.notes,
                )
            )
            return TalentReviewPayload(review=TalentReview.from_model(review))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Record a decision about an employee discussed in a review. A "
        "NOMINATION, READINESS_CHANGE or DESIGNATION is carried out in the same transaction "
        "(as nominateSuccessor, assessReadiness, designateHighPotential would: same "
        "validation, events, audit); if it is invalid nothing is recorded and "
        "ValidationError names the fields of this input."
    )
    async def record_review_decision(
        self,
        info: Ctx,
        input: Annotated[
            RecordReviewDecisionInput,
            strawberry.argument(description="The review, the employee and the decision."),
        ],
    ) -> ReviewDecisionResult:
        service = ReviewService(info.context.session, info.context.principal)

        async def action() -> ReviewDecisionPayload:
            decision = await service.decide(
                DecisionInput(
                    review_id=parse_uuid(input.review_id, "input.reviewId", "id"),
                    employee_id=parse_uuid(input.employee_id, "input.employeeId"),
                    kind=input.kind.value,
                    description=input.description,
                    key_role_code=input.key_role_code,
                    readiness=None if input.readiness is None else input.readiness.value,
                    rank=input.rank,
                    emergency=input.emergency,
                    effective_on=input.effective_on,
                    review_by=input.review_by,
                )
            )
            return ReviewDecisionPayload(decision=ReviewDecision.from_model(decision))

        return await run_mutation(info.context, action)
