"""The demo organisation's people: one CEO, a VP per function, directors where a function
is large, first-line managers with teams of 4-10, and individual contributors."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field

from talent_cli.demo.catalogue import (
    EXECUTIVE_PROFILE,
    EXECUTIVE_UNIT,
    FIRST_NAMES,
    FUNCTIONS,
    LAST_NAMES,
    LOCATIONS,
    Function,
)

MAX_SPAN = 10
MIN_TEAM = 4
FOUNDED = dt.date(2008, 1, 7)
EMAIL_DOMAIN = "example.com"
TERMINATED_SHARE = 0.02
IC_LEVEL_WEIGHTS = (0.3, 0.4, 0.3)  # levels 1, 2, 3
# Who was promoted (see _promotion_chance): not pure chance, people with more drive were
# more likely to be.
PROMOTION_LOGIT = 0.5
PROMOTION_DRIVE = 1.5


@dataclass(frozen=True)
class EarlierJob:
    profile_code: str
    start: dt.date
    end: dt.date


@dataclass
class Person:
    number: str = ""
    name: str = ""
    email: str = ""
    hire_date: dt.date = FOUNDED
    function: Function | None = None
    level: int = 1
    org_unit: str = ""
    location: str = ""
    manager: Person | None = None
    status: str = "active"
    reports: list[Person] = field(default_factory=list)
    history: list[EarlierJob] = field(default_factory=list)
    drive: float = 0.0
    """A persistent individual trait (standard normal): people with more of it were more
    likely to be promoted, are rated higher and are more skilled (see `drive`)."""

    @property
    def profile_code(self) -> str:
        if self.function is None:
            return EXECUTIVE_PROFILE[0]
        return profile_code(self.function, self.level)

    @property
    def family_prefix(self) -> str:
        return self.function.prefix if self.function is not None else "EXE"


def profile_code(function: Function, level: int) -> str:
    return f"{function.prefix}-{level}"


def headcounts(total: int) -> list[int]:
    """People per function (VP included) for an organisation of `total` with one CEO:
    proportional to the functions' weights (largest remainder), at least one each."""
    rest = total - 1
    if rest <= 0:
        return []
    if rest < len(FUNCTIONS):
        return [1] * rest
    weight_sum = sum(f.weight for f in FUNCTIONS)
    spare = rest - len(FUNCTIONS)
    exact = [spare * f.weight / weight_sum for f in FUNCTIONS]
    counts = [1 + math.floor(x) for x in exact]
    by_remainder = sorted(range(len(FUNCTIONS)), key=lambda i: (-(exact[i] % 1), i))
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return counts


class OrganisationBuilder:
    def __init__(self, rng: random.Random, *, as_of: dt.date) -> None:
        self.rng = rng
        self.as_of = as_of
        self._team_names: dict[str, int] = {}

    def build(self, total: int) -> list[Person]:
        """Everyone, managers before their reports, numbered E000001 (the CEO) onwards."""
        if total < 1:
            raise ValueError("the organisation needs at least one employee")
        ceo = Person(level=6, org_unit=EXECUTIVE_UNIT, location=LOCATIONS[0])
        for function, count in zip(FUNCTIONS, headcounts(total), strict=False):
            vp = self._add(ceo, function=function, level=6, org_unit=function.name)
            self._staff(vp, count - 1, function)
        people = _breadth_first(ceo)
        width = max(6, len(str(len(people))))
        emails: set[str] = set()
        for index, person in enumerate(people, start=1):
            person.number = f"E{index:0{width}d}"
            person.name, person.email = self._name(emails)
            person.hire_date = self._hire_date(person)
            leaf = not person.reports and person.manager is not None
            if leaf and self.rng.random() < TERMINATED_SHARE:
                person.status = "terminated"
            person.drive = drive(person.number)
            person.history = self._history(person)
        return people

    # -- tree ---------------------------------------------------------------------------
    def _add(
        self,
        manager: Person,
        *,
        function: Function,
        level: int,
        org_unit: str,
        location: str | None = None,
    ) -> Person:
        if location is None or self.rng.random() < 0.2:
            location = self.rng.choice(LOCATIONS)
        person = Person(
            function=function, level=level, org_unit=org_unit, location=location, manager=manager
        )
        manager.reports.append(person)
        return person

    def _ic(self, manager: Person, function: Function, *, level: int | None = None) -> None:
        if level is None:
            level = self.rng.choices((1, 2, 3), weights=IC_LEVEL_WEIGHTS)[0]
        self._add(
            manager,
            function=function,
            level=level,
            org_unit=manager.org_unit,
            location=manager.location,
        )

    def _staff(self, leader: Person, below: int, function: Function) -> None:
        """Place `below` people under `leader` (all their descendants)."""
        if below <= MAX_SPAN:
            for _ in range(below):
                self._ic(leader, function)
            return
        if below <= MAX_SPAN * (MAX_SPAN + 1):
            self._teams(leader, below, function)
            return
        # Too many for one layer of managers: a layer of directors first.
        directors = min(MAX_SPAN, max(MIN_TEAM, math.ceil(below / 80)))
        for size in self._split(below - directors, directors):
            director = self._add(leader, function=function, level=5, org_unit=function.name)
            self._staff(director, size, function)

    def _teams(self, leader: Person, below: int, function: Function) -> None:
        """First-line managers with teams of 4-10, plus a few direct reports of the leader
        when that is needed to give the leader a span of at least four."""
        team = self.rng.randint(5, 9)
        managers = min(MAX_SPAN, max(math.ceil(below / (MAX_SPAN + 1)), round(below / (team + 1))))
        while True:
            direct = max(0, MIN_TEAM - managers)
            members = below - managers - direct
            if managers > 1 and members < MIN_TEAM * managers:
                managers -= 1
                continue
            break
        for _ in range(direct):
            self._ic(leader, function, level=3)
        for size in self._split(members, managers):
            manager = self._add(
                leader, function=function, level=4, org_unit=self._team_unit(function)
            )
            for _ in range(size):
                self._ic(manager, function)

    def _team_unit(self, function: Function) -> str:
        used = self._team_names.get(function.name, 0)
        self._team_names[function.name] = used + 1
        name = function.teams[used % len(function.teams)]
        round_ = used // len(function.teams)
        return f"{function.name} / {name}" + (f" {round_ + 1}" if round_ else "")

    def _split(self, total: int, parts: int) -> list[int]:
        """`total` in `parts` sizes that differ by at most one, in a random order."""
        base, extra = divmod(total, parts)
        sizes = [base + (1 if i < extra else 0) for i in range(parts)]
        self.rng.shuffle(sizes)
        return sizes

    # -- attributes ---------------------------------------------------------------------
    def _name(self, emails: set[str]) -> tuple[str, str]:
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        local = f"{_ascii(first)}.{_ascii(last)}"
        email = f"{local}@{EMAIL_DOMAIN}"
        suffix = 2
        while email in emails:
            email = f"{local}{suffix}@{EMAIL_DOMAIN}"
            suffix += 1
        emails.add(email)
        return f"{first} {last}", email

    def _hire_date(self, person: Person) -> dt.date:
        if person.manager is None:
            return FOUNDED
        years = self.rng.expovariate(1 / 3.5) + max(0, person.level - 3) * 1.5
        days = 30 + int(years * 365)
        return max(FOUNDED + dt.timedelta(days=1), self.as_of - dt.timedelta(days=days))

    def _history(self, person: Person) -> list[EarlierJob]:
        """Earlier job profiles of a person promoted since their hire (same family)."""
        if person.function is None or person.level < 2:
            return []
        tenure = (self.as_of - person.hire_date).days
        if tenure < 730 or self.rng.random() >= _promotion_chance(person.drive):
            return []
        steps = 2 if tenure >= 5 * 365 and person.level >= 3 and self.rng.random() < 0.4 else 1
        # Promotion dates: at least a year apart, the last at least six months ago.
        latest = tenure - 182
        cuts = sorted(self.rng.sample(range(365, latest), steps)) if latest > 365 + steps else []
        if len(cuts) < steps or (steps == 2 and cuts[1] - cuts[0] < 365):
            cuts = cuts[:1]
        if not cuts:
            return []
        history: list[EarlierJob] = []
        start = person.hire_date
        first_level = person.level - len(cuts)
        for offset, cut in enumerate(cuts):
            promoted = person.hire_date + dt.timedelta(days=cut)
            code = profile_code(person.function, first_level + offset)
            history.append(EarlierJob(code, start, promoted - dt.timedelta(days=1)))
            start = promoted
        return history


def drive(number: str) -> float:
    """The person's drive: fixed per employee number, from its own random stream so it
    leaves the organisation's other random choices as they were."""
    return random.Random(f"drive/{number}").gauss(0.0, 1.0)


def _promotion_chance(drive: float) -> float:
    """Chance that a tenured person was promoted since hire: 60% on average, more for
    people with more drive (logistic in drive)."""
    return 1.0 / (1.0 + math.exp(-(PROMOTION_LOGIT + PROMOTION_DRIVE * drive)))


def _breadth_first(root: Person) -> list[Person]:
    ordered: list[Person] = []
    queue = deque([root])
    while queue:
        person = queue.popleft()
        ordered.append(person)
        queue.extend(person.reports)
    return ordered


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())
