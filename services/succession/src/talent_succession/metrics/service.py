"""Succession metrics and their CSV exports (confidential, each read audited).

Diversity of slates counts only attributes the customer supplied
(`talent_succession.diversity`); nothing is ever inferred.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.calendar import add_months
from talent_platform.errors import ErrorCollector
from talent_succession.audit.service import AuditLog, require_confidential
from talent_succession.dates import today
from talent_succession.diversity.service import DiversityService
from talent_succession.metrics.repository import (
    ActionCompletion,
    BenchRollup,
    MetricsRepository,
    Retention,
    RoleBench,
)
from talent_succession.ninebox.repository import NineBoxRepository


class MetricsService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.metrics = MetricsRepository(session)
        self.audit = AuditLog(session, principal)

    async def _allowed(self, report: str, **details: object) -> None:
        await require_confidential(self.session, self.principal)
        await self.audit.record("report.read", "report", report, after=details)

    async def bench_rollup(self) -> list[BenchRollup]:
        await self._allowed("bench_strength")
        return await self.metrics.bench_rollup()

    async def bench_by_role(self) -> list[RoleBench]:
        await self._allowed("bench_strength_by_role")
        return await self.metrics.bench_by_role()

    async def hipo_retention(self, start: dt.date, end: dt.date) -> Retention:
        errors = ErrorCollector()
        if end < start:
            errors.add("to", "must not be before `from`")
        errors.raise_if_any()
        await self._allowed("hipo_retention", start=start, end=end)
        return await self.metrics.hipo_retention(start, end)

    async def action_completion(self) -> list[ActionCompletion]:
        await self._allowed("plan_action_completion")
        return await self.metrics.action_completion(today())

    async def csv_export(
        self, report: str, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> str:
        """The report as CSV text with a header row."""
        if report == "bench_strength":
            return to_csv(await self.bench_rollup())
        if report == "bench_strength_by_role":
            return to_csv(await self.bench_by_role())
        if report == "plan_action_completion":
            return to_csv(await self.action_completion())
        if report == "hipo_retention":
            last = end or today()
            first = start or add_months(last, -12)  # 29 February: the 28th a year before
            retention = await self.hipo_retention(first, last)
            return _csv(
                ("from", "to", "designated", "retained", "terminated"),
                [(first, last, retention.designated, retention.retained, retention.terminated)],
            )
        if report == "nine_box_by_org_unit":
            await self._allowed("nine_box_by_org_unit")
            day = end or today()
            counts = await NineBoxRepository(self.session).by_org_unit(
                day, exclude=self.principal.employee_id
            )
            return _csv(
                ("org_unit_code", "performance", "potential", "count"),
                sorted((c.group or "", c.performance, c.potential, c.count) for c in counts),
            )
        if report == "slate_diversity":
            diversity = DiversityService(self.session, self.principal)
            slates = await diversity.slate_diversity()
            return _csv(
                ("key_role_code", "attribute", "value", "not_supplied", "nominees"),
                [
                    (c.key_role_code, c.attribute, c.value, c.value is None, c.nominees)
                    for c in slates
                ],
            )
        raise ValueError(f"unknown report {report!r}")


def to_csv(rows: Sequence[object]) -> str:
    if not rows:
        return ""
    names = tuple(f.name for f in fields(rows[0]))  # type: ignore[arg-type]
    return _csv(names, (tuple(asdict(r).values()) for r in rows))  # type: ignore[call-overload]


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else v.isoformat()
                if isinstance(v, dt.date)
                else str(v).lower()
                if isinstance(v, bool)
                else v
                for v in row
            ]
        )
    return out.getvalue()
