"""Readings of people's skills, and the stored estimates made from them.

A reading is one piece of evidence pointing at a level: an assessment (by its source), a
completed course (towards the level it teaches; strength = its score / 100, 70 when
unscored) or an ended role (towards the level it required; strength = the years in it,
capped at ROLE_YEARS_CAP, over that cap). The current job profile is not a reading of
itself: it is the model's prior. How much a reading counts, and what the readings of one
(employee, competency) add up to, is profiles/posterior.py's: the same SQL feeds the
refit, the incremental recompute after an event, the offline evaluation (as of a past
day) and the evidence shown with a skills profile, so what people see is what the model
read.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import psycopg
from sqlalchemy import Engine, TextClause, text
from sqlalchemy.orm import Session

from talent_recommender.profiles.posterior import (
    ASSESSING_SOURCES,
    SOURCES,
    Calibration,
    EvidenceSummary,
    Readings,
    SkillPriorModel,
    confidence_of,
    reading_precision,
    summarise,
)

UNSCORED_COMPLETION_SCORE = 70.0
ROLE_YEARS_CAP = 3.0

_FOR_IDS = "{t}.employee_id = ANY(:ids)"
_ALL = "TRUE"


def _readings_sql(employee_filter: str) -> str:
    """Rows (employee_id, competency_code, source, value, strength, on_date, detail) of
    every reading dated on or before :as_of (detail: the assessor's source, the course or
    the job profile)."""
    return f"""
    SELECT a.employee_id, a.competency_code, a.source, a.level::float8 AS value,
           1.0::float8 AS strength, a.assessed_on AS on_date, a.source AS detail
      FROM assessment a
     WHERE a.assessed_on <= CAST(:as_of AS date) AND {employee_filter.format(t="a")}
    UNION ALL
    SELECT c.employee_id, s.competency_code, 'completion', s.level::float8,
           coalesce(c.score, {UNSCORED_COMPLETION_SCORE}) / 100.0, c.completed_on, c.course_code
      FROM completion c JOIN course_skill s ON s.course_code = c.course_code
     WHERE c.completed_on <= CAST(:as_of AS date) AND {employee_filter.format(t="c")}
    UNION ALL
    SELECT h.employee_id, r.competency_code, 'role', r.required_level::float8,
           least((h.end_date - h.start_date) / 365.25, :years_cap) / :years_cap, h.end_date,
           h.job_profile_code
      FROM job_history h JOIN job_requirement r ON r.job_profile_code = h.job_profile_code
     WHERE h.end_date IS NOT NULL AND h.end_date <= CAST(:as_of AS date)
       AND h.end_date > h.start_date AND {employee_filter.format(t="h")}
    """


def _params(as_of: dt.date | None, **extra: Any) -> dict[str, Any]:
    return {"as_of": as_of or dt.date.today(), "years_cap": ROLE_YEARS_CAP, **extra}


@dataclass(frozen=True)
class ShownReading:
    """A reading as a skills profile shows it, with the weight the model gives it."""

    competency_code: str
    kind: str
    """assessment, completion or role."""
    detail: str
    """The assessor's source, the course or the job profile."""
    value: float
    weight: float
    on: dt.date


def evidence_query(
    employee_ids: Collection[uuid.UUID], *, as_of: dt.date | None = None
) -> tuple[TextClause, dict[str, Any]]:
    """Every reading of these employees, by employee, competency and newest first."""
    statement = text(f"SELECT * FROM ({_readings_sql(_FOR_IDS)}) readings ORDER BY 1, 2, 6 DESC")
    return statement, _params(as_of, ids=list(employee_ids))


def shown_readings(
    rows: Sequence[Any], calibration: Calibration, *, as_of: dt.date | None = None
) -> list[tuple[uuid.UUID, ShownReading]]:
    """`evidence_query` rows with the precision the model gives each (reading_precision,
    the same as in every estimate); readings that count for nothing are left out."""
    day = as_of or dt.date.today()
    employees = {e: i for i, e in enumerate(dict.fromkeys(r[0] for r in rows))}
    codes = {c: i for i, c in enumerate(dict.fromkeys(r[1] for r in rows))}
    source_index = {s: i for i, s in enumerate(SOURCES)}
    readings = Readings(
        employee=np.asarray([employees[r[0]] for r in rows], dtype=np.int64),
        competency=np.asarray([codes[r[1]] for r in rows], dtype=np.int64),
        source=np.asarray([source_index.get(r[2], source_index["self"]) for r in rows]),
        value=np.asarray([r[3] for r in rows], dtype=np.float64),
        age_days=np.asarray([(day - r[5]).days for r in rows], dtype=np.float64),
        strength=np.asarray([r[4] for r in rows], dtype=np.float64),
    )
    weights = reading_precision(readings, calibration) if rows else np.zeros(0)
    return [
        (
            employee_id,
            ShownReading(
                competency_code=code,
                kind="assessment" if source in ASSESSING_SOURCES else source,
                detail=detail,
                value=value,
                weight=weight,
                on=on_date,
            ),
        )
        for (employee_id, code, source, value, _, on_date, detail), weight in zip(
            rows, weights.tolist(), strict=True
        )
        if weight > 0
    ]


class EstimateRow(NamedTuple):
    """One stored estimate, in skill_estimate's column order (ESTIMATE_COLUMNS)."""

    employee_id: uuid.UUID
    competency_code: str
    level: float
    confidence: float
    evidence_count: int
    last_evidence_on: dt.date
    evidence_level: float
    evidence_precision: float


@dataclass
class ReadingSet:
    """Readings as arrays, with the employee and competency each index stands for."""

    readings: Readings
    employees: list[uuid.UUID]
    competencies: list[str]
    as_of: dt.date


def read_readings(
    session: Session,
    employee_ids: Collection[uuid.UUID] | None,
    *,
    as_of: dt.date | None = None,
    competencies: Sequence[str] = (),
) -> ReadingSet:
    """Every reading of these employees (everyone when None) as of a day. Competency
    indexes follow `competencies` first (a model's order), then new codes as met."""
    day = as_of or dt.date.today()
    sql = _readings_sql(_ALL if employee_ids is None else _FOR_IDS)
    params = _params(day, **({} if employee_ids is None else {"ids": list(employee_ids)}))
    raw = session.connection().connection.driver_connection
    if employee_ids is None and isinstance(raw, psycopg.Connection):
        return _copy_readings(session, raw, sql, params, day, competencies)
    employee_index: dict[uuid.UUID, int] = {}
    competency_index = {c: i for i, c in enumerate(competencies)}
    source_index = {s: i for i, s in enumerate(SOURCES)}
    employees, codes, sources, values, ages = [], [], [], [], []
    strengths = []
    result = session.execute(text(sql), params, execution_options={"yield_per": 100_000})
    for employee, code, source, value, strength, on_date, _ in result:
        employees.append(employee_index.setdefault(employee, len(employee_index)))
        codes.append(competency_index.setdefault(code, len(competency_index)))
        sources.append(source_index.get(source, source_index["self"]))
        values.append(value)
        strengths.append(strength)
        ages.append((day - on_date).days)
    readings = Readings(
        employee=np.asarray(employees, dtype=np.int64),
        competency=np.asarray(codes, dtype=np.int64),
        source=np.asarray(sources, dtype=np.int64),
        value=np.asarray(values, dtype=np.float64),
        age_days=np.asarray(ages, dtype=np.float64),
        strength=np.asarray(strengths, dtype=np.float64),
    )
    return ReadingSet(readings, list(employee_index), list(competency_index), day)


_COPY_HEADER = 19
_READING_TUPLE = np.dtype(
    [
        ("fields", ">i2"),
        ("employee_length", ">i4"),
        ("employee", "V16"),
        ("competency_length", ">i4"),
        ("competency", ">i4"),
        ("source_length", ">i4"),
        ("source", ">i4"),
        ("value_length", ">i4"),
        ("value", ">f8"),
        ("strength_length", ">i4"),
        ("strength", ">f8"),
        ("age_length", ">i4"),
        ("age", ">i4"),
    ]
)


def _copy_readings(
    session: Session,
    raw: psycopg.Connection[Any],
    sql: str,
    params: dict[str, Any],
    day: dt.date,
    competencies: Sequence[str],
) -> ReadingSet:
    """Every reading through binary COPY, numbered in PostgreSQL (competency and source as
    indexes, the age in days), read by numpy in place: millions of readings without a
    Python object each."""
    codes = list(competencies)
    known = set(codes)
    codes += sorted(
        c
        for c in session.scalars(
            text(
                "SELECT competency_code FROM assessment UNION SELECT competency_code"
                " FROM course_skill UNION SELECT competency_code FROM job_requirement"
            )
        )
        if c not in known
    )
    sources = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCES))
    other = SOURCES.index("self")
    statement = f"""
    COPY (
      SELECT r.employee_id, c.i::int4, (CASE r.source {sources} ELSE {other} END)::int4,
             r.value::float8, coalesce(r.strength, 0)::float8,
             (CAST(%(as_of)s AS date) - r.on_date)::int4
        FROM ({sql.replace(":as_of", "%(as_of)s").replace(":years_cap", "%(years_cap)s")}) r
        JOIN (SELECT code, (i - 1)::int4 AS i
                FROM unnest(CAST(%(codes)s AS text[])) WITH ORDINALITY AS t(code, i)) c
          ON c.code = r.competency_code
       WHERE r.value IS NOT NULL AND r.on_date IS NOT NULL
    ) TO STDOUT (FORMAT binary)"""
    with raw.cursor() as cursor, cursor.copy(statement, {**params, "codes": codes}) as copy:
        data = b"".join(bytes(chunk) for chunk in copy)
    tuples = np.frombuffer(data[_COPY_HEADER:-2], dtype=_READING_TUPLE)
    unique, employee = np.unique(tuples["employee"], return_inverse=True)
    readings = Readings(
        employee=employee.astype(np.int64),
        competency=tuples["competency"].astype(np.int64),
        source=tuples["source"].astype(np.int64),
        value=tuples["value"].astype(np.float64),
        age_days=tuples["age"].astype(np.float64),
        strength=tuples["strength"].astype(np.float64),
    )
    employees = [uuid.UUID(bytes=bytes(u)) for u in unique]
    return ReadingSet(readings, employees, codes, day)


def years_in_role(since: dt.date | None, *, as_of: dt.date | None = None) -> float | None:
    """Years from the start of the current role (or hire) to `as_of` (today)."""
    if since is None:
        return None
    return max(0.0, ((as_of or dt.date.today()) - since).days / 365.25)


def estimate_rows(
    reading_set: ReadingSet,
    summary: EvidenceSummary,
    model: SkillPriorModel | None,
    profile_of: Mapping[uuid.UUID, str | None],
    tenure_of: Mapping[uuid.UUID, float | None] | None = None,
) -> list[EstimateRow]:
    """The stored estimates: for every (employee, competency) with evidence, the posterior
    given all of that employee's evidence (without a model: the evidence mean)."""
    levels = summary.mean.copy()
    spreads = 1.0 / np.sqrt(summary.precision)
    bounds = np.searchsorted(summary.employee, np.arange(len(reading_set.employees) + 1))
    if model is not None:
        index = np.asarray(
            [model.competency_index.get(code, -1) for code in reading_set.competencies],
            dtype=np.int64,
        )
        for e, employee_id in enumerate(reading_set.employees):
            start, end = int(bounds[e]), int(bounds[e + 1])
            if start == end:
                continue
            indexes = index[summary.competency[start:end]]
            known = indexes >= 0
            observed = indexes[known]
            level, sd = model.posterior_arrays(
                profile_of.get(employee_id),
                observed,
                summary.mean[start:end][known],
                summary.precision[start:end][known],
                observed,
                (tenure_of or {}).get(employee_id),
            )
            levels[start:end][known] = level
            spreads[start:end][known] = sd
    days = summary.newest_age_days.astype(np.int64)
    newest = [reading_set.as_of - dt.timedelta(days=d) for d in range(int(days.max(initial=0)) + 1)]
    counts = np.diff(bounds)
    return [
        EstimateRow(*row)
        for row in zip(
            np.repeat(np.asarray(reading_set.employees, dtype=object), counts).tolist(),
            [reading_set.competencies[c] for c in summary.competency.tolist()],
            np.clip(levels, 1.0, 5.0).tolist(),
            confidence_of(spreads).tolist(),
            summary.count.tolist(),
            [newest[d] for d in days.tolist()],
            summary.mean.tolist(),
            summary.precision.tolist(),
            strict=True,
        )
    ]


def compute_estimates(
    session: Session,
    employee_ids: Collection[uuid.UUID] | None,
    *,
    model: SkillPriorModel | None,
    as_of: dt.date | None = None,
    profiles: Mapping[uuid.UUID, str | None] | None = None,
) -> list[EstimateRow]:
    """Estimates (without storing them) of these employees, or of everyone when None, with
    a fitted model's calibration and priors (or the default calibration without one).
    `profiles` gives the job profile each employee held then (default: their current one)."""
    reading_set = read_readings(
        session, employee_ids, as_of=as_of, competencies=model.competency_codes if model else ()
    )
    if not reading_set.employees:
        return []
    calibration = model.calibration if model is not None else Calibration.default()
    if profiles is None:
        current = session.execute(
            text(
                "SELECT employee_id, job_profile_code, coalesce(in_role_since, hire_date)"
                " FROM employee WHERE employee_id = ANY(:ids)"
            ),
            {"ids": reading_set.employees},
        ).all()
        profile_of: Mapping[uuid.UUID, str | None] = {e: p for e, p, _ in current}
        tenure_of = {e: years_in_role(since, as_of=reading_set.as_of) for e, _, since in current}
    else:
        profile_of, tenure_of = profiles, {}
    readings = reading_set.readings
    reference = None
    if model is not None:
        rows = np.asarray([model.profile_row(profile_of.get(e)) for e in reading_set.employees])
        reference = model.references(rows[readings.employee], readings.competency)
    summary = summarise(readings, calibration, reference)
    return estimate_rows(reading_set, summary, model, profile_of, tenure_of)


_STALE = "talent_recommender.stale_estimates"


def mark_stale(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Note that these employees' estimates need recomputing at the end of the batch
    (`recompute_stale`, the consumer's end-of-batch step): a batch of 500 events then
    handles each employee once instead of once per event."""
    session.info.setdefault(_STALE, set()).update(employee_ids)


@functools.cache
def inline_max() -> int:
    """How many employees a consumer batch recomputes itself (`estimate_inline_max`)."""
    from talent_recommender.config import RecommenderSettings

    return RecommenderSettings().estimate_inline_max


def recompute_stale(session: Session) -> None:
    """End of a consumer batch: the employees it marked are recorded in `stale_estimate`
    (in the batch's transaction, so no mark is lost). A few of them (a single assessment,
    a completion: at most `inline_max()`) are recomputed at once, so a person's profile
    follows their new evidence before the batch commits; more (an import's burst) are
    left to the worker's `estimates` job (`recompute_marked`), which recomputes each
    marked employee once however many batches touched them in the meantime, instead of
    once per batch, and lets the consumer apply events at the rate they arrive.

    The marks are upserted in id order. An upsert (not an insert that skips existing
    marks) waits for the job while it holds a mark, and marks the employee anew after
    the job's commit: the job may have read their evidence before this batch's. Whoever
    recomputes an employee holds their mark, and two writers lock marks in one order."""
    stale: set[uuid.UUID] = session.info.pop(_STALE, set())
    if not stale:
        return
    ids = sorted(stale)
    session.execute(
        text(
            "INSERT INTO stale_estimate (employee_id, marked_at)"
            " SELECT id, now() FROM unnest(CAST(:ids AS uuid[])) AS id"
            " ON CONFLICT (employee_id) DO UPDATE SET marked_at = excluded.marked_at"
        ),
        {"ids": ids},
    )
    if len(ids) <= inline_max():
        recompute_estimates(session, ids)
        session.execute(
            text("DELETE FROM stale_estimate WHERE employee_id = ANY(:ids)"), {"ids": ids}
        )


def recompute_marked(engine: Engine, *, chunk: int = 1_000) -> int:
    """The `estimates` job: recompute the marked employees, oldest marks first, `chunk`
    at a time, each chunk in a transaction of its own that holds the chunk's marks locked
    (`FOR UPDATE SKIP LOCKED`: a batch marking one of them again waits for the chunk to
    commit and marks them anew, and two replicas take different chunks). Returns how many
    employees were recomputed."""
    done = 0
    while True:
        with Session(engine) as session, session.begin():
            ids = list(
                session.scalars(
                    text(
                        "SELECT employee_id FROM stale_estimate ORDER BY marked_at"
                        " LIMIT :chunk FOR UPDATE SKIP LOCKED"
                    ),
                    {"chunk": chunk},
                )
            )
            if not ids:
                return done
            recompute_estimates(session, ids)
            session.execute(
                text("DELETE FROM stale_estimate WHERE employee_id = ANY(:ids)"), {"ids": ids}
            )
        done += len(ids)


def recompute_estimates(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Replace the stored estimates of these employees (and only theirs), with the latest
    model's calibration and priors."""
    if not employee_ids:
        return
    from talent_recommender.profiles.inference import latest_model

    ids = list(set(employee_ids))
    loaded = latest_model(session)
    rows = compute_estimates(session, ids, model=loaded.skills if loaded else None)
    session.execute(text("DELETE FROM skill_estimate WHERE employee_id = ANY(:ids)"), {"ids": ids})
    store_estimates(session, rows)


ESTIMATE_COLUMNS = (
    "employee_id",
    "competency_code",
    "level",
    "confidence",
    "evidence_count",
    "last_evidence_on",
    "evidence_level",
    "evidence_precision",
)


def store_estimates(session: Session, rows: Sequence[EstimateRow]) -> None:
    if not rows:
        return
    raw = session.connection().connection.driver_connection
    if isinstance(raw, psycopg.Connection):
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY skill_estimate ({', '.join(ESTIMATE_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # An async session's connection (tests): plain inserts.
    session.execute(
        text(
            f"INSERT INTO skill_estimate ({', '.join(ESTIMATE_COLUMNS)}) VALUES "
            f"({', '.join(':' + c for c in ESTIMATE_COLUMNS)})"
        ),
        [{c: getattr(row, c) for c in ESTIMATE_COLUMNS} for row in rows],
    )
