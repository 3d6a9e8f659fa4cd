from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from talent_performance.cycles.models import ReviewCycle
from talent_performance.people.models import EmployeeProjection
from talent_performance.reviews.models import PeerRequest, Review, ReviewCompetency
from talent_platform.auth import Principal
from talent_platform.db import Repository
from talent_platform.employees import reports_of, scoped_to


def readable_by(principal: Principal) -> ColumnElement[bool]:
    """Reviews the principal may read (the query must join ReviewCycle): HR all; a
    reviewer what they write; an employee their own self review, and the rest of their
    reviews once the cycle is released; a manager every review of their reporting chain;
    an hr_coordinator with an org scope the reviews of employees inside it."""
    if principal.is_hr_everywhere:
        return true()
    in_scope = scoped_to(Review.employee_id, EmployeeProjection, principal.org_scope)
    me = principal.employee_id
    if me is None:
        return or_(*in_scope) if in_scope else false()
    reports = reports_of(EmployeeProjection, me)
    return or_(
        *in_scope,
        Review.reviewer_id == me,
        and_(
            Review.employee_id == me,
            Review.status != "cancelled",
            or_(Review.kind == "self", ReviewCycle.released_at.is_not(None)),
        ),
        Review.employee_id.in_(select(reports.c.employee_id)),
    )


class ReviewRepository(Repository[Review]):
    model = Review
    entity_name = "review"

    async def for_update(self, review_id: uuid.UUID) -> Review | None:
        return await self.one_or_none(
            select(Review).where(Review.id == review_id).with_for_update()
        )

    async def page(
        self,
        principal: Principal,
        *,
        cycle_id: uuid.UUID | None,
        employee_id: uuid.UUID | None,
        reviewer_id: uuid.UUID | None,
        kind: str | None,
        status: str | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Review], int]:
        statement = (
            select(Review)
            .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
            .where(readable_by(principal))
            .order_by(Review.created_at, Review.id)
        )
        if cycle_id is not None:
            statement = statement.where(Review.cycle_id == cycle_id)
        if employee_id is not None:
            statement = statement.where(Review.employee_id == employee_id)
        if reviewer_id is not None:
            statement = statement.where(Review.reviewer_id == reviewer_id)
        if kind is not None:
            statement = statement.where(Review.kind == kind)
        if status is not None:
            statement = statement.where(Review.status == status)
        return await self.paginate(statement, offset=offset, limit=limit)

    async def readable(self, principal: Principal, review_id: uuid.UUID) -> Review | None:
        return await self.one_or_none(
            select(Review)
            .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
            .where(Review.id == review_id, readable_by(principal))
        )

    async def competencies(
        self, review_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[ReviewCompetency]]:
        rows = await self.session.scalars(
            select(ReviewCompetency)
            .where(ReviewCompetency.review_id.in_(review_ids))
            .order_by(ReviewCompetency.review_id, ReviewCompetency.competency_code)
        )
        grouped: dict[uuid.UUID, list[ReviewCompetency]] = defaultdict(list)
        for row in rows:
            grouped[row.review_id].append(row)
        return grouped

    async def manager_reviews(
        self, cycle_id: uuid.UUID, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Review]:
        rows = await self.list(
            select(Review).where(
                Review.cycle_id == cycle_id,
                Review.kind == "manager",
                Review.employee_id.in_(employee_ids),
            )
        )
        return {r.employee_id: r for r in rows}


class PeerRequestRepository(Repository[PeerRequest]):
    model = PeerRequest
    entity_name = "peer request"

    async def page(
        self,
        principal: Principal,
        *,
        cycle_id: uuid.UUID | None,
        employee_id: uuid.UUID | None,
        status: str | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[PeerRequest], int]:
        """Requests the caller may see: HR all; a manager their chain's; anyone the ones
        they made. Never the employee a manager asked peers about (peers stay anonymous)."""
        statement = select(PeerRequest).order_by(PeerRequest.created_at, PeerRequest.id)
        if not principal.is_hr:
            me = principal.employee_id
            if me is None:
                statement = statement.where(false())
            else:
                reports = reports_of(EmployeeProjection, me)
                statement = statement.where(
                    or_(
                        PeerRequest.requested_by == me,
                        PeerRequest.employee_id.in_(select(reports.c.employee_id)),
                    )
                )
        if cycle_id is not None:
            statement = statement.where(PeerRequest.cycle_id == cycle_id)
        if employee_id is not None:
            statement = statement.where(PeerRequest.employee_id == employee_id)
        if status is not None:
            statement = statement.where(PeerRequest.status == status)
        return await self.paginate(statement, offset=offset, limit=limit)

    async def find(
        self, cycle_id: uuid.UUID, employee_id: uuid.UUID, reviewer_id: uuid.UUID
    ) -> PeerRequest | None:
        return await self.one_or_none(
            select(PeerRequest).where(
                PeerRequest.cycle_id == cycle_id,
                PeerRequest.employee_id == employee_id,
                PeerRequest.reviewer_id == reviewer_id,
            )
        )
