from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_learning.requests.models import TrainingRequest as RequestModel
from talent_learning.requests.models import TrainingRequestChange as ChangeModel
from talent_learning.requests.service import RequestInput, TrainingRequestService
from talent_platform.errors import FieldError, ValidationFailed
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
class TrainingRequestStatus(Enum):
    SUBMITTED = "submitted"
    MANAGER_APPROVED = "manager_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@strawberry.type(description="One step of a request's history.")
class TrainingRequestChange:
    status: TrainingRequestStatus
    changed_by: str
    comment: str | None = strawberry.field(description="Approval comment or rejection reason.")
    changed_at: dt.datetime

    @classmethod
    def from_model(cls, m: ChangeModel) -> TrainingRequestChange:
        return cls(
            status=TrainingRequestStatus(m.status),
            changed_by=m.changed_by,
            comment=m.comment,
            changed_at=m.created_at,
        )


async def _history(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[TrainingRequestChange]]:
    service = TrainingRequestService(info.context.session, info.context.principal)
    grouped = await service.history(keys)
    return [[TrainingRequestChange.from_model(c) for c in grouped.get(k, [])] for k in keys]


@strawberry.type(
    description="An external training or tuition reimbursement request: the employee "
    "submits, their manager approves, then HR."
)
class TrainingRequest:
    id: strawberry.ID
    employee_id: strawberry.ID
    title: str
    provider: str
    description: str
    starts_on: dt.date
    amount: Decimal
    currency: str
    policy_year: int
    status: TrainingRequestStatus
    rejection_reason: str | None
    submitted_at: dt.datetime

    @classmethod
    def from_model(cls, m: RequestModel) -> TrainingRequest:
        return cls(
            id=strawberry.ID(str(m.id)),
            employee_id=strawberry.ID(str(m.employee_id)),
            title=m.title,
            provider=m.provider,
            description=m.description,
            starts_on=m.starts_on,
            amount=m.amount,
            currency=m.currency,
            policy_year=m.policy_year,
            status=TrainingRequestStatus(m.status),
            rejection_reason=m.rejection_reason,
            submitted_at=m.created_at,
        )

    @strawberry.field(description="Every status it went through, oldest first.")
    async def history(self, info: Ctx) -> list[TrainingRequestChange]:
        loader: DataLoader[uuid.UUID, list[TrainingRequestChange]] = info.context.loader(
            "training_request.history", lambda keys: _history(info, keys)
        )
        return await loader.load(uuid.UUID(self.id))


@strawberry.input
class SubmitTrainingRequestInput:
    title: str
    provider: str
    starts_on: dt.date
    amount: Decimal
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR.")
    description: str = ""


@strawberry.input
class DecideTrainingRequestInput:
    request_id: strawberry.ID
    comment: str | None = None


@strawberry.input
class RejectTrainingRequestInput:
    request_id: strawberry.ID
    reason: str


@strawberry.input
class WithdrawTrainingRequestInput:
    request_id: strawberry.ID


@strawberry.input
class SetTuitionPolicyInput:
    currency: str
    yearly_cap: Decimal = strawberry.field(
        description="The most one employee may be granted per calendar year in this currency."
    )


@strawberry.type
class TrainingRequestPayload:
    request: TrainingRequest


@strawberry.type
class TuitionPolicyPayload:
    currency: str
    yearly_cap: Decimal


TrainingRequestResult = Annotated[
    TrainingRequestPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("TrainingRequestResult"),
]
TuitionPolicyResult = Annotated[
    TuitionPolicyPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("TuitionPolicyResult"),
]


def _id(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, f"{value!r} is not an id")]) from exc


@strawberry.type
class TrainingRequestQuery:
    @strawberry.field(
        description="Training requests, newest first: your own; with employeeId, someone in "
        "your reporting chain; HR everyone's. Null when not allowed."
    )
    async def training_requests(
        self,
        info: Ctx,
        employee_id: strawberry.ID | None = None,
        statuses: list[TrainingRequestStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingRequest] | None:
        service = TrainingRequestService(info.context.session, info.context.principal)
        try:
            target = uuid.UUID(str(employee_id)) if employee_id else None
        except ValueError:
            return None
        stmt = await service.query(employee_id=target, statuses=[s.value for s in statuses or []])
        if stmt is None:
            return None
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.requests.paginate(stmt, offset=page.offset, limit=page.limit)
        return connection(rows, total=total, page=page, to_node=TrainingRequest.from_model)


@strawberry.type
class TrainingRequestMutation:
    @strawberry.mutation(
        description="Request external training or tuition reimbursement for yourself; "
        "refused (input.amount) beyond the yearly cap for the currency."
    )
    async def submit_training_request(
        self, info: Ctx, input: SubmitTrainingRequestInput
    ) -> TrainingRequestResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TrainingRequestPayload:
            request = await service.submit(
                RequestInput(
                    title=input.title,
                    provider=input.provider,
                    starts_on=input.starts_on,
                    amount=input.amount,
                    currency=input.currency,
                    description=input.description,
                )
            )
            return TrainingRequestPayload(request=TrainingRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Approve the next step: the employee's manager first (SUBMITTED -> "
        "MANAGER_APPROVED), then HR (-> APPROVED, checked against the yearly cap)."
    )
    async def approve_training_request(
        self, info: Ctx, input: DecideTrainingRequestInput
    ) -> TrainingRequestResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TrainingRequestPayload:
            request = await service.approve(
                _id(input.request_id, "input.requestId"), comment=input.comment
            )
            return TrainingRequestPayload(request=TrainingRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Reject a pending request with a reason (manager or HR).")
    async def reject_training_request(
        self, info: Ctx, input: RejectTrainingRequestInput
    ) -> TrainingRequestResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TrainingRequestPayload:
            request = await service.reject(
                _id(input.request_id, "input.requestId"), reason=input.reason
            )
            return TrainingRequestPayload(request=TrainingRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Withdraw your own pending request.")
    async def withdraw_training_request(
        self, info: Ctx, input: WithdrawTrainingRequestInput
    ) -> TrainingRequestResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TrainingRequestPayload:
            request = await service.withdraw(_id(input.request_id, "input.requestId"))
            return TrainingRequestPayload(request=TrainingRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Set the yearly cap for a currency (admin, hr_coordinator).")
    async def set_tuition_policy(
        self, info: Ctx, input: SetTuitionPolicyInput
    ) -> TuitionPolicyResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TuitionPolicyPayload:
            policy = await service.set_policy(input.currency, input.yearly_cap)
            return TuitionPolicyPayload(currency=policy.currency, yearly_cap=policy.yearly_cap)

        return await run_mutation(info.context, action)
