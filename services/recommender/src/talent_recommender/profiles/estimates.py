"""Evidence-based skill estimates, computed in PostgreSQL with one statement.

Each piece of evidence pulls the estimate towards a level with a weight:

- an assessment towards its level, weighted by source (assessment 1.0, manager 0.8,
  peer 0.5, self 0.3) and halved every ASSESSMENT_HALF_LIFE_DAYS of age;
- a completion towards the level the course teaches, weighted 0.5 times the score
  (0-100; 70 when unscored), with the same recency decay;
- time in a role (job history or the current job profile) towards the level the role
  requires, weighted 0.3 times the years in it (capped at 3).

An assessment supersedes the indirect evidence (completions, roles) dated before its day: the
assessor saw what the course taught and what the role demanded.

level = weighted mean (clamped to 1-5); confidence = 1 - exp(-total weight), so one fresh
formal assessment gives 0.63, a self-assessment alone 0.26. Because the decay is
exponential, the level does not depend on the reference date (only the confidence does).

The same SQL serves the incremental update (one employee's rows after one event), the
full rebuild of a refit, and the offline evaluation (as of a split date, read-only).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import TextClause, event, text
from sqlalchemy.orm import Session

ASSESSMENT_HALF_LIFE_DAYS = 730.0
SOURCE_WEIGHTS = {"assessment": 1.0, "manager": 0.8, "peer": 0.5, "self": 0.3}
COMPLETION_WEIGHT = 0.5
UNSCORED_COMPLETION_SCORE = 70.0
ROLE_WEIGHT = 0.3
ROLE_YEARS_CAP = 3.0
REBUILD_WORK_MEM = "512MB"


def _evidence_sql(employee_filter: str) -> str:
    """Rows (employee_id, competency_code, kind, detail, value, weight, on_date) of every
    piece of evidence dated on or before :as_of, for employees matching the filter
    (a condition on a column named employee_id)."""
    decay = "power(0.5, greatest(CAST(:as_of AS date) - {col}, 0) / :half_life)"
    role_years = (
        "least((least(coalesce({end}, CAST(:as_of AS date)), CAST(:as_of AS date)) - {start})"
        " / 365.25, :years_cap) / :years_cap"
    )
    current_role_years = role_years.format(
        end="NULL", start="coalesce(e.in_role_since, e.hire_date)"
    )
    return f"""
    SELECT a.employee_id, a.competency_code, 'assessment' AS kind, a.source AS detail,
           a.level::float8 AS value,
           CASE a.source WHEN 'assessment' THEN {SOURCE_WEIGHTS["assessment"]}
                         WHEN 'manager' THEN {SOURCE_WEIGHTS["manager"]}
                         WHEN 'peer' THEN {SOURCE_WEIGHTS["peer"]}
                         ELSE {SOURCE_WEIGHTS["self"]} END
             * {decay.format(col="a.assessed_on")} AS weight,
           a.assessed_on AS on_date
      FROM assessment a
     WHERE a.assessed_on <= CAST(:as_of AS date) AND {employee_filter.format(t="a")}
    UNION ALL
    SELECT c.employee_id, s.competency_code, 'completion', c.course_code, s.level::float8,
           {COMPLETION_WEIGHT} * coalesce(c.score, {UNSCORED_COMPLETION_SCORE}) / 100.0
             * {decay.format(col="c.completed_on")},
           c.completed_on
      FROM completion c JOIN course_skill s ON s.course_code = c.course_code
     WHERE c.completed_on <= CAST(:as_of AS date) AND {employee_filter.format(t="c")}
    UNION ALL
    SELECT h.employee_id, r.competency_code, 'role', h.job_profile_code,
           r.required_level::float8,
           {ROLE_WEIGHT} * {role_years.format(end="h.end_date", start="h.start_date")},
           h.start_date
      FROM job_history h JOIN job_requirement r ON r.job_profile_code = h.job_profile_code
     WHERE h.start_date <= CAST(:as_of AS date) AND {employee_filter.format(t="h")}
    UNION ALL
    SELECT e.employee_id, r.competency_code, 'role', e.job_profile_code,
           r.required_level::float8,
           {ROLE_WEIGHT} * {current_role_years},
           coalesce(e.in_role_since, e.hire_date)
      FROM employee e JOIN job_requirement r ON r.job_profile_code = e.job_profile_code
     WHERE coalesce(e.in_role_since, e.hire_date) <= CAST(:as_of AS date)
       AND {employee_filter.format(t="e")}
       AND NOT EXISTS (
           SELECT 1 FROM job_history h2
            WHERE h2.employee_id = e.employee_id AND h2.job_profile_code = e.job_profile_code
              AND h2.end_date IS NULL)
    """


def _estimates_sql(employee_filter: str) -> str:
    return f"""
    SELECT employee_id, competency_code,
           least(greatest(sum(weight * value) / sum(weight), 1), 5) AS level,
           1 - exp(-sum(weight)) AS confidence,
           count(*) AS evidence_count,
           max(on_date) AS last_evidence_on
      FROM (
        SELECT *, max(on_date) FILTER (WHERE kind = 'assessment')
                    OVER (PARTITION BY employee_id, competency_code) AS last_assessed_on
          FROM ({_evidence_sql(employee_filter)}) evidence
         WHERE weight > 0
      ) dated
     WHERE kind = 'assessment' OR last_assessed_on IS NULL OR on_date >= last_assessed_on
     GROUP BY employee_id, competency_code
    """


_FOR_IDS = "{t}.employee_id = ANY(:ids)"
_ALL = "TRUE"


def _params(as_of: dt.date | None, **extra: Any) -> dict[str, Any]:
    return {
        "as_of": as_of or dt.date.today(),
        "half_life": ASSESSMENT_HALF_LIFE_DAYS,
        "years_cap": ROLE_YEARS_CAP,
        **extra,
    }


def evidence_query(
    employee_ids: Collection[uuid.UUID], *, as_of: dt.date | None = None
) -> tuple[TextClause, dict[str, Any]]:
    """Every piece of evidence of these employees, for display."""
    statement = text(
        f"SELECT * FROM ({_evidence_sql(_FOR_IDS)}) evidence WHERE weight > 0 ORDER BY 1, 2, 7 DESC"
    )
    return statement, _params(as_of, ids=list(employee_ids))


def estimates_query(
    employee_ids: Collection[uuid.UUID] | None, *, as_of: dt.date | None = None
) -> tuple[TextClause, dict[str, Any]]:
    """Estimates (without storing them) of these employees, or of everyone when None."""
    if employee_ids is None:
        return text(_estimates_sql(_ALL)), _params(as_of)
    return text(_estimates_sql(_FOR_IDS)), _params(as_of, ids=list(employee_ids))


_STALE = "talent_recommender.stale_estimates"


def mark_stale(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Recompute these employees' estimates when the transaction commits (or at
    `recompute_stale`): a consumer batch of 500 events then recomputes each employee once,
    in one statement, instead of once per event."""
    session.info.setdefault(_STALE, set()).update(employee_ids)


def recompute_stale(session: Session) -> None:
    stale: set[uuid.UUID] = session.info.pop(_STALE, set())
    recompute_estimates(session, stale)


@event.listens_for(Session, "before_commit")
def _recompute_before_commit(session: Session) -> None:
    # SQLAlchemy also dispatches this when a savepoint is released (the consumer runs each
    # event in one): wait for the real commit.
    if session.in_nested_transaction():
        return
    if session.info.get(_STALE):
        recompute_stale(session)


def recompute_estimates(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Replace the stored estimates of these employees (and only theirs)."""
    if not employee_ids:
        return
    ids = list(set(employee_ids))
    session.execute(text("DELETE FROM skill_estimate WHERE employee_id = ANY(:ids)"), {"ids": ids})
    session.execute(
        text(
            "INSERT INTO skill_estimate (employee_id, competency_code, level, confidence,"
            " evidence_count, last_evidence_on) " + _estimates_sql(_FOR_IDS)
        ),
        _params(None, ids=ids),
    )


def rebuild_all_estimates(session: Session) -> int:
    """Recompute every stored estimate from all evidence (part of a full refit)."""
    # Millions of evidence rows are sorted by (employee, competency): in memory, not in
    # temporary files (the setting ends with the transaction).
    session.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
    session.execute(text("TRUNCATE skill_estimate"))
    result = session.execute(
        text(
            "INSERT INTO skill_estimate (employee_id, competency_code, level, confidence,"
            " evidence_count, last_evidence_on) " + _estimates_sql(_ALL)
        ),
        _params(None),
    )
    return int(getattr(result, "rowcount", 0) or 0)
