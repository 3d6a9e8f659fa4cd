"""Review cycles: create, launch (every review at once), advance phases, release, close,
and completion tracking ("who is behind")."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import (
    CycleClosed,
    CycleLaunched,
    CyclePhaseChanged,
    CycleReleased,
)
from talent_performance.audit.service import AuditLog
from talent_performance.cycles.models import (
    DEFAULT_SCALE,
    KINDS,
    PHASE_REVIEW_KIND,
    PHASES,
    CyclePhaseDeadline,
    ReviewCycle,
)
from talent_performance.cycles.population import create_reviews
from talent_performance.cycles.repository import BehindRow, CycleRepository
from talent_performance.db import outbox
from talent_performance.people.models import JobProfileProjection
from talent_platform.auth import Principal, Role, unit_in_scope
from talent_platform.db.base import utcnow
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, ValidationFailed
from talent_platform.errors import FieldError as DomainFieldError
from talent_platform.events import Outbox

CYCLE_ADMINS = (Role.HR_COORDINATOR, Role.HR_LEADER, Role.ADMIN)


@dataclass(frozen=True)
class NewCycle:
    code: str
    name: str
    kind: str
    deadlines: dict[str, dt.date]
    org_unit_codes: Sequence[str] = ()
    job_profile_codes: Sequence[str] = ()
    hired_on_or_before: dt.date | None = None
    scale_labels: Sequence[str] | None = None


@dataclass(frozen=True)
class BehindPage:
    phase: str
    kind: str
    due_on: dt.date | None
    rows: list[BehindRow] = field(default_factory=list)
    total: int = 0


def pending_of(phase: str) -> tuple[str, tuple[str, ...]]:
    """The review kind a phase is about and the statuses that count as behind in it."""
    if phase == "sign_off":
        return "manager", ("draft", "submitted")
    kind = PHASE_REVIEW_KIND.get(phase)
    if kind is None:
        raise ValidationFailed(
            [
                DomainFieldError(
                    "phase",
                    f"completion is tracked for {', '.join([*PHASE_REVIEW_KIND, 'sign_off'])}",
                )
            ]
        )
    return kind, ("draft",)


class CycleService:
    def __init__(
        self, session: AsyncSession, principal: Principal, events: Outbox = outbox
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.cycles = CycleRepository(session)
        self.audit = AuditLog(session)

    async def get(self, cycle_id: uuid.UUID) -> ReviewCycle:
        return await self.cycles.get(cycle_id)

    def _require_admin_of(self, org_unit_codes: Sequence[str]) -> None:
        """Cycles are run by hr_coordinator, hr_leader and admin; an hr_coordinator with
        an org scope runs only cycles whose population is limited to org units inside it
        (not company-wide ones)."""
        self.principal.require(*CYCLE_ADMINS)
        scope = self.principal.org_scope
        if scope is None:
            return
        outside = [u for u in org_unit_codes if not unit_in_scope(u, scope)]
        if not org_unit_codes or outside:
            units = ", ".join(sorted(scope))
            raise Forbidden(
                f"an hr_coordinator for {units} runs only cycles limited to those org units"
            )

    async def create(self, data: NewCycle) -> ReviewCycle:
        """A draft cycle (hr_coordinator, hr_leader, admin); launching it creates reviews."""
        self._require_admin_of(data.org_unit_codes)
        errors = ErrorCollector()
        code = data.code.strip()
        if not code or len(code) > 100:
            errors.add("input.code", "is required (at most 100 characters)")
        elif await self.cycles.by_code(code) is not None:
            errors.add("input.code", f"a cycle {code!r} exists already")
        if not data.name.strip():
            errors.add("input.name", "is required")
        if data.kind not in KINDS:
            errors.add("input.kind", f"must be one of {', '.join(KINDS)}")
        labels = list(data.scale_labels) if data.scale_labels is not None else list(DEFAULT_SCALE)
        if len(labels) != 5 or any(not label.strip() for label in labels):
            errors.add("input.scaleLabels", "needs five non-empty labels, for ratings 1 to 5")
        missing = [p for p in PHASES if p not in data.deadlines]
        if missing:
            errors.add("input.deadlines", f"missing phase(s): {', '.join(missing)}")
        else:
            for before, after in itertools.pairwise(PHASES):
                if data.deadlines[after] < data.deadlines[before]:
                    errors.add("input.deadlines", f"{after} ends before {before}")
        if data.job_profile_codes:
            known = {
                p.code
                for p in await self.session.scalars(
                    select(JobProfileProjection).where(
                        JobProfileProjection.code.in_(data.job_profile_codes)
                    )
                )
            }
            unknown = sorted(set(data.job_profile_codes) - known)
            if unknown:
                errors.add("input.jobProfileCodes", f"unknown job profile(s): {', '.join(unknown)}")
        errors.raise_if_any()
        cycle = ReviewCycle(
            id=uuid.uuid4(),
            code=code,
            name=data.name.strip(),
            kind=data.kind,
            status="draft",
            org_unit_codes=sorted(set(data.org_unit_codes)),
            job_profile_codes=sorted(set(data.job_profile_codes)),
            hired_on_or_before=data.hired_on_or_before,
            scale_labels=[label.strip() for label in labels],
            created_by=self.principal.subject,
        )
        await self.cycles.create(cycle)
        self.session.add_all(
            CyclePhaseDeadline(
                cycle_id=cycle.id, phase=phase, position=i, due_on=data.deadlines[phase]
            )
            for i, phase in enumerate(PHASES)
        )
        await self.session.flush()
        return cycle

    async def launch(self, cycle_id: uuid.UUID) -> tuple[ReviewCycle, int]:
        """Create every review of the population in two set-based statements (reviews,
        then the competencies they rate), and open the first phase."""
        self.principal.require(*CYCLE_ADMINS)
        cycle = await self.cycles.get(cycle_id)
        self._require_admin_of(cycle.org_unit_codes)
        if cycle.status != "draft":
            raise Conflict(f"cycle {cycle.code} is {cycle.status}, only a draft can be launched")
        await self.session.run_sync(create_reviews, cycle)
        population = await self.cycles.population(cycle.id)
        if population == 0:
            raise Conflict(f"cycle {cycle.code}: no active employee is in its population")
        now = utcnow()
        cycle.status, cycle.phase, cycle.launched_at = "active", PHASES[0], now
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            CycleLaunched(
                cycle_id=cycle.id,
                cycle_code=cycle.code,
                name=cycle.name,
                kind=cycle.kind,
                phase=PHASES[0],
                population=population,
                launched_at=now,
            ),
        )
        return cycle, population

    async def advance(self, cycle_id: uuid.UUID, *, to_phase: str) -> ReviewCycle:
        """Move a running cycle to its next phase. `to_phase` must be that next phase, so
        a repeated or stale request cannot skip one."""
        self.principal.require(*CYCLE_ADMINS)
        cycle = await self.cycles.get(cycle_id)
        self._require_admin_of(cycle.org_unit_codes)
        if cycle.status != "active" or cycle.phase is None:
            raise Conflict(f"cycle {cycle.code} is {cycle.status}, not running")
        position = PHASES.index(cycle.phase)
        if position + 1 >= len(PHASES):
            raise Conflict(f"cycle {cycle.code} is in its last phase ({cycle.phase})")
        expected = PHASES[position + 1]
        if to_phase != expected:
            raise ValidationFailed(
                [DomainFieldError("input.phase", f"the next phase of {cycle.code} is {expected}")]
            )
        previous, cycle.phase = cycle.phase, expected
        await self.session.flush()
        deadlines = (await self.cycles.deadlines([cycle.id])).get(cycle.id, [])
        due_on = next((d.due_on for d in deadlines if d.phase == expected), None)
        await self.session.run_sync(
            self.events.add,
            CyclePhaseChanged(
                cycle_id=cycle.id,
                cycle_code=cycle.code,
                phase=expected,
                previous_phase=previous,
                due_on=due_on,
            ),
        )
        return cycle

    async def release(self, cycle_id: uuid.UUID) -> ReviewCycle:
        """Employees see their manager and peer reviews and ratings from now on."""
        self.principal.require(*CYCLE_ADMINS)
        cycle = await self.cycles.get(cycle_id)
        self._require_admin_of(cycle.org_unit_codes)
        if cycle.released_at is not None:
            raise Conflict(f"cycle {cycle.code} was released at {cycle.released_at.isoformat()}")
        if cycle.status != "active" or cycle.phase != "release":
            raise Conflict(f"cycle {cycle.code} must be in its release phase to be released")
        cycle.released_at, cycle.released_by = utcnow(), self.principal.subject
        self.audit.record(
            self.principal,
            action="cycle.released",
            entity="review_cycle",
            entity_id=cycle.id,
            old={"released": False},
            new={"released": True},
        )
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            CycleReleased(cycle_id=cycle.id, cycle_code=cycle.code, released_at=cycle.released_at),
        )
        return cycle

    async def close(self, cycle_id: uuid.UUID) -> ReviewCycle:
        self.principal.require(*CYCLE_ADMINS)
        cycle = await self.cycles.get(cycle_id)
        self._require_admin_of(cycle.org_unit_codes)
        if cycle.status != "active" or cycle.released_at is None:
            raise Conflict(f"cycle {cycle.code} must be released before it is closed")
        cycle.status, cycle.closed_at = "closed", utcnow()
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            CycleClosed(cycle_id=cycle.id, cycle_code=cycle.code, closed_at=cycle.closed_at),
        )
        return cycle

    async def behind(
        self, cycle_id: uuid.UUID, *, phase: str, offset: int, limit: int
    ) -> BehindPage:
        """Reviews not done for a phase, with each employee's manager and that manager's
        manager for escalation: every review for HR, a manager's reporting chain's for
        anyone else (nothing for someone who manages nobody)."""
        below = None
        scope = self.principal.org_scope
        if not self.principal.is_hr:
            below = self.principal.employee_id
            if below is None:
                raise Forbidden("who is behind needs an employee or HR token")
        cycle = await self.cycles.get(cycle_id)
        kind, pending = pending_of(phase)
        deadlines = (await self.cycles.deadlines([cycle.id])).get(cycle.id, [])
        due_on = next((d.due_on for d in deadlines if d.phase == phase), None)
        rows, total = await self.cycles.behind(
            cycle.id,
            kind=kind,
            pending=pending,
            below=below,
            scope=scope,
            offset=offset,
            limit=limit,
        )
        return BehindPage(phase=phase, kind=kind, due_on=due_on, rows=rows, total=total)
