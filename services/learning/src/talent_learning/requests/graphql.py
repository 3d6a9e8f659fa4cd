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
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    enum_value,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(
    description="Where a training request stands: SUBMITTED and MANAGER_APPROVED are pending."
)
class TrainingRequestStatus(Enum):
    SUBMITTED = enum_value("submitted", description="Waiting for the employee's manager.")
    MANAGER_APPROVED = enum_value(
        "manager_approved", description="The manager approved; waiting for HR."
    )
    APPROVED = enum_value("approved", description="HR approved: granted.")
    REJECTED = enum_value(
        "rejected", description="Rejected by the manager or HR (see `rejectionReason`)."
    )
    WITHDRAWN = enum_value("withdrawn", description="Withdrawn by the employee while pending.")


@strawberry.type(description="One step of a request's history.")
class TrainingRequestChange:
    status: TrainingRequestStatus = strawberry.field(description="The status it moved to.")
    changed_by: str = strawberry.field(description="Token subject of who made the change.")
    comment: str | None = strawberry.field(description="Approval comment or rejection reason.")
    changed_at: dt.datetime = strawberry.field(description="When (ISO date-time with offset).")

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
    id: strawberry.ID = strawberry.field(description="Request id (UUID), for the decisions.")
    employee_id: strawberry.ID = strawberry.field(
        description="Id of the employee who submitted it."
    )
    title: str = strawberry.field(description="What the training is, 1-300 characters.")
    provider: str = strawberry.field(description="Who gives it, 1-200 characters.")
    description: str = strawberry.field(description="Details given; may be empty.")
    starts_on: dt.date = strawberry.field(
        description="When the training starts (ISO date); its year is `policyYear`."
    )
    amount: Decimal = strawberry.field(
        description="Amount requested, a decimal string with 2 decimals, in `currency`."
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")
    policy_year: int = strawberry.field(
        description="Calendar year of `startsOn`: the year whose cap it counts against."
    )
    status: TrainingRequestStatus = strawberry.field(description="Where it stands.")
    rejection_reason: str | None = strawberry.field(
        description="Why it was rejected; null unless REJECTED."
    )
    submitted_at: dt.datetime = strawberry.field(
        description="When it was submitted (ISO date-time with offset)."
    )

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


@strawberry.input(description="A training or tuition request for yourself.")
class SubmitTrainingRequestInput:
    title: str = strawberry.field(description="What the training is, 1-300 characters.")
    provider: str = strawberry.field(description="Who gives it, 1-200 characters.")
    starts_on: dt.date = strawberry.field(
        description="When it starts (ISO date); its calendar year's cap applies."
    )
    amount: Decimal = strawberry.field(
        description="Positive amount with at most 2 decimals, as a decimal string."
    )
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR.")
    description: str = strawberry.field(default="", description="Details, optional.")


@strawberry.input(description="A pending request to approve.")
class DecideTrainingRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request's id.")
    comment: str | None = strawberry.field(
        default=None, description="Optional comment, kept in the request's history."
    )


@strawberry.input(description="A pending request to reject, and why.")
class RejectTrainingRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request's id.")
    reason: str = strawberry.field(
        description="Why; required, kept in `rejectionReason` and the history."
    )


@strawberry.input(description="Your pending request to withdraw.")
class WithdrawTrainingRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request's id.")


@strawberry.input(description="The yearly cap of one currency.")
class SetTuitionPolicyInput:
    currency: str = strawberry.field(
        description="ISO 4217 code, e.g. EUR; its current cap is replaced."
    )
    yearly_cap: Decimal = strawberry.field(
        description="The most one employee may be granted per calendar year in this currency "
        "(not negative)."
    )


@strawberry.type(description="A training request as the mutation left it.")
class TrainingRequestPayload:
    request: TrainingRequest = strawberry.field(description="The request after the change.")


@strawberry.type(description="A currency's yearly cap as saved.")
class TuitionPolicyPayload:
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    yearly_cap: Decimal = strawberry.field(
        description="The most one employee may be granted per calendar year in this currency."
    )


TrainingRequestResult = Annotated[
    TrainingRequestPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "TrainingRequestResult", description="The request, or why nothing was changed."
    ),
]
TuitionPolicyResult = Annotated[
    TuitionPolicyPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("TuitionPolicyResult", description="The cap, or why it was not set."),
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
        employee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this employee's: yourself, someone in your reporting chain, "
                "or anyone for HR; else null. Omitted: yours (HR: everyone's)."
            ),
        ] = None,
        statuses: Annotated[
            list[TrainingRequestStatus] | None,
            strawberry.argument(description="Only these statuses; null or empty: all."),
        ] = None,
        first: First = None,
        after: After = None,
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
        self,
        info: Ctx,
        input: Annotated[
            SubmitTrainingRequestInput, strawberry.argument(description="The request.")
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            DecideTrainingRequestInput,
            strawberry.argument(description="The request and a comment."),
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            RejectTrainingRequestInput, strawberry.argument(description="The request and why.")
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            WithdrawTrainingRequestInput, strawberry.argument(description="The request.")
        ],
    ) -> TrainingRequestResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TrainingRequestPayload:
            request = await service.withdraw(_id(input.request_id, "input.requestId"))
            return TrainingRequestPayload(request=TrainingRequest.from_model(request))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Set the yearly cap for a currency (admin, hr_coordinator).")
    async def set_tuition_policy(
        self,
        info: Ctx,
        input: Annotated[
            SetTuitionPolicyInput, strawberry.argument(description="The currency and its cap.")
        ],
    ) -> TuitionPolicyResult:
        service = TrainingRequestService(info.context.session, info.context.principal)

        async def action() -> TuitionPolicyPayload:
            policy = await service.set_policy(input.currency, input.yearly_cap)
            return TuitionPolicyPayload(currency=policy.currency, yearly_cap=policy.yearly_cap)

        return await run_mutation(info.context, action)
