"""Inferred competencies: a low-rank model of the sparse employee x competency matrix.

Entries are the evidence-based estimates, centred by each competency's mean level over
the employees who have evidence for it; missing entries stay zero ("no deviation known"),
so the matrix stays sparse (scipy CSR, never dense). TruncatedSVD finds the components;
an employee's inferred level for a competency without evidence is that competency's mean
plus their centred row projected onto the components and back ("fold-in"), which works
for employees the model never saw. Inferred levels are always labelled inferred.

A refit holds out a random 5% of the entries, fits on the rest and records the held-out
mean absolute error next to the competency-mean baseline, with its training window.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sqlalchemy import text
from sqlalchemy.orm import Session

from talent_platform.db.base import utcnow
from talent_recommender.profiles.estimates import rebuild_all_estimates
from talent_recommender.profiles.models import SkillModel

HOLDOUT_SHARE = 0.05
MIN_LEVEL, MAX_LEVEL = 1.0, 5.0
# Inferred levels are never as trustworthy as evidence: their confidence stays below this.
INFERRED_CONFIDENCE_CAP = 0.35

FloatArray = npt.NDArray[np.float32]

_COPY_HEADER = 19
_ESTIMATE_TUPLE = np.dtype(
    [
        ("fields", ">i2"),
        ("row_length", ">i4"),
        ("row", ">i4"),
        ("col_length", ">i4"),
        ("col", ">i4"),
        ("level_length", ">i4"),
        ("level", ">f8"),
    ]
)


@dataclass(frozen=True)
class LevelMatrix:
    """The sparse matrix of estimates, rows in the order employees were read."""

    matrix: sparse.csr_matrix
    competency_codes: list[str]


def build_matrix(rows: Iterable[tuple[Any, str, float]]) -> LevelMatrix:
    """(employee key, competency code, level) rows, grouped by employee in any order."""
    employee_index: dict[Any, int] = {}
    competency_index: dict[str, int] = {}
    row_ids: list[int] = []
    col_ids: list[int] = []
    values: list[float] = []
    for employee, code, level in rows:
        row_ids.append(employee_index.setdefault(employee, len(employee_index)))
        col_ids.append(competency_index.setdefault(code, len(competency_index)))
        values.append(level)
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), (np.asarray(row_ids), np.asarray(col_ids))),
        shape=(len(employee_index), len(competency_index)),
    )
    return LevelMatrix(matrix=matrix, competency_codes=list(competency_index))


@dataclass(frozen=True)
class FittedModel:
    competency_codes: list[str]
    means: FloatArray
    components: FloatArray
    metrics: dict[str, float]


def _column_means(matrix: sparse.csr_matrix) -> FloatArray:
    sums = np.asarray(matrix.sum(axis=0)).ravel()
    counts = np.diff(matrix.tocsc().indptr)
    means: FloatArray = (sums / np.maximum(counts, 1)).astype(np.float32)
    return means


def _centred(matrix: sparse.csr_matrix, means: FloatArray) -> sparse.csr_matrix:
    centred = matrix.copy()
    centred.data = centred.data - means[centred.indices]
    return centred


def fit(levels: LevelMatrix, *, rank: int, seed: int = 0) -> FittedModel:
    started = time.perf_counter()
    coo = levels.matrix.tocoo()
    rng = np.random.default_rng(seed)
    held = rng.random(coo.nnz) < HOLDOUT_SHARE
    train = sparse.csr_matrix(
        (coo.data[~held], (coo.row[~held], coo.col[~held])), shape=coo.shape, dtype=np.float32
    )
    means = _column_means(train)
    centred = _centred(train, means)
    n_components = max(1, min(rank, min(centred.shape) - 1))
    svd = TruncatedSVD(n_components=n_components, algorithm="randomized", random_state=seed)
    svd.fit(centred)
    components = svd.components_.astype(np.float32)
    metrics: dict[str, float] = {
        "explained_variance": float(svd.explained_variance_ratio_.sum()),
        "fit_seconds": 0.0,
        "heldout_entries": float(held.sum()),
    }
    if held.any():
        rows, cols, actual = coo.row[held], coo.col[held], coo.data[held]
        factors = np.asarray(centred @ components.T)  # each employee's fold-in (n x rank)
        predicted = np.clip(
            means[cols] + np.einsum("ij,ji->i", factors[rows], components[:, cols]),
            MIN_LEVEL,
            MAX_LEVEL,
        )
        metrics["heldout_mae"] = float(np.abs(predicted - actual).mean())
        metrics["heldout_mae_competency_mean"] = float(np.abs(means[cols] - actual).mean())
    metrics["fit_seconds"] = time.perf_counter() - started
    return FittedModel(levels.competency_codes, means, components, metrics)


def _to_bytes(array: FloatArray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> FloatArray:
    loaded: FloatArray = np.load(io.BytesIO(data), allow_pickle=False)
    return loaded


def read_stored_estimates(session: Session) -> LevelMatrix:
    """Every stored estimate as a sparse matrix. PostgreSQL numbers the rows and columns
    and streams them through binary COPY; numpy reads the fixed-size tuples in place (no
    Python object per row)."""
    codes = list(
        session.scalars(text("SELECT DISTINCT competency_code FROM skill_estimate ORDER BY 1"))
    )
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        # An async session's connection (tests): stream rows instead.
        result = session.execute(
            text("SELECT employee_id, competency_code, level FROM skill_estimate"),
            execution_options={"yield_per": 100_000},
        )
        return build_matrix((e, c, float(v)) for e, c, v in result)
    statement = (
        "COPY (SELECT (dense_rank() OVER (ORDER BY s.employee_id) - 1)::int4, c.i::int4,"
        " s.level::float8 FROM skill_estimate s JOIN (SELECT competency_code,"
        " dense_rank() OVER (ORDER BY competency_code) - 1 AS i"
        " FROM (SELECT DISTINCT competency_code FROM skill_estimate) d) c"
        " USING (competency_code)) TO STDOUT (FORMAT binary)"
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        data = b"".join(bytes(chunk) for chunk in copy)
    # PostgreSQL's binary COPY: a 19-byte header, fixed-size tuples (field count, then
    # length and value per field, big-endian), a 2-byte trailer.
    tuples = np.frombuffer(data[_COPY_HEADER:-2], dtype=_ESTIMATE_TUPLE)
    rows = tuples["row"].astype(np.int64)
    matrix = sparse.csr_matrix(
        (tuples["level"].astype(np.float32), (rows, tuples["col"].astype(np.int64))),
        shape=(int(rows.max()) + 1 if len(rows) else 0, len(codes)),
    )
    return LevelMatrix(matrix=matrix, competency_codes=codes)


def refit(session: Session, *, rank: int, rebuild: bool = True) -> SkillModel:
    """The full refit: rebuild every estimate from all evidence (optional), rebuild the
    peer popularity of courses, fit the low-rank model and store it as a new version."""
    started = time.perf_counter()
    if rebuild:
        rebuild_all_estimates(session)
        rebuild_course_popularity(session)
    rebuilt = time.perf_counter()
    levels = read_stored_estimates(session)
    read = time.perf_counter()
    window = session.execute(
        text(
            "SELECT least((SELECT min(assessed_on) FROM assessment),"
            " (SELECT min(completed_on) FROM completion)),"
            " greatest((SELECT max(assessed_on) FROM assessment),"
            " (SELECT max(completed_on) FROM completion))"
        )
    ).one()
    fitted = fit(levels, rank=rank) if levels.matrix.nnz else None
    model = SkillModel(
        trained_at=utcnow(),
        window_start=window[0],
        window_end=window[1],
        algorithm="truncated-svd/centred-fold-in",
        rank=fitted.components.shape[0] if fitted else 0,
        employees=levels.matrix.shape[0],
        competencies=levels.matrix.shape[1],
        entries=int(levels.matrix.nnz),
        metrics={
            **(fitted.metrics if fitted else {}),
            "rebuild_seconds": round(rebuilt - started, 2),
            "read_seconds": round(read - rebuilt, 2),
        },
        competency_codes=levels.competency_codes,
        competency_means=_to_bytes(fitted.means if fitted else np.zeros(0, dtype=np.float32)),
        components=_to_bytes(fitted.components if fitted else np.zeros((0, 0), dtype=np.float32)),
    )
    session.add(model)
    session.flush()
    return model


def rebuild_course_popularity(session: Session) -> None:
    session.execute(text("TRUNCATE course_popularity"))
    session.execute(
        text(
            "INSERT INTO course_popularity (job_profile_code, course_code, completions, updated_at)"
            " SELECT e.job_profile_code, c.course_code, count(DISTINCT c.employee_id), now()"
            "   FROM completion c JOIN employee e ON e.employee_id = c.employee_id"
            "  WHERE e.job_profile_code IS NOT NULL"
            "  GROUP BY e.job_profile_code, c.course_code"
        )
    )


@dataclass(frozen=True)
class InferredLevel:
    competency_code: str
    level: float
    confidence: float


@dataclass(frozen=True)
class LoadedModel:
    version: int
    trained_at: dt.datetime
    competency_codes: list[str]
    index: dict[str, int]
    means: FloatArray
    components: FloatArray

    @classmethod
    def from_row(cls, row: SkillModel) -> LoadedModel:
        return cls(
            version=row.version,
            trained_at=row.trained_at,
            competency_codes=list(row.competency_codes),
            index={c: i for i, c in enumerate(row.competency_codes)},
            means=_from_bytes(row.competency_means),
            components=_from_bytes(row.components),
        )

    def infer(
        self, observed: Mapping[str, float], *, wanted: Iterable[str] | None = None
    ) -> dict[str, InferredLevel]:
        """Inferred levels for competencies without evidence (`wanted`, or every one the
        model knows), from the employee's evidence-based levels."""
        if self.components.size == 0:
            return {}
        centred = np.zeros(len(self.competency_codes), dtype=np.float32)
        known = 0
        for code, level in observed.items():
            i = self.index.get(code)
            if i is not None:
                centred[i] = level - self.means[i]
                known += 1
        reconstructed = self.means + (self.components @ centred) @ self.components
        confidence = INFERRED_CONFIDENCE_CAP * (1.0 - float(np.exp(-known / 5.0)))
        codes = self.competency_codes if wanted is None else wanted
        found: dict[str, InferredLevel] = {}
        for code in codes:
            i = self.index.get(code)
            if i is None or code in observed:
                continue
            level = float(np.clip(reconstructed[i], MIN_LEVEL, MAX_LEVEL))
            found[code] = InferredLevel(code, round(level, 2), round(confidence, 3))
        return found


MODEL_CACHE: dict[int, LoadedModel] = {}
"""The latest model per process, by version (a refit adds a version; old ones are dropped)."""


def remember(row: SkillModel) -> LoadedModel:
    if row.version not in MODEL_CACHE:
        MODEL_CACHE.clear()
        MODEL_CACHE[row.version] = LoadedModel.from_row(row)
    return MODEL_CACHE[row.version]
