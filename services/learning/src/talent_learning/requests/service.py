"""External training and tuition requests: submit, approve (manager, then HR), reject
with a reason, withdraw; every step kept in the request's status history."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.people.models import EmployeeProjection
from talent_learning.people.repository import EmployeeProjectionRepository
from talent_learning.people.service import visible_employees
from talent_learning.requests.models import (
    COUNTED_STATUSES,
    TrainingRequest,
    TrainingRequestChange,
    TuitionPolicy,
)
from talent_platform.auth import Principal, Role
from talent_platform.db import Repository
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, NotFound

HR_APPROVERS = (Role.ADMIN, Role.HR_COORDINATOR)
CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
"""The largest amount the tables hold (NUMERIC(12, 2))."""


def _in_range(value: Decimal) -> bool:
    """A finite amount the tables can hold. Checked before any comparison or rounding:
    NaN does not compare and a huge exponent does not round (decimal.InvalidOperation),
    and PostgreSQL refuses what overflows NUMERIC(12, 2)."""
    return value.is_finite() and abs(value) <= MAX_AMOUNT


class TrainingRequestRepository(Repository[TrainingRequest]):
    model = TrainingRequest
    entity_name = "training request"


@dataclass(frozen=True)
class RequestInput:
    title: str
    provider: str
    starts_on: dt.date
    amount: Decimal
    currency: str
    description: str = ""


class TrainingRequestService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.requests = TrainingRequestRepository(session)

    # -- policy ------------------------------------------------------------------------
    async def set_policy(self, currency: str, yearly_cap: Decimal) -> TuitionPolicy:
        self.principal.require(*HR_APPROVERS)
        errors = ErrorCollector()
        if not CURRENCY.match(currency):
            errors.add("input.currency", "an ISO 4217 code such as EUR")
        if not _in_range(yearly_cap):
            errors.add("input.yearlyCap", f"a number from 0 to {MAX_AMOUNT}")
        elif yearly_cap < 0:
            errors.add("input.yearlyCap", "must not be negative")
        errors.raise_if_any()
        statement = insert(TuitionPolicy).values(currency=currency, yearly_cap=yearly_cap)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["currency"], set_={"yearly_cap": statement.excluded.yearly_cap}
            )
        )
        policy = await self.session.get(TuitionPolicy, currency, populate_existing=True)
        assert policy is not None
        return policy

    async def _remaining(
        self, employee_id: uuid.UUID, *, year: int, currency: str, statuses: Sequence[str]
    ) -> Decimal | None:
        """What is left of the cap, counting requests in `statuses`; None: no policy."""
        policy = await self.session.get(TuitionPolicy, currency)
        if policy is None:
            return None
        used = (
            await self.session.execute(
                select(func.coalesce(func.sum(TrainingRequest.amount), 0)).where(
                    TrainingRequest.employee_id == employee_id,
                    TrainingRequest.policy_year == year,
                    TrainingRequest.currency == currency,
                    TrainingRequest.status.in_(statuses),
                )
            )
        ).scalar_one()
        return Decimal(policy.yearly_cap) - Decimal(used)

    # -- the workflow --------------------------------------------------------------------
    async def submit(self, data: RequestInput) -> TrainingRequest:
        me = self.principal.employee_id
        if me is None:
            raise Forbidden("only an employee submits a training request")
        errors = ErrorCollector()
        if not 0 < len(data.title.strip()) <= 300:
            errors.add("input.title", "1-300 characters")
        if not 0 < len(data.provider.strip()) <= 200:
            errors.add("input.provider", "1-200 characters")
        if (
            not _in_range(data.amount)
            or data.amount <= 0
            or data.amount != data.amount.quantize(CENT)
        ):
            errors.add(
                "input.amount", f"a positive amount with at most 2 decimals, up to {MAX_AMOUNT}"
            )
        if not CURRENCY.match(data.currency):
            errors.add("input.currency", "an ISO 4217 code such as EUR")
        errors.raise_if_any()
        remaining = await self._remaining(
            me, year=data.starts_on.year, currency=data.currency, statuses=COUNTED_STATUSES
        )
        if remaining is None:
            errors.add("input.currency", f"no tuition policy for {data.currency}")
        elif data.amount > remaining:
            errors.add(
                "input.amount",
                f"exceeds the {data.starts_on.year} cap: {max(remaining, Decimal(0))} "
                f"{data.currency} left",
            )
        errors.raise_if_any()
        request = await self.requests.create(
            TrainingRequest(
                employee_id=me,
                title=data.title.strip(),
                provider=data.provider.strip(),
                description=data.description,
                starts_on=data.starts_on,
                amount=data.amount,
                currency=data.currency,
                policy_year=data.starts_on.year,
                status="submitted",
            )
        )
        self._record(request, "submitted", None)
        await self.session.flush()
        return request

    async def approve(self, request_id: uuid.UUID, *, comment: str | None) -> TrainingRequest:
        request = await self._for_update(request_id)
        if request.status == "submitted":
            await self._require_manager_step(request)
            request.status = "manager_approved"
        elif request.status == "manager_approved":
            self.principal.require(*HR_APPROVERS)
            remaining = await self._remaining(
                request.employee_id,
                year=request.policy_year,
                currency=request.currency,
                statuses=("approved",),
            )
            if remaining is not None and request.amount > remaining:
                raise Conflict(
                    f"approving would exceed the {request.policy_year} cap "
                    f"({remaining} {request.currency} left)"
                )
            request.status = "approved"
        else:
            raise Conflict(f"the request is {request.status}")
        self._record(request, request.status, comment)
        await self.session.flush()
        return request

    async def reject(self, request_id: uuid.UUID, *, reason: str) -> TrainingRequest:
        if not reason.strip():
            errors = ErrorCollector()
            errors.add("input.reason", "a rejection needs a reason")
            errors.raise_if_any()
        request = await self._for_update(request_id)
        if request.status == "submitted":
            if not self.principal.has_role(*HR_APPROVERS):
                await self._require_manager_step(request)
        elif request.status == "manager_approved":
            self.principal.require(*HR_APPROVERS)
        else:
            raise Conflict(f"the request is {request.status}")
        request.status = "rejected"
        request.rejection_reason = reason
        self._record(request, "rejected", reason)
        await self.session.flush()
        return request

    async def withdraw(self, request_id: uuid.UUID) -> TrainingRequest:
        request = await self._for_update(request_id)
        if request.employee_id != self.principal.employee_id:
            raise Forbidden("only the employee withdraws their request")
        if request.status not in ("submitted", "manager_approved"):
            raise Conflict(f"the request is {request.status}")
        request.status = "withdrawn"
        self._record(request, "withdrawn", None)
        await self.session.flush()
        return request

    async def _require_manager_step(self, request: TrainingRequest) -> None:
        """The first approval is the manager's (anyone up the chain); HR takes it only for
        an employee without a manager."""
        me = self.principal.employee_id
        if me is not None and me != request.employee_id:
            chain = await EmployeeProjectionRepository(self.session).managed_by(
                me, [request.employee_id]
            )
            if request.employee_id in chain:
                return
        employee = await self.session.get(EmployeeProjection, request.employee_id)
        if self.principal.has_role(*HR_APPROVERS) and (employee is None or not employee.manager_id):
            return
        raise Forbidden("the employee's manager decides first")

    async def _for_update(self, request_id: uuid.UUID) -> TrainingRequest:
        found = await self.requests.one_or_none(
            select(TrainingRequest).where(TrainingRequest.id == request_id).with_for_update()
        )
        if found is None:
            raise NotFound("training request", request_id)
        return found

    def _record(self, request: TrainingRequest, status: str, comment: str | None) -> None:
        self.session.add(
            TrainingRequestChange(
                request_id=request.id,
                status=status,
                changed_by=self.principal.subject,
                comment=comment,
            )
        )

    # -- reading ---------------------------------------------------------------------------
    async def query(
        self, *, employee_id: uuid.UUID | None, statuses: Sequence[str] | None
    ) -> Select[TrainingRequest] | None:
        """Requests the caller may see: HR everyone's (or one employee's), others their
        own or (with employee_id) those of their reporting chain; None when not allowed."""
        stmt = select(TrainingRequest)
        if employee_id is not None:
            if not await visible_employees(self.session, self.principal, [employee_id]):
                return None
            stmt = stmt.where(TrainingRequest.employee_id == employee_id)
        elif not self.principal.is_hr:
            if self.principal.employee_id is None:
                return None
            stmt = stmt.where(TrainingRequest.employee_id == self.principal.employee_id)
        if statuses:
            stmt = stmt.where(TrainingRequest.status.in_(list(statuses)))
        return stmt.order_by(TrainingRequest.created_at.desc(), TrainingRequest.id)

    async def history(
        self, request_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[TrainingRequestChange]]:
        rows = await self.session.execute(
            select(TrainingRequestChange)
            .where(TrainingRequestChange.request_id.in_(request_ids))
            .order_by(TrainingRequestChange.created_at, TrainingRequestChange.id)
        )
        grouped: dict[uuid.UUID, list[TrainingRequestChange]] = {k: [] for k in request_ids}
        for change in rows.scalars():
            grouped[change.request_id].append(change)
        return grouped
