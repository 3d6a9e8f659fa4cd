"""Running refits: on the worker's schedule, on demand (queued requests) and from the CLI."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from talent_platform.db.base import utcnow
from talent_recommender.profiles.freshness import EvidenceGrowth, evidence_records
from talent_recommender.profiles.inference import refit
from talent_recommender.profiles.models import RefitRequest, SkillModel

log = logging.getLogger(__name__)

REFIT_LOCK = 8105_0001


def refit_now(engine: Engine, *, rank: int) -> SkillModel:
    """One full refit in its own transaction; returns the stored model."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        # One refit at a time across processes (worker schedule, CLI).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFIT_LOCK})
        evidence = evidence_records(session)
        model = refit(session, rank=rank)
        model.evidence_records = evidence
    # The rebuilt estimates have no visibility map until a VACUUM, so index-only scans
    # (successor shortlists) read the whole table meanwhile; autovacuum may be late or off.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) skill_estimate"))
    log.info(
        "refit done",
        extra={"version": model.version, "entries": model.entries, "metrics": model.metrics},
    )
    return model


def run_pending(engine: Engine, *, rank: int) -> int | None:
    """Run one refit if any request is pending; marks every pending request with the
    resulting version. Returns the version, or None when nothing was pending."""
    with Session(engine) as session, session.begin():
        pending = session.scalars(
            select(RefitRequest.id)
            .where(RefitRequest.started_at.is_(None))
            .with_for_update(skip_locked=True)
        ).all()
        if not pending:
            return None
        session.execute(
            update(RefitRequest).where(RefitRequest.id.in_(pending)).values(started_at=utcnow())
        )
    try:
        model = refit_now(engine, rank=rank)
    except Exception as exc:
        with Session(engine) as session, session.begin():
            session.execute(
                update(RefitRequest)
                .where(RefitRequest.id.in_(pending))
                .values(finished_at=utcnow(), error=f"{type(exc).__name__}: {exc}"[:4000])
            )
        raise
    with Session(engine) as session, session.begin():
        session.execute(
            update(RefitRequest)
            .where(RefitRequest.id.in_(pending))
            .values(finished_at=utcnow(), model_version=model.version)
        )
    return model.version


def refit_if_due(
    engine: Engine,
    *,
    rank: int,
    interval_s: float,
    evidence_growth: EvidenceGrowth | None = None,
) -> int | None:
    """One look of the worker's refit job (every `refit_poll_s`): the pending on-demand
    requests, else a refit once the evidence grew enough (`evidence_growth`,
    profiles/freshness.py), else a refit when `interval_s` (0 disables the schedule) passed
    since the last model's training time. Returns the version of the refit it ran, or
    None when none was due."""
    version = run_pending(engine, rank=rank)
    if version is not None:
        return version
    if evidence_growth is not None:
        with Session(engine) as session:
            due = evidence_growth.refit_due(session)
        if due:
            return refit_now(engine, rank=rank).version
    if interval_s > 0:
        with Session(engine) as session:
            last = session.scalar(
                select(SkillModel.trained_at).order_by(SkillModel.version.desc()).limit(1)
            )
        if last is None or (utcnow() - last).total_seconds() >= interval_s:
            return refit_now(engine, rank=rank).version
    return None
