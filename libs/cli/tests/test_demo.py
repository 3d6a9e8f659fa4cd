"""The demo organisation generator: deterministic, a well-formed org tree, and files in
exactly the interchange formats' columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from talent_cli.demo import AS_OF, COLUMNS, DemoOrganisation, generate

# DESIGN.md, "Interchange formats": the columns are a contract.
CONTRACT = {
    "competencies": "code, name, tier, description",
    "job-profiles": "code, title, family, level",
    "job-profile-competencies": "job_profile_code, competency_code, required_level, importance",
    "employees": "employee_id, name, email, hire_date, job_profile_code, org_unit, location, "
    "manager_id, status",
    "courses": "code, title, description, duration_hours, modality, mandatory, recertify_months",
    "course-skills": "course_code, competency_code, level",
    "completions": "employee_id, course_code, completed_on, score",
    "job-history": "employee_id, job_profile_code, start_date, end_date",
    "assessments": "employee_id, competency_code, level, assessed_on, source",
    "ratings": "employee_id, cycle_code, overall_rating, rated_on",
    "key-roles": "code, title, job_profile_code, incumbent_id, criticality",
    "potential": "employee_id, potential, assessed_on",
}
IMPORT_ORDER = [
    "competencies",
    "job-profiles",
    "job-profile-competencies",
    "employees",
    "job-history",
    "courses",
    "course-skills",
    "completions",
    "assessments",
    "ratings",
    "key-roles",
    "potential",
]
SIZES = [1, 2, 9, 60, 300, 2000]


@cache
def demo(employees: int, seed: int = 42) -> DemoOrganisation:
    return generate(employees=employees, seed=seed)


def rows(organisation: DemoOrganisation, kind: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(organisation.files[kind])))


def header(organisation: DemoOrganisation, kind: str) -> list[str]:
    return next(csv.reader(io.StringIO(organisation.files[kind])))


def reports_by_manager(employees: list[dict[str, str]]) -> dict[str, list[str]]:
    reports: dict[str, list[str]] = defaultdict(list)
    for e in employees:
        if e["manager_id"]:
            reports[e["manager_id"]].append(e["employee_id"])
    return reports


# -- determinism ---------------------------------------------------------------------------
def test_the_same_seed_gives_identical_files() -> None:
    assert generate(employees=300, seed=7).files == generate(employees=300, seed=7).files


def test_another_seed_gives_another_organisation() -> None:
    assert demo(300, 1).files["employees"] != demo(300, 2).files["employees"]


def test_writes_one_csv_file_per_kind(tmp_path: Path) -> None:
    organisation = demo(60)
    paths = organisation.write(tmp_path)
    assert [p.name for p in paths] == [f"{kind}.csv" for kind in IMPORT_ORDER]
    for path in paths:
        assert path.read_bytes() == organisation.files[path.stem].encode("utf-8")


# -- the CSV contract ---------------------------------------------------------------------
def test_files_come_in_import_order() -> None:
    assert list(demo(60).files) == IMPORT_ORDER


@pytest.mark.parametrize("kind", IMPORT_ORDER)
def test_headers_are_exactly_the_contract_columns(kind: str) -> None:
    assert header(demo(60), kind) == CONTRACT[kind].split(", ")
    assert list(COLUMNS[kind]) == CONTRACT[kind].split(", ")


@pytest.mark.parametrize("kind", IMPORT_ORDER)
def test_every_row_has_every_column(kind: str) -> None:
    records = list(csv.reader(io.StringIO(demo(300).files[kind])))
    assert {len(r) for r in records} == {len(CONTRACT[kind].split(", "))}


# -- the org tree -------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_the_organisation_has_the_requested_size_and_unique_people(size: int) -> None:
    employees = rows(demo(size), "employees")
    assert len(employees) == size
    assert len({e["employee_id"] for e in employees}) == size
    assert len({e["email"] for e in employees}) == size


@pytest.mark.parametrize("size", SIZES)
def test_one_root_the_ceo(size: int) -> None:
    employees = rows(demo(size), "employees")
    roots = [e for e in employees if not e["manager_id"]]
    assert len(roots) == 1
    assert roots[0]["job_profile_code"] == "EXE-6"
    assert roots[0]["status"] == "active"


@pytest.mark.parametrize("size", SIZES)
def test_every_manager_exists_is_listed_first_and_no_cycles(size: int) -> None:
    employees = rows(demo(size), "employees")
    position = {e["employee_id"]: i for i, e in enumerate(employees)}
    manager_of = {e["employee_id"]: e["manager_id"] for e in employees}
    for e in employees:
        if e["manager_id"]:
            assert e["manager_id"] in position, f"{e['employee_id']}: unknown manager"
            # Managers come before their reports, so a file imports in one pass.
            assert position[e["manager_id"]] < position[e["employee_id"]]
        seen = set()
        node = e["employee_id"]
        while node:
            assert node not in seen, f"reporting cycle through {node}"
            seen.add(node)
            node = manager_of[node]


@pytest.mark.parametrize("size", SIZES)
def test_nobody_has_more_than_ten_direct_reports(size: int) -> None:
    reports = reports_by_manager(rows(demo(size), "employees"))
    assert max((len(r) for r in reports.values()), default=0) <= 10


@pytest.mark.parametrize("size", [300, 2000])
def test_spans_are_four_to_ten_in_a_realistic_organisation(size: int) -> None:
    reports = reports_by_manager(rows(demo(size), "employees"))
    spans = Counter(len(r) for r in reports.values())
    assert min(spans) >= 4
    assert max(spans) <= 10


def test_layers_ceo_vps_directors_managers_individual_contributors() -> None:
    employees = rows(demo(2000), "employees")
    by_id = {e["employee_id"]: e for e in employees}
    reports = reports_by_manager(employees)
    level = {e["employee_id"]: int(e["job_profile_code"].rsplit("-", 1)[1]) for e in employees}
    ceo = next(e for e in employees if not e["manager_id"])
    vps = reports[ceo["employee_id"]]
    assert len(vps) == 8
    assert {by_id[v]["org_unit"] for v in vps} == {
        "Engineering", "Sales", "Operations", "Customer Success", "Marketing", "Product",
        "Finance", "HR",
    }  # fmt: skip
    for e in employees:
        own = reports.get(e["employee_id"], [])
        if not own:
            continue
        # A manager's level is above every direct report's.
        assert all(level[r] < level[e["employee_id"]] for r in own if e is not ceo)
    individual_contributors = [e for e in employees if e["employee_id"] not in reports]
    assert {level[e["employee_id"]] for e in individual_contributors} == {1, 2, 3}
    # Directors (level 5) exist in a large function.
    assert any(level[e["employee_id"]] == 5 for e in employees)


def test_teams_are_org_units_named_function_slash_team() -> None:
    employees = rows(demo(300), "employees")
    units = {e["org_unit"] for e in employees}
    assert "Engineering / Platform" in units
    assert "Executive Office" in units
    for e in employees:
        if e["job_profile_code"].endswith("-4"):  # first-line managers lead a team
            function, _, team = e["org_unit"].partition(" / ")
            assert function and team


def test_locations_come_from_a_short_list() -> None:
    locations = Counter(e["location"] for e in rows(demo(2000), "employees"))
    assert 4 <= len(locations) <= 10


def test_hire_dates_are_in_the_past_and_a_few_people_left() -> None:
    employees = rows(demo(2000), "employees")
    assert all(dt.date.fromisoformat(e["hire_date"]) <= AS_OF for e in employees)
    statuses = Counter(e["status"] for e in employees)
    assert set(statuses) == {"active", "terminated"}
    assert statuses["terminated"] < 0.05 * len(employees)
    # Only individual contributors leave: nobody reports to a terminated manager.
    terminated = {e["employee_id"] for e in employees if e["status"] == "terminated"}
    assert not terminated & set(reports_by_manager(employees))


# -- framework ----------------------------------------------------------------------------
def test_about_sixty_competencies_in_three_tiers() -> None:
    competencies = rows(demo(1), "competencies")
    assert 50 <= len(competencies) <= 70
    assert {c["tier"] for c in competencies} == {"core", "functional", "leadership"}
    assert all(c["code"] and c["name"] and c["description"] for c in competencies)
    assert len({c["code"] for c in competencies}) == len(competencies)


def test_job_profiles_have_families_and_levels_one_to_six() -> None:
    profiles = rows(demo(1), "job-profiles")
    families = {p["family"] for p in profiles}
    assert {"Engineering", "Sales", "Finance", "HR", "Operations", "Marketing"} <= families
    assert {int(p["level"]) for p in profiles} == {1, 2, 3, 4, 5, 6}
    titles = {p["code"]: p["title"] for p in profiles}
    assert titles["ENG-3"] == "Software Engineer III"


def test_requirements_core_for_all_functional_by_family_leadership_from_level_four() -> None:
    organisation = demo(1)
    tier = {c["code"]: c["tier"] for c in rows(organisation, "competencies")}
    profiles = {p["code"]: p for p in rows(organisation, "job-profiles")}
    core = {code for code, t in tier.items() if t == "core"}
    required: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows(organisation, "job-profile-competencies"):
        assert 1 <= int(r["required_level"]) <= 5
        assert 1 <= int(r["importance"]) <= 5
        required[r["job_profile_code"]][r["competency_code"]] = int(r["required_level"])
    assert set(required) == set(profiles)
    for code, levels in required.items():
        assert core <= set(levels), code
        leadership = [c for c in levels if tier[c] == "leadership"]
        assert bool(leadership) == (int(profiles[code]["level"]) >= 4), code
        family = code.split("-")[0]
        functional = [c for c in levels if tier[c] == "functional"]
        assert all(c.startswith(family + "-") for c in functional), code
    # Required levels never fall as the profile level rises, within a family.
    for family in {code.split("-")[0] for code in profiles} - {"EXE"}:
        for competency in core:
            by_level = [required[f"{family}-{level}"][competency] for level in range(1, 7)]
            assert by_level == sorted(by_level), (family, competency)


# -- learning -----------------------------------------------------------------------------
def test_about_150_courses_some_mandatory_with_recertification() -> None:
    organisation = demo(1)
    courses = rows(organisation, "courses")
    assert 130 <= len(courses) <= 170
    mandatory = [c for c in courses if c["mandatory"] == "true"]
    assert 3 <= len(mandatory) <= 10
    assert all(int(c["recertify_months"]) > 0 for c in mandatory)
    assert all(c["recertify_months"] == "" for c in courses if c["mandatory"] == "false")
    assert all(float(c["duration_hours"]) > 0 and c["modality"] for c in courses)
    competencies = {c["code"] for c in rows(organisation, "competencies")}
    skills = rows(organisation, "course-skills")
    assert {s["course_code"] for s in skills} == {c["code"] for c in courses}
    assert all(s["competency_code"] in competencies for s in skills)
    assert {int(s["level"]) for s in skills} <= {1, 2, 3, 4, 5}
    assert {int(s["level"]) for s in skills} >= {2, 3, 4, 5}


def test_completions_zero_to_ten_per_employee_after_hire_with_scores() -> None:
    organisation = demo(2000)
    employees = {e["employee_id"]: e for e in rows(organisation, "employees")}
    courses = {c["code"] for c in rows(organisation, "courses")}
    completions = rows(organisation, "completions")
    per_employee = Counter(c["employee_id"] for c in completions)
    assert max(per_employee.values()) <= 10
    assert 0 < len(employees) - len(per_employee) < 0.2 * len(employees)  # some have none
    assert len({(c["employee_id"], c["course_code"]) for c in completions}) == len(completions)
    for c in completions:
        assert c["course_code"] in courses
        completed = dt.date.fromisoformat(c["completed_on"])
        assert dt.date.fromisoformat(employees[c["employee_id"]]["hire_date"]) < completed
        assert completed <= AS_OF
        assert c["score"] == "" or 0 <= float(c["score"]) <= 100
    assert any(c["score"] == "" for c in completions)


def test_job_history_holds_earlier_profiles_of_the_same_family() -> None:
    organisation = demo(2000)
    employees = {e["employee_id"]: e for e in rows(organisation, "employees")}
    profiles = {p["code"] for p in rows(organisation, "job-profiles")}
    history = rows(organisation, "job-history")
    assert len({h["employee_id"] for h in history}) > 0.1 * len(employees)
    for h in history:
        employee = employees[h["employee_id"]]
        assert h["job_profile_code"] in profiles
        assert h["job_profile_code"] != employee["job_profile_code"]
        assert h["job_profile_code"].split("-")[0] == employee["job_profile_code"].split("-")[0]
        start, end = dt.date.fromisoformat(h["start_date"]), dt.date.fromisoformat(h["end_date"])
        assert dt.date.fromisoformat(employee["hire_date"]) <= start <= end < AS_OF


def test_performance_history_rates_tenured_people_and_assesses_required_competencies() -> None:
    organisation = demo(300)
    employees = {e["employee_id"]: e for e in rows(organisation, "employees")}
    required = {
        (r["job_profile_code"], r["competency_code"])
        for r in rows(organisation, "job-profile-competencies")
    }
    ratings = rows(organisation, "ratings")
    assessments = rows(organisation, "assessments")

    assert ratings and assessments
    assert {r["overall_rating"] for r in ratings} <= {"1", "2", "3", "4", "5"}
    assert len({(r["employee_id"], r["cycle_code"]) for r in ratings}) == len(ratings)
    for r in ratings:
        assert employees[r["employee_id"]]["hire_date"] < r["rated_on"]
    for a in assessments:
        employee = employees[a["employee_id"]]
        assert (employee["job_profile_code"], a["competency_code"]) in required
        assert employee["hire_date"] <= a["assessed_on"] <= AS_OF.isoformat()
        assert a["source"] in {"manager", "self", "peer", "assessment"}
