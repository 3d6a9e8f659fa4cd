"""Successor suggestions for a key role (hr_leader and admin only).

Candidates: the SQL shortlist (successors/repository.py) plus everyone on the role's
current slate; never the incumbent, an inactive employee, someone HR removed from this
slate or whose suggestion HR dismissed (unless now on the slate), or the caller. Ranked
by successors.scoring.rank_successors on estimates (evidence, or inferred), calibrated
ratings, potential, role adjacency and HR's readiness for the role, with fit leading.
Every served suggestion is recorded as issued (its id is stable:
`successor_recommendation_id(employee, key role)`), and every read is logged as a
sensitive read. HR can dismiss a suggestion with a reason.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.audit import record_audit
from talent_platform.auth import Principal
from talent_platform.errors import Conflict, NotFound
from talent_platform.graphql import checked_first
from talent_recommender.audit.models import AuditEntry
from talent_recommender.ingest.visibility import require_succession_reader
from talent_recommender.recommendations.feedback import dismissal_reason, publish_dismissal
from talent_recommender.recommendations.issuing import (
    IssuedItem,
    issue,
    successor_recommendation_id,
)
from talent_recommender.recommendations.repository import RecommenderRepository
from talent_recommender.successors.models import SuccessorDismissal
from talent_recommender.successors.repository import (
    SHORTLIST,
    SlateEntry,
    SuccessorRepository,
)
from talent_recommender.successors.scoring import (
    Candidate,
    OrgUnitShare,
    RoleTarget,
    SuccessorSuggestion,
    org_unit_shares,
    rank_successors,
)

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 50


@dataclass(frozen=True)
class ServedSuggestion:
    id: uuid.UUID
    suggestion: SuccessorSuggestion
    readiness_assessed: bool
    slate: SlateEntry | None
    accepted: bool


@dataclass(frozen=True)
class SuccessorReport:
    key_role_id: uuid.UUID
    suggestions: list[ServedSuggestion]
    org_units: list[OrgUnitShare]


class SuccessorService:
    def __init__(
        self, session: AsyncSession, principal: Principal, *, shortlist: int = SHORTLIST
    ) -> None:
        self.session = session
        self.principal = principal
        self.repository = SuccessorRepository(session)
        self.shortlist = shortlist

    async def suggest(self, key_role_id: uuid.UUID, *, first: int = 10) -> SuccessorReport:
        require_succession_reader(self.principal, "successor suggestions")
        checked_first(first, maximum=MAX_SUGGESTIONS, minimum=1)
        role = await self.repository.key_role(key_role_id)
        if role is None:
            raise NotFound("key role", key_role_id)
        profile = await self.repository.job_profile(role.job_profile_code)
        shared = RecommenderRepository(self.session)
        requirements = await shared.requirements(profile.code) if profile is not None else []
        slate, removed = await self.repository.slate(key_role_id)
        dismissed = await self.repository.dismissed(key_role_id)
        excluded = removed | (dismissed - {s.employee_id for s in slate})
        if role.incumbent_id is not None:
            excluded.add(role.incumbent_id)
        if self.principal.employee_id is not None:
            excluded.add(self.principal.employee_id)
        model = await shared.latest_model()
        pool = await self.repository.shortlist(
            profile=profile,
            requirements=requirements,
            excluded=excluded,
            model=model,
            limit=self.shortlist,
        )
        on_slate = {s.employee_id: s for s in slate if s.employee_id not in excluded}
        ids = list(dict.fromkeys([*pool, *on_slate]))
        rows = [r for r in await self.repository.candidates(ids) if r.status == "active"]
        wanted = [r.competency_code for r in requirements]
        estimates = await self.repository.estimates(rows, wanted, model=model)
        ratings = await self.repository.recent_ratings(ids)
        potentials = await self.repository.potentials(ids)
        names = await shared.competency_names(wanted)
        target = RoleTarget(
            key_role_id=role.key_role_id,
            title=role.title,
            job_profile_code=role.job_profile_code,
            job_family=profile.family if profile is not None else None,
            job_level=profile.level if profile is not None else None,
            org_unit_code=role.org_unit_code,
            incumbent_id=role.incumbent_id,
            requirements=requirements,
        )
        candidates = [
            Candidate(
                employee_id=r.employee_id,
                org_unit_code=r.org_unit_code,
                job_profile_code=r.job_profile_code,
                job_title=r.job_title,
                job_family=r.job_family,
                job_level=r.job_level,
                estimates=estimates.get(r.employee_id, {}),
                ratings=ratings.get(r.employee_id, []),
                potential=potentials.get(r.employee_id),
                assessed_readiness=(
                    on_slate[r.employee_id].readiness if r.employee_id in on_slate else None
                ),
            )
            for r in rows
        ]
        ranked = rank_successors(target, candidates, names=names, first=first)
        served_ids = {
            s.employee_id: successor_recommendation_id(s.employee_id, key_role_id) for s in ranked
        }
        accepted = await self.repository.accepted(served_ids.values())
        served = []
        for s in ranked:
            entry = on_slate.get(s.employee_id)
            reasons = s.reasons
            if entry is not None:
                since = f" since {entry.nominated_on.isoformat()}" if entry.nominated_on else ""
                rank = f" (rank {entry.rank})" if entry.rank else ""
                reasons = (f"on the slate{rank}{since}", *reasons)
            served.append(
                ServedSuggestion(
                    id=served_ids[s.employee_id],
                    suggestion=dataclasses.replace(s, reasons=reasons),
                    readiness_assessed=entry is not None and entry.readiness is not None,
                    slate=entry,
                    accepted=served_ids[s.employee_id] in accepted
                    or (entry is not None and entry.suggestion_id == served_ids[s.employee_id]),
                )
            )
        await issue(
            self.session,
            "successor",
            [
                IssuedItem(
                    employee_id=s.suggestion.employee_id,
                    score=s.suggestion.score,
                    reasons=s.suggestion.reasons,
                    key_role_id=key_role_id,
                )
                for s in served
            ],
            model_version=None,
        )
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "successor_suggestions.read",
            "key_role",
            key_role_id,
            after={
                "suggested": [str(s.suggestion.employee_id) for s in served],
                "candidates": len(candidates),
            },
        )
        return SuccessorReport(
            key_role_id=key_role_id,
            suggestions=served,
            org_units=org_unit_shares([s.suggestion for s in served]),
        )

    async def dismiss(self, recommendation_id: uuid.UUID, *, reason: str) -> SuccessorDismissal:
        """HR dismisses a served successor suggestion: the employee is not suggested for
        the role again (unless put on its slate). Publishes recommendation.feedback."""
        require_succession_reader(self.principal, "successor suggestions")
        reason = dismissal_reason(reason)
        issued = await RecommenderRepository(self.session).issued(recommendation_id)
        if issued is None or issued.kind != "successor" or issued.key_role_id is None:
            raise NotFound("successor suggestion", recommendation_id)
        key_role_id, employee_id = issued.key_role_id, issued.employee_id
        if await self.repository.dismissal(key_role_id, employee_id) is not None:
            raise Conflict(f"successor suggestion {recommendation_id} is already dismissed")
        dismissal = SuccessorDismissal(
            key_role_id=key_role_id,
            employee_id=employee_id,
            recommendation_id=recommendation_id,
            reason=reason,
            dismissed_by=self.principal.subject,
        )
        self.session.add(dismissal)
        await self.session.flush()
        await publish_dismissal(
            self.session,
            feedback_id=dismissal.id,
            recommendation_id=recommendation_id,
            employee_id=employee_id,
            key_role_id=key_role_id,
            reason=reason,
            by=self.principal.subject,
            at=dismissal.created_at,
        )
        await record_audit(
            self.session,
            AuditEntry,
            self.principal,
            "successor_suggestion.dismissed",
            "key_role",
            key_role_id,
            after={
                "employee_id": str(employee_id),
                "recommendation_id": str(recommendation_id),
                "reason": reason,
            },
        )
        return dismissal
