"""Skills profiles (evidence-based estimates) and the versioned inferred-skills models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Double,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_recommender.db import Base


class SkillEstimate(Base):
    """An employee's level (1-5) in a competency they have evidence for (assessments,
    completions, earlier roles): the posterior of the latest model (profiles/posterior.py),
    with the evidence summary it came from. Levels of competencies without evidence are
    inferred on demand and never stored here."""

    __tablename__ = "skill_estimate"
    # Successor shortlists sum estimates over a role's competencies across everyone:
    # an index-only scan by competency.
    __table_args__ = (
        Index(
            "ix_skill_estimate_competency_code",
            "competency_code",
            postgresql_include=["employee_id", "level"],
        ),
    )

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[float] = mapped_column(Double)
    confidence: Mapped[float] = mapped_column(Double)
    evidence_count: Mapped[int] = mapped_column(Integer)
    last_evidence_on: Mapped[dt.date | None] = mapped_column(Date)
    evidence_level: Mapped[float | None] = mapped_column(Double)
    """Precision-weighted mean of the calibrated readings."""
    evidence_precision: Mapped[float | None] = mapped_column(Double)


class StaleEstimate(Base):
    """An employee whose stored estimates are older than their evidence: marked by the
    consumer batch that wrote the evidence (in its transaction, so a crash loses no mark),
    removed by whoever recomputes them (the batch itself for a few employees, otherwise
    the worker's `estimates` job), which holds the row locked while it does."""

    __tablename__ = "stale_estimate"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    marked_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class SkillModel(Base):
    """One fitted skills model (profiles/posterior.py).

    Stores only what estimates and inference need for any employee, including ones hired
    after the fit: the sources' calibration, and in `parameters` (numpy's npz) the prior
    mean of every (job profile, competency) and the covariance factors of people's
    deviations from it. `competency_means` and `components` belong to the low-rank model
    used until 2026-12 and are empty for newer versions.
    """

    __tablename__ = "skill_model"

    version: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    window_start: Mapped[dt.date | None] = mapped_column(Date)
    window_end: Mapped[dt.date | None] = mapped_column(Date)
    algorithm: Mapped[str] = mapped_column(String(50))
    rank: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int] = mapped_column(Integer)
    competencies: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB)
    competency_codes: Mapped[list[str]] = mapped_column(JSONB)
    competency_means: Mapped[bytes] = mapped_column(LargeBinary)
    components: Mapped[bytes] = mapped_column(LargeBinary)
    profile_codes: Mapped[list[str] | None] = mapped_column(JSONB)
    calibration: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    parameters: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Evidence records (profiles/freshness.py) when the refit started: the baseline of the
    # refit on evidence growth. Null for models fitted before it was recorded.
    evidence_records: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RefitRequest(Base):
    """An on-demand refit, queued by the mutation and run by the worker."""

    __tablename__ = "refit_request"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    requested_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    model_version: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
