"""The occupational evaluation organisation: what a user of the generator would notice.
Needs the public reference data (O*NET) next to the repository; skipped without it."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from talent_recommender.evaluation.occupational import (
    COLUMNS,
    OccupationalOrg,
    best_fitting,
    course_relevance,
    default_data_dir,
    generate,
    true_fit,
    write_csv,
)

DATA_DIR = default_data_dir()
pytestmark = pytest.mark.skipif(
    DATA_DIR is None or not (DATA_DIR / "onet-23" / "Skills.tsv").is_file(),
    reason="reference data (../shared/data/onet-23 or $TALENT_REFERENCE_DATA) is absent",
)

CODE = re.compile(r"^[A-Z0-9-]+$")
EMPLOYEE_ID = re.compile(r"^E\d{6}$")


def _data_dir() -> Path:
    assert DATA_DIR is not None
    return DATA_DIR


@pytest.fixture(scope="module")
def org() -> OccupationalOrg:
    return generate(_data_dir(), employees=800, courses=200, key_roles=25, seed=7)


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def test_the_same_seed_gives_the_same_organisation_and_another_seed_another() -> None:
    first = generate(_data_dir(), employees=300, courses=80, key_roles=10, seed=3)
    again = generate(_data_dir(), employees=300, courses=80, key_roles=10, seed=3)
    other = generate(_data_dir(), employees=300, courses=80, key_roles=10, seed=4)

    assert first.rows == again.rows
    assert first.withheld_assessments == again.withheld_assessments
    assert first.true_levels == again.true_levels
    assert first.rows["employees"] != other.rows["employees"]


def test_the_default_size_has_the_sizes_asked() -> None:
    # How long generating takes is a figure for bench/, never an assertion of a test.
    org = generate(_data_dir(), seed=0)

    assert len(org.rows["employees"]) == 3000
    assert len(org.rows["courses"]) == 600
    assert len(org.rows["key-roles"]) == 60
    assert 40 <= len(org.rows["job-profiles"]) <= 80
    assert len(org.rows["competencies"]) == 35
    terminated = sum(1 for e in org.rows["employees"] if e["status"] == "terminated")
    assert 0.03 <= terminated / 3000 <= 0.07


def test_every_row_has_exactly_the_contract_columns(org: OccupationalOrg) -> None:
    assert set(org.rows) == set(COLUMNS)
    for kind, rows in org.rows.items():
        assert rows, kind
        for row in rows:
            assert tuple(row) == COLUMNS[kind], kind
            assert all(isinstance(value, str) for value in row.values())
    for row in org.withheld_assessments:
        assert tuple(row) == COLUMNS["assessments"]


def test_codes_are_unique_and_well_formed(org: OccupationalOrg) -> None:
    for kind, key in [
        ("competencies", "code"),
        ("job-profiles", "code"),
        ("courses", "code"),
        ("key-roles", "code"),
        ("employees", "employee_id"),
    ]:
        codes = [row[key] for row in org.rows[kind]]
        assert len(codes) == len(set(codes)), kind
        assert all(CODE.match(code) for code in codes), kind
    assert all(EMPLOYEE_ID.match(e["employee_id"]) for e in org.rows["employees"])
    emails = [e["email"] for e in org.rows["employees"]]
    assert len(emails) == len(set(emails))


def test_references_point_at_known_rows(org: OccupationalOrg) -> None:
    competencies = {c["code"] for c in org.rows["competencies"]}
    profiles = {p["code"] for p in org.rows["job-profiles"]}
    courses = {c["code"] for c in org.rows["courses"]}
    employees = {e["employee_id"] for e in org.rows["employees"]}

    for row in org.rows["job-profile-competencies"]:
        assert row["job_profile_code"] in profiles and row["competency_code"] in competencies
    for row in org.rows["course-skills"]:
        assert row["course_code"] in courses and row["competency_code"] in competencies
    for kind in ("job-history", "completions", "assessments", "ratings", "potential"):
        assert {row["employee_id"] for row in org.rows[kind]} <= employees, kind
    assert {e["job_profile_code"] for e in org.rows["employees"]} <= profiles
    assert {h["job_profile_code"] for h in org.rows["job-history"]} <= profiles
    assert {c["course_code"] for c in org.rows["completions"]} <= courses
    assert {c["course_code"] for c in org.rows["course-skills"]} == courses


def test_the_reporting_lines_form_one_tree(org: OccupationalOrg) -> None:
    manager_of = {e["employee_id"]: e["manager_id"] for e in org.rows["employees"]}
    tops = [employee for employee, manager in manager_of.items() if not manager]
    assert len(tops) == 1
    for employee, manager in manager_of.items():
        assert not manager or manager in manager_of
        assert manager != employee
        seen = {employee}
        while manager:
            assert manager not in seen, f"reporting cycle through {employee}"
            seen.add(manager)
            manager = manager_of[manager]
    for row in org.rows["employees"]:
        units = row["org_unit"].split(" / ")
        assert len(units) >= 1 and all(unit.strip() == unit and unit for unit in units)


def test_values_are_in_range_and_nothing_is_dated_after_as_of(org: OccupationalOrg) -> None:
    rows = org.rows
    assert {c["tier"] for c in rows["competencies"]} == {"core", "functional", "leadership"}
    assert all(1 <= int(p["level"]) <= 10 for p in rows["job-profiles"])
    for requirement in rows["job-profile-competencies"]:
        assert 1 <= int(requirement["required_level"]) <= 5
        assert 1 <= int(requirement["importance"]) <= 5
    assert {e["status"] for e in rows["employees"]} == {"active", "terminated"}
    for course in rows["courses"]:
        assert course["modality"] in {"e-learning", "classroom", "virtual", "external", "blended"}
        assert course["mandatory"] in {"true", "false"}
        assert int(course["duration_hours"]) > 0
        assert course["recertify_months"] == "" or int(course["recertify_months"]) > 0
    assert any(c["mandatory"] == "true" for c in rows["courses"])
    taught = Counter(s["course_code"] for s in rows["course-skills"])
    assert set(taught.values()) <= {1, 2}
    assert all(1 <= int(s["level"]) <= 5 for s in rows["course-skills"])
    for completion in rows["completions"]:
        assert completion["score"] == "" or 0 <= int(completion["score"]) <= 100
    for assessment in [*rows["assessments"], *org.withheld_assessments]:
        assert assessment["level"] in {"1", "2", "3", "4", "5"}
        assert assessment["source"] in {"self", "manager", "peer", "assessment"}
    assert all(1 <= int(r["overall_rating"]) <= 5 for r in rows["ratings"])
    assert all(re.match(r"^FY\d{4}$", r["cycle_code"]) for r in rows["ratings"])
    assert {p["potential"] for p in rows["potential"]} <= {"low", "medium", "high"}
    assert {k["criticality"] for k in rows["key-roles"]} <= {"low", "medium", "high"}

    dated = [
        *(e["hire_date"] for e in rows["employees"]),
        *(h["start_date"] for h in rows["job-history"]),
        *(h["end_date"] for h in rows["job-history"] if h["end_date"]),
        *(c["completed_on"] for c in rows["completions"]),
        *(a["assessed_on"] for a in [*rows["assessments"], *org.withheld_assessments]),
        *(r["rated_on"] for r in rows["ratings"]),
        *(p["assessed_on"] for p in rows["potential"]),
    ]
    assert all(_day(value) <= org.as_of for value in dated)


def test_job_history_ends_in_the_current_role(org: OccupationalOrg) -> None:
    history: dict[str, list[dict[str, str]]] = {}
    for row in org.rows["job-history"]:
        history.setdefault(row["employee_id"], []).append(row)
    for employee in org.rows["employees"]:
        roles = sorted(history[employee["employee_id"]], key=lambda h: h["start_date"])
        assert roles[0]["start_date"] == employee["hire_date"]
        assert roles[-1]["job_profile_code"] == employee["job_profile_code"]
        assert (roles[-1]["end_date"] == "") == (employee["status"] == "active")
        for earlier, later in itertools.pairwise(roles):
            assert earlier["end_date"] and earlier["end_date"] < later["start_date"]


def test_key_roles_sit_on_senior_profiles_held_by_their_incumbents(org: OccupationalOrg) -> None:
    employees = {e["employee_id"]: e for e in org.rows["employees"]}
    level = {p["code"]: int(p["level"]) for p in org.rows["job-profiles"]}
    incumbents = [k["incumbent_id"] for k in org.rows["key-roles"] if k["incumbent_id"]]
    assert len(incumbents) > len(org.rows["key-roles"]) / 2
    assert len(incumbents) == len(set(incumbents))
    for key_role in org.rows["key-roles"]:
        assert level[key_role["job_profile_code"]] >= 5
        if key_role["incumbent_id"]:
            incumbent = employees[key_role["incumbent_id"]]
            assert incumbent["status"] == "active"
            assert incumbent["job_profile_code"] == key_role["job_profile_code"]


def test_withheld_assessments_are_recent_formal_ones_not_among_the_visible(
    org: OccupationalOrg,
) -> None:
    def key(row: dict[str, str]) -> tuple[str, str, str, str]:
        return row["employee_id"], row["competency_code"], row["assessed_on"], row["source"]

    visible = {key(row) for row in org.rows["assessments"]}
    withheld = [key(row) for row in org.withheld_assessments]
    assert withheld
    assert len(visible) == len(org.rows["assessments"])
    assert not visible & set(withheld)
    assert {row["source"] for row in org.withheld_assessments} == {"assessment"}
    active = set(org.current_profiles)
    assert {row["employee_id"] for row in org.withheld_assessments} <= active
    year_ago = org.as_of - dt.timedelta(days=366)
    assert all(_day(row["assessed_on"]) >= year_ago for row in org.withheld_assessments)


def test_true_levels_cover_every_active_employee_and_competency(org: OccupationalOrg) -> None:
    competencies = [c["code"] for c in org.rows["competencies"]]
    active = [e["employee_id"] for e in org.rows["employees"] if e["status"] == "active"]
    assert set(org.current_profiles) == set(active)
    assert set(org.true_levels) == {(e, c) for e in active for c in competencies}
    assert all(1.0 <= level <= 5.0 for level in org.true_levels.values())


def _errors(org: OccupationalOrg, source: str) -> tuple[np.ndarray, np.ndarray]:
    observed, truth = [], []
    for row in [*org.rows["assessments"], *org.withheld_assessments]:
        pair = (row["employee_id"], row["competency_code"])
        if row["source"] == source and pair in org.true_levels:
            observed.append(int(row["level"]))
            truth.append(org.true_levels[pair])
    return np.array(observed, dtype=float), np.array(truth)


def test_assessments_track_the_truth_formal_ones_best(org: OccupationalOrg) -> None:
    formal, formal_truth = _errors(org, "assessment")
    self_rated, self_truth = _errors(org, "self")

    assert np.corrcoef(formal, formal_truth)[0, 1] > 0.8
    assert np.corrcoef(self_rated, self_truth)[0, 1] > 0.4
    assert np.mean(np.abs(formal - formal_truth)) < np.mean(np.abs(self_rated - self_truth))


def test_self_assessments_are_biased_upwards(org: OccupationalOrg) -> None:
    self_rated, self_truth = _errors(org, "self")
    manager, manager_truth = _errors(org, "manager")

    self_bias = float(np.mean(self_rated - self_truth))
    assert self_bias > 0.2
    assert self_bias > float(np.mean(manager - manager_truth))


def test_some_employees_have_no_assessments(org: OccupationalOrg) -> None:
    assessed = {row["employee_id"] for row in org.rows["assessments"]}
    assert 0 < len(assessed) < len(org.rows["employees"]) * 0.95


def test_best_fitting_ranks_by_true_fit_and_never_returns_the_incumbent(
    org: OccupationalOrg,
) -> None:
    for code, (profile, incumbent) in org.key_roles.items():
        best = best_fitting(org, code, k=10)
        assert len(best) == 10 and len(set(best)) == 10
        assert incumbent not in best
        assert set(best) <= set(org.current_profiles)
        fits = [true_fit(org, employee, profile) for employee in best]
        assert fits == sorted(fits, reverse=True)
        others = set(org.current_profiles) - set(best) - {incumbent}
        assert max(true_fit(org, e, profile) for e in others) <= fits[-1]


def test_true_fit_counts_a_shortfall_far_more_than_a_surplus(org: OccupationalOrg) -> None:
    employee = next(iter(org.current_profiles))
    profile = org.current_profiles[employee]
    competency, (required, _) = next(
        (code, need) for code, need in org.requirements[profile].items() if 2 <= need[0] <= 4
    )

    def fit_at(level: float) -> float:
        true_levels = {**org.true_levels, (employee, competency): level}
        return true_fit(dataclasses.replace(org, true_levels=true_levels), employee, profile)

    meeting = fit_at(required)
    assert meeting - fit_at(required - 1) > 4 * (fit_at(required + 1) - meeting) > 0


def test_course_relevance_only_includes_courses_on_real_gaps(org: OccupationalOrg) -> None:
    with_relevant = 0
    for employee, profile in list(org.current_profiles.items())[:300]:
        needs = org.requirements[profile]
        done = org.completed_courses.get(employee, frozenset())
        relevance = course_relevance(org, employee)
        with_relevant += bool(relevance)
        for course, gain in relevance.items():
            assert gain > 0 and course not in done
            gaps = [
                (competency, level)
                for competency, level in org.course_skills[course].items()
                if competency in needs
                and needs[competency][0] - org.true_levels[(employee, competency)] >= 0.5
                and org.true_levels[(employee, competency)] < level <= needs[competency][0] + 1
            ]
            assert gaps, f"{course} is no real gap for {employee}"
    assert with_relevant > 50


def test_write_csv_writes_one_file_per_kind_with_the_contract_header(
    org: OccupationalOrg, tmp_path: Path
) -> None:
    paths = write_csv(org, tmp_path)

    assert sorted(p.name for p in paths) == sorted(f"{kind}.csv" for kind in COLUMNS)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        kind = path.name.removesuffix(".csv")
        assert tuple(reader.fieldnames or ()) == COLUMNS[kind]
        assert rows == org.rows[kind]
