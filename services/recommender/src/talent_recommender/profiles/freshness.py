"""When the evidence changed enough to refit without anyone asking.

Evidence records are what the estimates are built from: assessments, completions and
job history (ratings rank successors but do not enter the skills model). Each refit
records their count when it starts (`SkillModel.evidence_records`). The worker's refit
job refits once that count grew by more than `share` since the last fit, or when there
is evidence and no model yet, but only while the consumer is caught up and no event was
applied since the job's previous look: a large import is fitted once it has all
arrived, not halfway through.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from talent_platform.events.lag import read_lag_snapshot
from talent_recommender.db import consumer_lag
from talent_recommender.ingest.models import IngestState
from talent_recommender.profiles.models import SkillModel

log = logging.getLogger(__name__)

EVIDENCE_RECORDS_SQL = text(
    "SELECT (SELECT count(*) FROM assessment) + (SELECT count(*) FROM completion)"
    " + (SELECT count(*) FROM job_history)"
)


def evidence_records(session: Session) -> int:
    return int(session.execute(EVIDENCE_RECORDS_SQL).scalar_one())


def grew_enough(*, fitted_on: int, now: int, share: float) -> bool:
    """More than `share` new evidence records since the fit (any, when it had none)."""
    return now - fitted_on > share * fitted_on


@dataclass
class EvidenceGrowth:
    """The refit job's growth rule; keeps what it saw at the previous look, so it counts
    the evidence only once the intake settled and only once per change."""

    share: float
    stale_after_s: float
    _applied_before: int | None = field(default=None, init=False)
    _counted: tuple[int, int | None] | None = field(default=None, init=False)

    def refit_due(self, session: Session) -> bool:
        if self.share <= 0:
            return False
        lag = read_lag_snapshot(session, consumer_lag, stale_after_s=self.stale_after_s)
        if not lag.caught_up:
            self._applied_before = None
            return False
        applied = session.scalar(select(IngestState.events_processed).where(IngestState.id == 1))
        applied = applied or 0
        settled, self._applied_before = applied == self._applied_before, applied
        if not settled:
            return False
        model = session.execute(
            select(SkillModel.version, SkillModel.evidence_records)
            .order_by(SkillModel.version.desc())
            .limit(1)
        ).first()
        seen = (applied, model.version if model else None)
        if seen == self._counted:
            return False
        if model is not None and model.evidence_records is None:
            self._counted = seen
            return False  # no baseline: the next scheduled or requested refit records one
        fitted_on = model.evidence_records if model is not None else 0
        now = evidence_records(session)
        if not grew_enough(fitted_on=fitted_on or 0, now=now, share=self.share):
            self._counted = seen
            return False
        log.info(
            "evidence grew since the last fit; refitting",
            extra={"fitted_on": fitted_on, "evidence_records": now, "share": self.share},
        )
        return True
