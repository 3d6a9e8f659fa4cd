"""An evaluation organisation generated from public occupational data (O*NET 23.0), with
its ground truth, so the recommender can be judged on data it was not shaped on.

The generator follows the occupational data and ordinary knowledge of how HR data looks;
nothing in it is derived from the recommender's scoring. Everything below is an
assumption of this module, written down so that results can be read against it.

Competency framework
    O*NET's 35 skills, coded `ONET-<element id without dots>` (2.B.1.d -> ONET-2B1D),
    with O*NET's names and descriptions. Tier from the content model: the basic skills
    (2.A, content and process) are *core*; the systems skills (2.B.4: judgment, systems
    analysis and evaluation) and resource-management skills (2.B.5) are *leadership*,
    being what O*NET rates highest for managers; social, complex-problem-solving and
    technical skills are *functional*. ESCO is not used: it has no proficiency levels,
    so its skills would need invented required levels, which is what this module avoids.

Level scale
    O*NET rates level LV on 0-7, but skills that matter to an occupation (importance
    >= 3) span about 2-6 with a median of 3.5. Level = LV - 0.5, clipped to 1-5: one
    O*NET point is one step, and the middle of the required range lands on 3, so
    required levels spread over 2-5 instead of bunching at 3.

Job profiles
    An industrial company (manufacturing, engineering, IT, sales and corporate
    functions): SOC major groups 13, 15, 17, 19, 41, 43, 49, 51 and 53 (family = the
    major group's name), occupations sampled at random within plausible minor groups,
    plus the first-line supervisor occupation of the groups that have one, plus the
    management occupations that head such departments (Chief Executives, General and
    Operations Managers, Financial, IT, Engineering, ... managers). A profile requires a
    skill when O*NET's importance is >= 3 and neither rating is flagged Not Relevant or
    Recommend Suppress; required level = mapped LV rounded, importance = IM rounded.
    Profile level: non-management occupations by quintile of their importance-weighted
    mean LV among all O*NET non-management occupations (1-5); managers 6; top
    executives (SOC 11-1) 7.

Organisation
    Company / division / department (one per family) / section (when a department has
    more than six teams) / team. The CEO heads the company, general and operations
    managers the divisions, the department's management occupation its department and
    sections; a team is led by a first-line supervisor where the family has one, else by
    a holder of the family's most demanding occupation. Teams are built around one main
    occupation (about 70% of members), and lower-level occupations are more common.
    About 5% of employee rows are people who left (terminated, their last job-history
    row ends on the leaving date). Tenure is roughly exponential (mean 4 years, at most
    10.5; leaders longer); earlier internal roles are usually a lower-or-equal level in
    the same family, sometimes another family. Employee ids follow hire order.

True skills (continuous 1-5, as of `as_of`; for leavers as of their leaving date)
    base = the current occupation's mapped LV for every skill, less a learning-curve
    deficit that fades over the first years in the role; a skill of an earlier role is
    kept (slightly decayed) where it exceeds that. Individual deviation = general ability
    (shared by all skills) + a correlated part whose correlation is estimated from O*NET's
    occupation x skill LV matrix + independent noise; 8% of people are notably above and
    8% notably below their role across the board. Optional courses completed raise the
    skills they teach a little (a share of the distance to the course's level). Skills of
    the current role grow 0.1 per year, so an observation t years ago saw 0.1 t less.

Observations
    Assessments cover the last three years: yearly reviews in January-February (self
    and manager ratings of 3-7 of the role's skills), occasional peer ratings, and formal
    assessment sessions for about a third of people. Self ratings are biased upwards (a
    personal bias around +0.45) and noisy; managers are lenient (+0.2), have a personal
    halo, and pull towards the role's expectation; peers are noisy; formal assessments
    are unbiased and the most precise. All are rounded to 1-5. About 15% of people have
    no assessments at all. Of active people whose latest formal session is within the
    last year, half have that session withheld (`withheld_assessments`).
    Learning records start six years before `as_of` (when the LMS was introduced).
    Mandatory compliance courses are completed by everyone on joining and again on each
    recertification (a few are overdue). Optional courses are chosen for the role's
    skills, for one's own weaknesses, because teammates took them, or by chance; scores
    rise with the skill the course teaches, classroom and external courses often have no
    score. Yearly ratings (cycle FYyyyy, given in the following February-March) follow
    fit to the role held then, general ability and noise, calibrated to a 3/12/55/23/7%
    distribution per cycle. Potential (for about 45% of active people, more often for
    senior and longer-serving ones) follows general ability, the latest rating and noise.

Ground truth (the evaluation tasks' definitions)
    course relevance: a course is relevant to an active employee when it teaches a
        competency their current profile requires at a true level at least 0.5 below the
        required level, at a course level above the true level and at most one above the
        required level, and the employee has not completed it. Gain = sum over such
        competencies of importance x (min(course level, required) - true level).
    true fit of an employee to a profile: 1 - S/4 + 0.05 U, with S the importance-weighted
        mean shortfall below the required levels and U the importance-weighted mean
        surplus above them (surplus counts a little: it orders people who all meet the
        requirements by their headroom, and hardly offsets a shortfall elsewhere).
    best fitting for a key role: the k active employees other than its incumbent with the
        highest true fit to its job profile, from the whole organisation (ties by id).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from talent_contracts.csv import CSV_COLUMNS

Vector = npt.NDArray[np.float64]
Rng = np.random.Generator

# The import contract's kinds; no diversity file: protected attributes are not generated.
COLUMNS: dict[str, tuple[str, ...]] = {
    kind: columns for kind, columns in CSV_COLUMNS.items() if kind != "diversity"
}

DEFAULT_AS_OF = dt.date(2026, 12, 1)
COMPANY = "Calloway Industries"
EMAIL_DOMAIN = "calloway.example"

# SOC major group -> (family name, department name, division, share of headcount,
# minor-group prefixes an industrial company employs, supervisor occupation, head occupation)
# fmt: off
_FAMILIES: dict[str, tuple[str, str, str, float, tuple[str, ...], str | None, str]] = {
    "13": ("Business and Financial Operations", "Finance and Business Operations",
           "Corporate Services", 0.11, ("13-",), None, "11-3031.02"),
    "15": ("Computer and Mathematical", "Information Technology", "Technology", 0.13,
           ("15-",), None, "11-3021.00"),
    "17": ("Architecture and Engineering", "Engineering", "Engineering and Research", 0.12,
           ("17-",), None, "11-9041.00"),
    "19": ("Life, Physical, and Social Science", "Research and Laboratory",
           "Engineering and Research", 0.04, ("19-1", "19-2", "19-4"), None, "11-9121.00"),
    "41": ("Sales and Related", "Sales", "Commercial", 0.10, ("41-3", "41-4", "41-9"),
           "41-1012.00", "11-2022.00"),
    "43": ("Office and Administrative Support", "Administration and Customer Service",
           "Corporate Services", 0.12, ("43-",), "43-1011.00", "11-3011.00"),
    "49": ("Installation, Maintenance, and Repair", "Maintenance and Repair", "Operations",
           0.10, ("49-2", "49-9"), "49-1011.00", "11-1021.00"),
    "51": ("Production", "Production", "Operations", 0.20, ("51-2", "51-4", "51-8", "51-9"),
           "51-1011.00", "11-3051.00"),
    "53": ("Transportation and Material Moving", "Logistics", "Operations", 0.08,
           ("53-3", "53-6", "53-7"), "53-1031.00", "11-3071.03"),
}
# fmt: on
_MANAGEMENT_FAMILY = "Management"
_CEO_OCCUPATION = "11-1011.00"
_DIVISION_HEAD_OCCUPATION = "11-1021.00"
_DIVISION_LOCATIONS: dict[str, tuple[str, ...]] = {
    "Corporate Services": ("Chicago",),
    "Technology": ("Chicago", "Austin", "Remote"),
    "Engineering and Research": ("Milwaukee", "Chicago"),
    "Operations": ("Milwaukee", "Rockford", "Gary"),
    "Commercial": ("Chicago", "Atlanta", "Denver", "Remote"),
}
_TEAM_SIZE = 10
_LONGEST_TENURE_SHARE = 1.0 - math.exp(-10.4 / 4.0)
"""Tenure is exponential with mean 4 years truncated at 10.5 years: the CDF there."""
_TEAMS_PER_SECTION = 6

_MANDATORY_COURSES: tuple[tuple[str, int | None, tuple[tuple[str, int], ...]], ...] = (
    ("Code of conduct and business ethics", 12, (("2.B.4.e", 1),)),
    ("Workplace health and safety", 12, (("2.B.3.g", 1), ("2.A.2.d", 1))),
    ("Information security awareness", 12, (("2.A.2.d", 1),)),
    ("Data protection and privacy", 24, (("2.A.1.a", 1),)),
    ("Respect at work: preventing harassment", 24, (("2.B.1.a", 1),)),
    ("Anti-bribery and corruption", 36, (("2.B.4.e", 1), ("2.A.1.a", 1))),
)
_LEVEL_PHRASES: dict[int, tuple[str, ...]] = {
    1: ("foundations", "an introduction", "first steps"),
    2: ("essentials", "core techniques", "building confidence"),
    3: ("applied practice", "in practice", "practitioner workshop"),
    4: ("advanced practice", "advanced techniques", "coaching others"),
    5: ("expert masterclass", "mastery", "strategic perspectives"),
}
_COURSE_LEVEL_SHARES = (0.12, 0.26, 0.30, 0.22, 0.10)
_MODALITY_HOURS: dict[str, tuple[int, int]] = {
    "e-learning": (1, 4),
    "virtual": (3, 8),
    "blended": (8, 20),
    "classroom": (7, 24),
    "external": (16, 40),
}
# fmt: off
_FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty",
    "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul",
    "Donna", "Joshua", "Michelle", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa",
    "Timothy", "Deborah", "Ronald", "Stephanie", "Jason", "Rebecca", "Edward", "Sharon",
    "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Amy", "Gary", "Angela", "Nicholas",
    "Helen", "Eric", "Anna", "Jonathan", "Brenda", "Stephen", "Pamela", "Larry", "Emma",
    "Justin", "Nicole", "Scott", "Samantha", "Priya", "Wei", "Carlos", "Fatima", "Luis", "Mei",
    "Ahmed", "Sofia", "Hiroshi", "Aisha", "Diego", "Olga", "Kwame", "Ingrid",
)
# fmt: on
# fmt: off
_LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kowalski", "Nakamura", "Okafor", "Lindqvist", "Patel", "Chen", "Novak",
    "Haddad", "Schmidt", "Rossi", "Mensah", "Kim",
)
# fmt: on


def default_data_dir() -> Path | None:
    """$TALENT_REFERENCE_DATA, else `<repo root>/../shared/data` if it exists, else None."""
    configured = os.environ.get("TALENT_REFERENCE_DATA")
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parents[5]
    candidate = repo_root.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@dataclass(frozen=True)
class OccupationalOrg:
    """A generated organisation: what an HRIS and LMS would export (`rows`, every value a
    string as in a CSV) and what only the generator knows (the truth)."""

    as_of: dt.date
    rows: dict[str, list[dict[str, str]]]
    withheld_assessments: list[dict[str, str]]
    true_levels: dict[tuple[str, str], float]
    """(employee id, competency code) -> true level on 1-5, every active employee."""
    requirements: dict[str, dict[str, tuple[int, int]]]
    """job profile code -> competency code -> (required level, importance)."""
    current_profiles: dict[str, str]
    """active employee id -> current job profile code."""
    course_skills: dict[str, dict[str, int]]
    """course code -> competency code -> level taught."""
    completed_courses: dict[str, frozenset[str]]
    """employee id -> courses completed at least once."""
    key_roles: dict[str, tuple[str, str | None]]
    """key role code -> (job profile code, incumbent id or None when vacant)."""
    _fit_cache: dict[str, dict[str, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )


# --- O*NET ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Skill:
    element_id: str
    code: str
    name: str
    description: str
    tier: str


@dataclass(frozen=True)
class _Onet:
    skills: list[_Skill]
    titles: dict[str, str]
    demand: dict[str, Vector]
    """occupation -> mapped level (1-5, continuous) of every skill."""
    importance: dict[str, Vector]
    required: dict[str, npt.NDArray[np.bool_]]
    anchors: dict[str, list[tuple[float, str]]]


def _competency_code(element_id: str) -> str:
    return "ONET-" + element_id.replace(".", "").upper()


def _tier(element_id: str) -> str:
    if element_id.startswith("2.A."):
        return "core"
    if element_id.startswith(("2.B.4.", "2.B.5.")):
        return "leadership"
    return "functional"


def _map_level(onet_level: Vector | float) -> Vector:
    return np.clip(np.asarray(onet_level, dtype=np.float64) - 0.5, 1.0, 5.0)


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _load_onet(data_dir: Path) -> _Onet:
    onet_dir = data_dir / "onet-23"
    descriptions = {
        row["Element ID"]: row["Description"]
        for row in _read_tsv(onet_dir / "Content_Model_Reference.tsv")
    }
    ratings = _read_tsv(onet_dir / "Skills.tsv")
    names: dict[str, str] = {}
    titles: dict[str, str] = {}
    for row in ratings:
        names.setdefault(row["Element ID"], row["Element Name"])
        titles.setdefault(row["O*NET-SOC Code"], row["Title"])
    element_ids = sorted(names, key=lambda e: [int(p) if p.isdigit() else p for p in e.split(".")])
    column = {element_id: i for i, element_id in enumerate(element_ids)}
    skills = [
        _Skill(e, _competency_code(e), names[e], descriptions.get(e, names[e]), _tier(e))
        for e in element_ids
    ]
    count = len(element_ids)
    level = {soc: np.zeros(count) for soc in titles}
    importance = {soc: np.ones(count) for soc in titles}
    flagged = {soc: np.zeros(count, dtype=np.bool_) for soc in titles}
    for row in ratings:
        soc, i = row["O*NET-SOC Code"], column[row["Element ID"]]
        value = float(row["Data Value"])
        if row["Scale ID"] == "LV":
            level[soc][i] = value
        elif row["Scale ID"] == "IM":
            importance[soc][i] = value
        if row["Not Relevant"] == "Y" or row["Recommend Suppress"] == "Y":
            flagged[soc][i] = True
    anchors: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for row in _read_tsv(onet_dir / "Level_Scale_Anchors.tsv"):
        if row["Element ID"] in column and row["Scale ID"] == "LV":
            anchors[row["Element ID"]].append(
                (float(row["Anchor Value"]), row["Anchor Description"])
            )
    return _Onet(
        skills=skills,
        titles=titles,
        demand={soc: _map_level(values) for soc, values in level.items()},
        importance=importance,
        required={soc: (importance[soc] >= 3.0) & ~flagged[soc] for soc in titles},
        anchors=dict(anchors),
    )


def _skill_correlation(onet: _Onet) -> Vector:
    """Correlation of skills across O*NET occupations: skills demanded together (the
    technical cluster, the social cluster) also tend to be strong together in people."""
    matrix = np.array([onet.demand[soc] for soc in sorted(onet.demand)])
    correlation: Vector = np.corrcoef(matrix.T)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    factor: Vector = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    return factor


def _short_title(title: str) -> str:
    return title.split(",")[0].strip()


# --- the generator ---------------------------------------------------------------------


@dataclass
class _Person:
    group: str | None
    """SOC major group worked in or headed; None for the CEO and division heads."""
    occupation: str
    org_unit: str
    location: str
    manager: int | None
    role: str
    """ceo, division, department, section, lead or member."""
    leaver: bool = False
    hire: dt.date = DEFAULT_AS_OF
    end: dt.date | None = None
    history: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)


@dataclass
class _Profiles:
    codes: dict[str, str]
    """occupation -> job profile code."""
    levels: dict[str, int]
    families: dict[str, list[str]]
    """family major group -> member occupations (not supervisors)."""
    supervisors: dict[str, str]
    heads: dict[str, str]


def _profile_code(soc: str) -> str:
    return "JP-" + soc.replace(".", "-")


def _choose_profiles(onet: _Onet, job_profiles: int, rng: Rng) -> _Profiles:
    weighted_level = {
        soc: float(np.average(onet.demand[soc], weights=onet.importance[soc]))
        for soc in onet.titles
    }
    non_management = sorted(w for soc, w in weighted_level.items() if not soc.startswith("11-"))
    quintiles = np.quantile(non_management, [0.2, 0.4, 0.6, 0.8])

    fixed = {_CEO_OCCUPATION, _DIVISION_HEAD_OCCUPATION}
    fixed.update(spec[6] for spec in _FAMILIES.values())
    fixed.update(spec[5] for spec in _FAMILIES.values() if spec[5] is not None)
    missing = sorted(soc for soc in fixed if soc not in onet.titles)
    if missing:
        raise ValueError(f"O*NET data lacks occupations {missing}")
    to_sample = job_profiles - len(fixed)
    if to_sample < 2 * len(_FAMILIES):
        raise ValueError(f"job_profiles must be at least {len(fixed) + 2 * len(_FAMILIES)}")

    shares = np.array([spec[3] for spec in _FAMILIES.values()])
    counts = np.maximum(2, np.floor(shares / shares.sum() * to_sample)).astype(int)
    for i in np.argsort(-shares)[: max(0, to_sample - int(counts.sum()))]:
        counts[i] += 1
    families: dict[str, list[str]] = {}
    for (group, spec), count in zip(_FAMILIES.items(), counts, strict=True):
        pool = sorted(
            soc
            for soc in onet.titles
            if soc.startswith(spec[4]) and soc not in fixed and "Supervisor" not in onet.titles[soc]
        )
        picked = rng.choice(len(pool), size=min(int(count), len(pool)), replace=False)
        families[group] = sorted(pool[int(i)] for i in picked)

    chosen = sorted(fixed | {soc for members in families.values() for soc in members})
    levels: dict[str, int] = {}
    for soc in chosen:
        if soc.startswith("11-1"):
            levels[soc] = 7
        elif soc.startswith("11-"):
            levels[soc] = 6
        else:
            levels[soc] = 1 + int(np.searchsorted(quintiles, weighted_level[soc]))
    return _Profiles(
        codes={soc: _profile_code(soc) for soc in chosen},
        levels=levels,
        families=families,
        supervisors={g: spec[5] for g, spec in _FAMILIES.items() if spec[5] is not None},
        heads={g: spec[6] for g, spec in _FAMILIES.items()},
    )


def _build_people(
    profiles: _Profiles, onet: _Onet, active: int, leavers: int, rng: Rng
) -> list[_Person]:
    people: list[_Person] = [_Person(None, _CEO_OCCUPATION, COMPANY, "Chicago", None, "ceo")]
    divisions: dict[str, int] = {}
    for spec in _FAMILIES.values():
        division = spec[2]
        if division not in divisions:
            divisions[division] = len(people)
            people.append(
                _Person(
                    None,
                    _DIVISION_HEAD_OCCUPATION,
                    f"{COMPANY} / {division}",
                    _DIVISION_LOCATIONS[division][0],
                    0,
                    "division",
                )
            )
    departments = len(_FAMILIES)
    staff = active - len(people) - departments
    shares = np.array([spec[3] for spec in _FAMILIES.values()])
    headcounts = np.floor(shares / shares.sum() * staff).astype(int)
    headcounts[int(np.argmax(shares))] += staff - int(headcounts.sum())

    leads_by_family: dict[str, list[int]] = {}
    for (group, spec), headcount in zip(_FAMILIES.items(), headcounts, strict=True):
        _, department, division, _, _, supervisor, head = spec
        unit = f"{COMPANY} / {division} / {department}"
        locations = _DIVISION_LOCATIONS[division]
        head_index = len(people)
        people.append(_Person(group, head, unit, locations[0], divisions[division], "department"))
        members = profiles.families[group]
        member_levels = np.array([profiles.levels[soc] for soc in members], dtype=float)
        pyramid = (7.0 - member_levels) / (7.0 - member_levels).sum()
        senior = members[int(np.argmax(member_levels))]
        lead_occupation = supervisor or senior
        teams = max(1, round(int(headcount) / _TEAM_SIZE))
        sections = math.ceil(teams / _TEAMS_PER_SECTION) if teams > _TEAMS_PER_SECTION else 0
        contributors = int(headcount) - teams - sections
        sizes = rng.multinomial(contributors, np.full(teams, 1.0 / teams))
        section_heads: list[int] = []
        for s in range(sections):
            section_heads.append(len(people))
            people.append(
                _Person(
                    group,
                    head,
                    f"{unit} / Section {chr(65 + s)}",
                    locations[s % len(locations)],
                    head_index,
                    "section",
                )
            )
        team_names: defaultdict[str, int] = defaultdict(int)
        leads_by_family[group] = []
        for t in range(teams):
            main = members[int(rng.choice(len(members), p=pyramid))]
            short = _short_title(onet.titles[main])
            team_names[short] += 1
            team_name = f"{short} team {team_names[short]}"
            if sections:
                section = t % sections
                team_unit = f"{unit} / Section {chr(65 + section)} / {team_name}"
                manager = section_heads[section]
                location = people[manager].location
            else:
                team_unit, manager = f"{unit} / {team_name}", head_index
                location = locations[int(rng.integers(len(locations)))]
            lead = len(people)
            leads_by_family[group].append(lead)
            people.append(_Person(group, lead_occupation, team_unit, location, manager, "lead"))
            for _ in range(int(sizes[t])):
                if rng.random() < 0.7:
                    occupation = main
                else:
                    occupation = members[int(rng.choice(len(members), p=pyramid))]
                member_location = location if rng.random() < 0.9 else locations[0]
                people.append(
                    _Person(group, occupation, team_unit, member_location, lead, "member")
                )

    family_groups = list(_FAMILIES)
    for _ in range(leavers):
        group = family_groups[int(rng.choice(len(family_groups), p=shares / shares.sum()))]
        lead = leads_by_family[group][int(rng.integers(len(leads_by_family[group])))]
        members = profiles.families[group]
        occupation = members[int(rng.integers(len(members)))]
        people.append(
            _Person(
                group,
                occupation,
                people[lead].org_unit,
                people[lead].location,
                lead,
                "member",
                leaver=True,
            )
        )
    return people


def _add_date(day: dt.date, years: float) -> dt.date:
    return day + dt.timedelta(days=round(years * 365.25))


def _random_day(start: dt.date, end: dt.date, rng: Rng) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=int(rng.integers(0, span + 1))) if span > 0 else start


def _earlier_occupation(later: str, group: str | None, profiles: _Profiles, rng: Rng) -> str:
    """The role held before `later`: executives came from heading a department, heads
    from their department's senior or supervisory role, others mostly from a lower-or-equal
    role in the same family."""
    level = profiles.levels[later]
    if level == 7:
        candidates = sorted({*profiles.heads.values()} - {_DIVISION_HEAD_OCCUPATION})
    elif level == 6:
        group = group or sorted(profiles.families)[int(rng.integers(len(profiles.families)))]
        members = profiles.families[group]
        candidates = [max(members, key=lambda soc: profiles.levels[soc])]
        if group in profiles.supervisors:
            candidates.append(profiles.supervisors[group])
    else:
        group = later[:2]
        same_family = rng.random() < 0.75
        pool = (
            profiles.families[group]
            if same_family
            else [soc for members in profiles.families.values() for soc in members]
        )
        candidates = [soc for soc in pool if soc != later and profiles.levels[soc] <= level]
        if not candidates:
            candidates = [soc for soc in profiles.families[group] if soc != later]
    if not candidates:
        return later
    return candidates[int(rng.integers(len(candidates)))]


def _assign_careers(people: list[_Person], profiles: _Profiles, as_of: dt.date, rng: Rng) -> None:
    for person in people:
        if person.leaver:
            person.end = _random_day(_add_date(as_of, -4.0), as_of - dt.timedelta(days=1), rng)
        last_day = person.end or as_of
        if person.role in ("member", "lead"):
            tenure = 0.1 - 4.0 * math.log(1.0 - float(rng.random()) * _LONGEST_TENURE_SHARE)
            if person.role == "lead":
                tenure = max(tenure, 2.0 + float(rng.uniform(0, 4)))
        else:
            tenure = float(rng.uniform(3.0, 10.5))
        person.hire = _add_date(last_day, -tenure)
        earlier = 0 if tenure < 1.5 else min(3, int(rng.poisson(tenure / 3.5)))
        if person.role in ("department", "section", "ceo", "division"):
            earlier = max(earlier, 1)
        shares = rng.dirichlet(np.full(earlier + 1, 2.0))
        occupations = [person.occupation]
        for _ in range(earlier):
            occupations.append(_earlier_occupation(occupations[-1], person.group, profiles, rng))
        occupations.reverse()
        start = person.hire
        history: list[tuple[str, dt.date, dt.date | None]] = []
        for i, (occupation, share) in enumerate(zip(occupations, shares, strict=True)):
            if i == len(occupations) - 1:
                history.append((occupation, start, person.end))
                break
            end = max(start + dt.timedelta(days=60), _add_date(start, tenure * float(share)))
            end = min(end, last_day - dt.timedelta(days=30 * (len(occupations) - i - 1)))
            if end <= start:
                continue
            history.append((occupation, start, end))
            start = end + dt.timedelta(days=1)
        person.history = history


def _years(start: dt.date, end: dt.date) -> float:
    return max(0.0, (end - start).days / 365.25)


def _true_levels(
    people: list[_Person], onet: _Onet, factor: Vector, as_of: dt.date, rng: Rng
) -> tuple[Vector, Vector]:
    """Per person (rows) and skill (columns): the true level before optional courses, and
    general ability per person."""
    skills = len(onet.skills)
    ability = rng.standard_normal(len(people))
    correlated = rng.standard_normal((len(people), skills)) @ factor.T
    independent = rng.standard_normal((len(people), skills))
    outlier = rng.choice([-0.7, 0.0, 0.7], size=len(people), p=[0.08, 0.84, 0.08])
    levels = np.empty((len(people), skills))
    for i, person in enumerate(people):
        day = person.end or as_of
        current, start, _ = person.history[-1]
        relevance = np.where(onet.required[current], 1.0, 0.3)
        base = onet.demand[current] - 0.45 * np.exp(-_years(start, day) / 1.5) * relevance
        for occupation, _, ended in person.history[:-1]:
            decay = 0.15 + 0.04 * _years(ended or day, day)
            base = np.maximum(base, onet.demand[occupation] - decay)
        deviation = 0.30 * ability[i] + 0.35 * correlated[i] + 0.25 * independent[i] + outlier[i]
        levels[i] = np.clip(base + deviation, 1.0, 5.0)
    return levels, ability


@dataclass(frozen=True)
class _Course:
    code: str
    title: str
    modality: str
    mandatory: bool
    recertify_months: int | None
    skills: tuple[tuple[int, int], ...]
    """(skill column, level taught)."""


def _make_courses(
    onet: _Onet, profiles: _Profiles, factor: Vector, courses: int, rng: Rng
) -> tuple[list[_Course], list[dict[str, str]], list[dict[str, str]]]:
    column = {skill.element_id: i for i, skill in enumerate(onet.skills)}
    mandatory_count = min(len(_MANDATORY_COURSES), max(1, courses // 100))
    catalogue: list[_Course] = []
    course_rows: list[dict[str, str]] = []
    skill_rows: list[dict[str, str]] = []

    def add(course: _Course, description: str, hours: int) -> None:
        catalogue.append(course)
        course_rows.append(
            {
                "code": course.code,
                "title": course.title,
                "description": description,
                "duration_hours": str(hours),
                "modality": course.modality,
                "mandatory": "true" if course.mandatory else "false",
                "recertify_months": ""
                if course.recertify_months is None
                else str(course.recertify_months),
            }
        )
        for skill, level in course.skills:
            skill_rows.append(
                {
                    "course_code": course.code,
                    "competency_code": onet.skills[skill].code,
                    "level": str(level),
                }
            )

    for title, recertify, compliance_skills in _MANDATORY_COURSES[:mandatory_count]:
        code = f"CRS-{len(catalogue) + 1:04d}"
        columns = tuple((column[element_id], level) for element_id, level in compliance_skills)
        add(
            _Course(code, title, "e-learning", True, recertify, columns),
            f"Mandatory compliance training: {title.lower()}.",
            1,
        )

    demand_weight = 1.0 + np.sum([onet.required[soc] for soc in profiles.codes], axis=0)
    demand_weight = demand_weight / demand_weight.sum()
    correlation = factor @ factor.T
    titles_seen: set[str] = set()
    while len(catalogue) < courses:
        primary = int(rng.choice(len(onet.skills), p=demand_weight))
        level = 1 + int(rng.choice(5, p=_COURSE_LEVEL_SHARES))
        taught = [(primary, level)]
        if rng.random() < 0.4:
            neighbours = [int(j) for j in np.argsort(-correlation[primary]) if j != primary][:5]
            secondary = neighbours[int(rng.integers(len(neighbours)))]
            taught.append((secondary, max(1, level - int(rng.integers(0, 2)))))
        phrases = _LEVEL_PHRASES[level]
        subject = " and ".join(onet.skills[s].name for s, _ in taught)
        title = f"{subject}: {phrases[int(rng.integers(len(phrases)))]}"
        suffix = 2
        base_title = title
        while title in titles_seen:
            title, suffix = f"{base_title} (part {suffix})", suffix + 1
        titles_seen.add(title)
        if level >= 5:
            modality = str(rng.choice(["external", "classroom", "blended"], p=[0.5, 0.3, 0.2]))
        elif level <= 2:
            modality = str(rng.choice(["e-learning", "virtual", "blended"], p=[0.6, 0.25, 0.15]))
        else:
            modality = str(
                rng.choice(
                    ["e-learning", "virtual", "classroom", "blended", "external"],
                    p=[0.25, 0.25, 0.25, 0.15, 0.10],
                )
            )
        low, high = _MODALITY_HOURS[modality]
        skill = onet.skills[primary]
        onet_level = level + 0.5
        anchors = onet.anchors.get(skill.element_id, [])
        outcome = (
            min(anchors, key=lambda a: abs(a[0] - onet_level))[1] if anchors else skill.description
        )
        description = (
            f"{skill.description} Builds this to level {level} of 5, the level of tasks "
            f"such as: {outcome[0].lower()}{outcome[1:]}."
        )
        add(
            _Course(f"CRS-{len(catalogue) + 1:04d}", title, modality, False, None, tuple(taught)),
            description,
            int(rng.integers(low, high + 1)),
        )
    return catalogue, course_rows, skill_rows


def _occupation_on(person: _Person, day: dt.date) -> str:
    for occupation, start, end in person.history:
        if start <= day and (end is None or day <= end):
            return occupation
    return person.history[-1][0]


def _completions(
    people: list[_Person],
    ids: list[str],
    catalogue: list[_Course],
    onet: _Onet,
    levels: Vector,
    ability: Vector,
    as_of: dt.date,
    rng: Rng,
) -> tuple[list[dict[str, str]], Vector]:
    """Completion rows, and true levels after the optional courses people took."""
    lms_start = _add_date(as_of, -6.0)
    optional = [course for course in catalogue if not course.mandatory]
    teach = np.zeros((len(optional), len(onet.skills)))
    for c, course in enumerate(optional):
        for skill, level in course.skills:
            teach[c, skill] = level
    taught_mask = teach > 0
    team_favourites: dict[str, npt.NDArray[np.int64]] = {}
    rows: list[dict[str, str]] = []
    final = levels.copy()
    for i, person in enumerate(people):
        last_day = person.end or as_of
        first_day = max(person.hire, lms_start)
        for course in catalogue:
            if not course.mandatory:
                continue
            day = max(person.hire, lms_start) + dt.timedelta(days=int(rng.integers(3, 30)))
            while day <= last_day:
                if rng.random() > 0.03:
                    quiz_score = 85.0 + 4.0 * ability[i] + rng.normal(0.0, 7.0)
                    rows.append(_completion(ids[i], course.code, day, quiz_score))
                if course.recertify_months is None:
                    break
                months = course.recertify_months + int(rng.integers(-1, 2))
                day += dt.timedelta(days=round(months * 30.44))

        if first_day >= last_day:
            continue
        years = _years(first_day, last_day)
        engagement = float(rng.gamma(2.0, 0.6)) * math.exp(0.2 * ability[i])
        taken = int(rng.poisson(engagement * years))
        if not taken:
            continue
        pre = levels[i]
        if person.org_unit not in team_favourites:
            team_occupation = _occupation_on(person, last_day)
            appeal = (
                teach * onet.required[team_occupation] * onet.importance[team_occupation]
            ).sum(axis=1) + 0.1
            team_favourites[person.org_unit] = rng.choice(
                len(optional), size=8, replace=False, p=appeal / appeal.sum()
            )
        done: set[int] = set()
        gain = np.zeros(len(onet.skills))
        for _ in range(taken):
            day = _random_day(first_day, last_day, rng)
            occupation = _occupation_on(person, day)
            reason = rng.random()
            if reason < 0.40:
                fit = np.exp(-np.abs(teach - onet.demand[occupation] - 0.3)) * taught_mask
                weights = (fit * onet.required[occupation] * onet.importance[occupation]).sum(1)
            elif reason < 0.65:
                stretch = teach - pre
                appeal = np.exp(-((stretch - 0.8) ** 2)) * (onet.demand[occupation] - pre + 1.0)
                weights = (np.clip(appeal, 0.0, None) * taught_mask).sum(axis=1)
            elif reason < 0.85:
                weights = np.zeros(len(optional))
                weights[team_favourites[person.org_unit]] = 1.0
            else:
                weights = np.ones(len(optional))
            weights = weights + 1e-9
            weights[list(done)] = 0.0
            if weights.sum() <= 0:
                break
            c = int(rng.choice(len(optional), p=weights / weights.sum()))
            done.add(c)
            course = optional[c]
            shortfalls = [level - pre[skill] for skill, level in course.skills]
            for (skill, _), shortfall in zip(course.skills, shortfalls, strict=True):
                gain[skill] += 0.25 * max(0.0, shortfall)
            score: float | None = 72.0 - 12.0 * float(np.mean(shortfalls)) + rng.normal(0, 8)
            if course.modality in ("classroom", "external") and rng.random() < 0.6:
                score = None
            rows.append(_completion(ids[i], course.code, day, score))
        final[i] = np.clip(pre + np.minimum(gain, 0.6), 1.0, 5.0)
    return rows, final


def _completion(employee_id: str, course: str, day: dt.date, score: float | None) -> dict[str, str]:
    return {
        "employee_id": employee_id,
        "course_code": course,
        "completed_on": day.isoformat(),
        "score": "" if score is None else str(int(np.clip(round(score), 0, 100))),
    }


def _level_on(person: _Person, level: Vector, onet: _Onet, day: dt.date, as_of: dt.date) -> Vector:
    current, start, _ = person.history[-1]
    last_day = person.end or as_of
    grown = 0.1 * max(0.0, _years(max(day, start), last_day)) * onet.required[current]
    return np.clip(level - grown, 1.0, 5.0)


def _assessments(
    people: list[_Person],
    ids: list[str],
    onet: _Onet,
    levels: Vector,
    as_of: dt.date,
    rng: Rng,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Visible assessment rows and the withheld most recent formal sessions."""
    window_start = _add_date(as_of, -3.0)
    visible: list[dict[str, str]] = []
    withheld: list[dict[str, str]] = []
    all_skills = np.arange(len(onet.skills))

    def pick(occupation: str, low: int, high: int) -> list[int]:
        required = np.flatnonzero(onet.required[occupation])
        pool = required if len(required) >= low else all_skills
        weights = onet.importance[occupation][pool]
        size = min(len(pool), int(rng.integers(low, high + 1)))
        chosen = rng.choice(pool, size=size, replace=False, p=weights / weights.sum())
        return sorted(int(s) for s in chosen)

    def row(i: int, skill: int, value: float, day: dt.date, source: str) -> dict[str, str]:
        return {
            "employee_id": ids[i],
            "competency_code": onet.skills[skill].code,
            "level": str(int(np.clip(round(value), 1, 5))),
            "assessed_on": day.isoformat(),
            "source": source,
        }

    for i, person in enumerate(people):
        if rng.random() < 0.15:
            continue
        first_day = max(window_start, person.hire + dt.timedelta(days=90))
        last_day = person.end or as_of
        if first_day > last_day:
            continue
        self_bias = rng.normal(0.45, 0.25)
        halo = rng.normal(0.0, 0.2)
        for year in range(window_start.year, as_of.year + 1):
            review = dt.date(year, 1, 15) + dt.timedelta(days=int(rng.integers(0, 45)))
            if not first_day <= review <= last_day or rng.random() > 0.75:
                continue
            occupation = _occupation_on(person, review)
            level = _level_on(person, levels[i], onet, review, as_of)
            expected = onet.demand[occupation]
            skills = pick(occupation, 3, 7)
            if rng.random() < 0.2:
                skills = sorted({*skills, int(rng.integers(len(onet.skills)))})
            self_day = review - dt.timedelta(days=int(rng.integers(1, 10)))
            for s in skills:
                self_rating = level[s] + self_bias + rng.normal(0.0, 0.6)
                visible.append(row(i, s, self_rating, max(self_day, first_day), "self"))
                manager_rating = (
                    0.8 * level[s] + 0.2 * expected[s] + 0.2 + halo + rng.normal(0.0, 0.45)
                )
                visible.append(row(i, s, manager_rating, review, "manager"))
            if rng.random() < 0.2:
                peer_day = _random_day(dt.date(year, 3, 1), dt.date(year, 11, 30), rng)
                if first_day <= peer_day <= last_day:
                    peer_level = _level_on(person, levels[i], onet, peer_day, as_of)
                    for s in pick(_occupation_on(person, peer_day), 2, 4):
                        peer_rating = peer_level[s] + 0.1 + rng.normal(0.0, 0.75)
                        visible.append(row(i, s, peer_rating, peer_day, "peer"))
        if rng.random() < 0.35:
            sessions = 1 if rng.random() < 0.7 else 2
            days = sorted({_random_day(first_day, last_day, rng) for _ in range(sessions)})
            hold_back = (
                person.end is None
                and days[-1] >= as_of - dt.timedelta(days=365)
                and rng.random() < 0.5
            )
            for d, day in enumerate(days):
                level = _level_on(person, levels[i], onet, day, as_of)
                target = withheld if hold_back and d == len(days) - 1 else visible
                for s in pick(_occupation_on(person, day), 3, 6):
                    target.append(row(i, s, level[s] + rng.normal(0.0, 0.3), day, "assessment"))
    return visible, withheld


def _requirements(
    onet: _Onet, profiles: _Profiles
) -> tuple[dict[str, dict[str, tuple[int, int]]], list[dict[str, str]]]:
    requirements: dict[str, dict[str, tuple[int, int]]] = {}
    rows: list[dict[str, str]] = []
    for soc, code in profiles.codes.items():
        needs: dict[str, tuple[int, int]] = {}
        for s, skill in enumerate(onet.skills):
            if not onet.required[soc][s]:
                continue
            required = min(5, max(1, _round_half_up(float(onet.demand[soc][s]))))
            importance = min(5, max(1, _round_half_up(float(onet.importance[soc][s]))))
            needs[skill.code] = (required, importance)
            rows.append(
                {
                    "job_profile_code": code,
                    "competency_code": skill.code,
                    "required_level": str(required),
                    "importance": str(importance),
                }
            )
        requirements[code] = needs
    return requirements, rows


def _fit(levels: dict[str, float], needs: dict[str, tuple[int, int]]) -> float:
    if not needs:
        return 1.0
    total = shortfall = surplus = 0.0
    for competency, (required, importance) in needs.items():
        level = levels[competency]
        total += importance
        shortfall += importance * max(0.0, required - level)
        surplus += importance * max(0.0, level - required)
    return 1.0 - shortfall / total / 4.0 + 0.05 * surplus / total


def _ratings(
    people: list[_Person],
    ids: list[str],
    onet: _Onet,
    profiles: _Profiles,
    requirements: dict[str, dict[str, tuple[int, int]]],
    levels: Vector,
    ability: Vector,
    as_of: dt.date,
    rng: Rng,
) -> tuple[list[dict[str, str]], dict[int, float]]:
    """Rating rows, and each person's latest rating latent (for potential)."""
    codes = [skill.code for skill in onet.skills]
    rows: list[dict[str, str]] = []
    latest: dict[int, float] = {}
    for year in range(as_of.year - 6, as_of.year):
        rated_on = dt.date(year + 1, 2, 1) + dt.timedelta(days=int(rng.integers(0, 45)))
        if rated_on > as_of:
            continue
        rated: list[int] = []
        fits: list[float] = []
        for i, person in enumerate(people):
            if person.hire > dt.date(year, 10, 1) or (person.end and person.end < rated_on):
                continue
            year_end = dt.date(year, 12, 31)
            level = _level_on(person, levels[i], onet, year_end, as_of)
            needs = requirements[profiles.codes[_occupation_on(person, year_end)]]
            rated.append(i)
            fits.append(_fit(dict(zip(codes, level.tolist(), strict=True)), needs))
        if not rated:
            continue
        fit = np.array(fits)
        standardised = (fit - fit.mean()) / (fit.std() or 1.0)
        latent = 0.5 * standardised + 0.3 * ability[rated] + rng.normal(0, 0.7, len(rated))
        cut = np.quantile(latent, np.cumsum([0.03, 0.12, 0.55, 0.23]))
        for i, value in zip(rated, latent, strict=True):
            latest[i] = float(value)
            rows.append(
                {
                    "employee_id": ids[i],
                    "cycle_code": f"FY{year}",
                    "overall_rating": str(1 + int(np.searchsorted(cut, value))),
                    "rated_on": rated_on.isoformat(),
                }
            )
    return rows, latest


def _potential(
    people: list[_Person],
    ids: list[str],
    profiles: _Profiles,
    ability: Vector,
    latest_rating: dict[int, float],
    as_of: dt.date,
    rng: Rng,
) -> list[dict[str, str]]:
    assessed: list[tuple[int, dt.date]] = []
    for i, person in enumerate(people):
        if person.end is not None:
            continue
        seniority = profiles.levels[person.occupation] / 7.0
        chance = 0.25 + 0.3 * seniority + (0.15 if _years(person.hire, as_of) >= 2 else -0.1)
        if rng.random() >= chance:
            continue
        for year in (as_of.year - 1, as_of.year):
            review = dt.date(year, 9, 1) + dt.timedelta(days=int(rng.integers(0, 40)))
            if person.hire + dt.timedelta(days=180) <= review <= as_of and (
                year == as_of.year or rng.random() < 0.4
            ):
                assessed.append((i, review))
    if not assessed:
        return []
    latent = np.array(
        [0.6 * ability[i] + 0.3 * latest_rating.get(i, 0.0) for i, _ in assessed]
    ) + rng.normal(0.0, 0.5, len(assessed))
    cut = np.quantile(latent, [0.35, 0.80])
    labels = ("low", "medium", "high")
    return [
        {
            "employee_id": ids[i],
            "potential": labels[int(np.searchsorted(cut, value))],
            "assessed_on": day.isoformat(),
        }
        for (i, day), value in zip(assessed, latent, strict=True)
    ]


def _key_roles(
    people: list[_Person],
    ids: list[str],
    onet: _Onet,
    profiles: _Profiles,
    count: int,
    rng: Rng,
) -> tuple[list[dict[str, str]], dict[str, tuple[str, str | None]]]:
    senior = sorted(soc for soc, level in profiles.levels.items() if level >= 5)
    leaders = [
        i
        for i, p in enumerate(people)
        if p.end is None and p.role in ("ceo", "division", "department", "section")
    ]
    specialists = [
        i
        for i, p in enumerate(people)
        if p.end is None and p.role in ("lead", "member") and profiles.levels[p.occupation] >= 5
    ]
    specialists = [specialists[int(j)] for j in rng.permutation(len(specialists))]
    vacant = max(1, round(0.1 * count)) if count else 0
    incumbents = (leaders + specialists)[: max(0, count - vacant)]
    rows: list[dict[str, str]] = []
    truth: dict[str, tuple[str, str | None]] = {}
    titles: set[str] = set()
    for k in range(count):
        code = f"KR-{k + 1:03d}"
        if k < len(incumbents):
            holder: int | None = incumbents[k]
            person = people[incumbents[k]]
            occupation, unit = person.occupation, person.org_unit
        else:
            holder = None
            occupation = senior[int(rng.integers(len(senior)))]
            units = sorted({p.org_unit for p in people if p.occupation == occupation})
            unit = units[int(rng.integers(len(units)))] if units else COMPANY
        title = f"{_short_title(onet.titles[occupation])}, {unit.split(' / ')[-1]}"
        suffix, base = 2, title
        while title in titles:
            title, suffix = f"{base} ({suffix})", suffix + 1
        titles.add(title)
        leads_people = holder is not None and people[holder].role != "member"
        shares = [0.4, 0.45, 0.15] if leads_people else [0.15, 0.45, 0.40]
        criticality = str(rng.choice(["high", "medium", "low"], p=shares))
        incumbent = ids[holder] if holder is not None else None
        rows.append(
            {
                "code": code,
                "title": title,
                "job_profile_code": profiles.codes[occupation],
                "incumbent_id": incumbent or "",
                "criticality": criticality,
            }
        )
        truth[code] = (profiles.codes[occupation], incumbent)
    return rows, truth


def _names(count: int, rng: Rng) -> list[tuple[str, str]]:
    emails: set[str] = set()
    result: list[tuple[str, str]] = []
    for _ in range(count):
        first = _FIRST_NAMES[int(rng.integers(len(_FIRST_NAMES)))]
        last = _LAST_NAMES[int(rng.integers(len(_LAST_NAMES)))]
        local, n = f"{first}.{last}".lower(), 1
        while f"{local}@{EMAIL_DOMAIN}" in emails:
            n += 1
            local = f"{first}.{last}{n}".lower()
        emails.add(f"{local}@{EMAIL_DOMAIN}")
        result.append((f"{first} {last}", f"{local}@{EMAIL_DOMAIN}"))
    return result


def generate(
    data_dir: Path,
    *,
    employees: int = 3000,
    courses: int = 600,
    key_roles: int = 60,
    job_profiles: int = 60,
    seed: int = 0,
    as_of: dt.date = DEFAULT_AS_OF,
) -> OccupationalOrg:
    """Generate the organisation from the O*NET files under `data_dir` (see the module
    docstring for every assumption). Deterministic for a seed."""
    if employees < 200:
        raise ValueError("employees must be at least 200 for the organisation's structure")
    rng = np.random.default_rng(seed)
    onet = _load_onet(data_dir)
    factor = _skill_correlation(onet)
    profiles = _choose_profiles(onet, job_profiles, rng)
    leavers = round(0.05 * employees)
    people = _build_people(profiles, onet, employees - leavers, leavers, rng)
    _assign_careers(people, profiles, as_of, rng)

    order = sorted(range(len(people)), key=lambda i: (people[i].hire, i))
    people = [people[i] for i in order]
    position = {old: new for new, old in enumerate(order)}
    for person in people:
        if person.manager is not None:
            person.manager = position[person.manager]
    ids = [f"E{i + 1:06d}" for i in range(len(people))]

    pre_course, ability = _true_levels(people, onet, factor, as_of, rng)
    catalogue, course_rows, course_skill_rows = _make_courses(onet, profiles, factor, courses, rng)
    completion_rows, levels = _completions(
        people, ids, catalogue, onet, pre_course, ability, as_of, rng
    )
    visible, withheld = _assessments(people, ids, onet, levels, as_of, rng)
    requirements, requirement_rows = _requirements(onet, profiles)
    rating_rows, latest_rating = _ratings(
        people, ids, onet, profiles, requirements, levels, ability, as_of, rng
    )
    potential_rows = _potential(people, ids, profiles, ability, latest_rating, as_of, rng)
    key_role_rows, key_role_truth = _key_roles(people, ids, onet, profiles, key_roles, rng)

    employee_rows: list[dict[str, str]] = []
    history_rows: list[dict[str, str]] = []
    for employee_id, person, (name, email) in zip(
        ids, people, _names(len(people), rng), strict=True
    ):
        employee_rows.append(
            {
                "employee_id": employee_id,
                "name": name,
                "email": email,
                "hire_date": person.hire.isoformat(),
                "job_profile_code": profiles.codes[person.occupation],
                "org_unit": person.org_unit,
                "location": person.location,
                "manager_id": "" if person.manager is None else ids[person.manager],
                "status": "active" if person.end is None else "terminated",
            }
        )
        for occupation, start, end in person.history:
            history_rows.append(
                {
                    "employee_id": employee_id,
                    "job_profile_code": profiles.codes[occupation],
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else "",
                }
            )

    competency_codes = [skill.code for skill in onet.skills]
    true_levels = {
        (ids[i], code): float(value)
        for i, person in enumerate(people)
        if person.end is None
        for code, value in zip(competency_codes, levels[i], strict=True)
    }
    course_skills: dict[str, dict[str, int]] = defaultdict(dict)
    for course_skill in course_skill_rows:
        course_skills[course_skill["course_code"]][course_skill["competency_code"]] = int(
            course_skill["level"]
        )
    completed: dict[str, set[str]] = defaultdict(set)
    for completion in completion_rows:
        completed[completion["employee_id"]].add(completion["course_code"])

    rows: dict[str, list[dict[str, str]]] = {
        "competencies": [
            {"code": s.code, "name": s.name, "tier": s.tier, "description": s.description}
            for s in onet.skills
        ],
        "job-profiles": [
            {
                "code": code,
                "title": onet.titles[soc],
                "family": _MANAGEMENT_FAMILY if soc.startswith("11-") else _FAMILIES[soc[:2]][0],
                "level": str(profiles.levels[soc]),
            }
            for soc, code in profiles.codes.items()
        ],
        "job-profile-competencies": requirement_rows,
        "employees": employee_rows,
        "job-history": history_rows,
        "courses": course_rows,
        "course-skills": course_skill_rows,
        "completions": completion_rows,
        "assessments": visible,
        "ratings": rating_rows,
        "key-roles": key_role_rows,
        "potential": potential_rows,
    }
    return OccupationalOrg(
        as_of=as_of,
        rows=rows,
        withheld_assessments=withheld,
        true_levels=true_levels,
        requirements=requirements,
        current_profiles={
            ids[i]: profiles.codes[p.occupation] for i, p in enumerate(people) if p.end is None
        },
        course_skills=dict(course_skills),
        completed_courses={employee: frozenset(done) for employee, done in completed.items()},
        key_roles=key_role_truth,
    )


def write_csv(org: OccupationalOrg, out_dir: Path) -> list[Path]:
    """Write one `<kind>.csv` per kind, with the import contract's header."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, columns in COLUMNS.items():
        path = out_dir / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(org.rows[kind])
        written.append(path)
    return written


# --- ground truth ----------------------------------------------------------------------


def _levels_of(org: OccupationalOrg, employee_id: str) -> dict[str, float]:
    if employee_id not in org.current_profiles:
        raise KeyError(f"{employee_id} is not an active employee")
    return {
        code: org.true_levels[(employee_id, code)]
        for code in (row["code"] for row in org.rows["competencies"])
    }


def course_relevance(org: OccupationalOrg, employee_id: str) -> dict[str, float]:
    """Course code -> graded gain, for the courses relevant to the employee (module
    docstring: a real gap of at least 0.5 on a required competency, taught above the true
    level and at most one above the required level, not already completed)."""
    levels = _levels_of(org, employee_id)
    needs = org.requirements[org.current_profiles[employee_id]]
    done = org.completed_courses.get(employee_id, frozenset())
    relevance: dict[str, float] = {}
    for course, taught in org.course_skills.items():
        if course in done:
            continue
        gain = 0.0
        for competency, course_level in taught.items():
            if competency not in needs:
                continue
            required, importance = needs[competency]
            level = levels[competency]
            if required - level >= 0.5 and level < course_level <= required + 1:
                gain += importance * (min(course_level, required) - level)
        if gain > 0:
            relevance[course] = gain
    return relevance


def true_fit(org: OccupationalOrg, employee_id: str, job_profile_code: str) -> float:
    """1 - S/4 + 0.05 U: S the importance-weighted mean shortfall below the profile's
    required levels, U the importance-weighted mean surplus above them."""
    return _fit(_levels_of(org, employee_id), org.requirements[job_profile_code])


def best_fitting(org: OccupationalOrg, key_role_code: str, *, k: int = 10) -> list[str]:
    """The k active employees other than the key role's incumbent with the highest true
    fit to its job profile, best first (ties by employee id)."""
    profile, incumbent = org.key_roles[key_role_code]
    if profile not in org._fit_cache:
        org._fit_cache[profile] = {
            employee: true_fit(org, employee, profile) for employee in org.current_profiles
        }
    fits = org._fit_cache[profile]
    ranked = sorted((e for e in fits if e != incumbent), key=lambda e: (-fits[e], e))
    return ranked[:k]
