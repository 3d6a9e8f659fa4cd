"""Demo scenes: the freshly seeded demo organisation put to use, so a new `talent dev up`
shows the product at work and not only imported history.

Everything goes through the public GraphQL API behind the gateway, with the tokens of the
people who would do it: HR creates, launches and advances review cycles, runs and closes a
calibration, sets compliance rules and imports completions, nominates successors; employees
and managers write and submit their own reviews (each signed in at the local issuer). The
scenes, relative to today:

- performance: the annual cycle of five teams under the demo manager's own manager (the
  demo manager's among them), in its manager-review phase: self reviews were due two
  weeks ago, manager reviews are due in three days; most self reviews and part of the
  manager reviews are submitted (the demo manager is half way), so "who is behind" and
  the completion reports have real numbers. And a mid-year cycle of three of those
  teams, done: manager reviews submitted, a calibration session with adjusted ratings
  closed, the cycle released and closed.
- learning: three compliance rules (the code of conduct for everyone, safety training for
  the last year's hires, a course for the demo manager's team that started two months
  ago), so there are overdue assignments; completions imported as taken a year ago make
  certifications expire within the month (the demo employee's among them) and the code
  of conduct rule assigns their recertification.
- succession: slates for the VPs' key roles and several directors' (the demo manager's
  manager's among them), successors with readiness, some reassessed since their
  nomination.

Dates the API must accept in the past are its own inputs (deadlines, a rule's start,
nomination and assessment days) or imported completions; nothing is written to a
database directly. Every choice comes from random streams derived from the demo seed, so
the same seed gives the same scenes (dated from today). A mutation the API refuses raises
`SceneError` with its answer, which stops `talent dev up` like other bring-up failures.
Each scene first looks whether it is already there (the cycle, the rules, any slate) and
then leaves it alone, so running the scenes again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import httpx

from talent_platform.calendar import add_months

Say = Callable[[str], None]


class Accounts(Protocol):
    """Signing people in as plain employees (talent_cli.tokens.SignIns)."""

    def register(self, people: Mapping[str, str | None]) -> None:
        """Before any of them signs in: employee id -> name."""

    def token(self, employee_id: str) -> str: ...


WORKERS = 4
PAGE = 100

PHASES = (
    "GOAL_SETTING",
    "SELF_REVIEW",
    "PEER_FEEDBACK",
    "MANAGER_REVIEW",
    "CALIBRATION",
    "SIGN_OFF",
    "RELEASE",
)
# Phase deadlines in days from today: the annual cycle is in MANAGER_REVIEW (self reviews
# were due two weeks ago, manager reviews are due in three days); the mid-year one ran
# half a year ago.
ANNUAL_DEADLINES = (-35, -14, -7, 3, 14, 21, 28)
MID_YEAR_DEADLINES = (-200, -186, -179, -165, -151, -144, -137)
SELF_SUBMITTED = 0.7
# How far each manager of the group got with their manager reviews (weights).
MANAGER_PROGRESS = ("done", "half", "not started")
MANAGER_PROGRESS_WEIGHTS = (45, 30, 25)
MANAGER_RATING_WEIGHTS = (3, 12, 52, 24, 9)
SELF_RATING_WEIGHTS = (1, 5, 40, 40, 14)
ANNUAL_TEAMS = 5
MID_YEAR_TEAMS = 3
# Reviews a writer saves and submits per request (two mutation fields each).
REVIEWS_PER_REQUEST = 8
ADJUSTMENTS = (
    (1, "Led a cross-team initiative well beyond the role"),
    (1, "Results above peers in the same role all half-year"),
    (-1, "Missed the goals the team depended on"),
)
TARGET_DISTRIBUTION = ((1, 0.05), (2, 0.15), (3, 0.5), (4, 0.2), (5, 0.1))

CONDUCT_RULE = "CONDUCT-ANNUAL"
SAFETY_RULE = "SAFETY-NEW-HIRES"
CONDUCT_COURSE = "CMP-CONDUCT"
SAFETY_COURSE = "CMP-SAFETY"
# Courses for the team rule, in order of preference.
TEAM_COURSES = ("CMP-INFOSEC", "CMP-PRIVACY", "CMP-RESPECT", "CMP-BRIBERY")
EXPIRING_COURSES = ("CMP-CONDUCT", "CMP-INFOSEC")
EXPIRING_SHARE = 0.02
EXPIRING_DAYS = 30
LATE_COMPLETION_SHARE = 0.5

NUDGE_TEMPLATE = "MANAGER-REVIEW-NUDGE"
NOTIFIER_CATCH_UP_S = 60.0

VP_SUCCESSORS = 3
DIRECTOR_SUCCESSORS = 2
DIRECTOR_ROLES = 5
NOTES = (
    "Runs the largest team of the group; needs budget ownership",
    "Strong operator; stretch assignment across functions planned",
    "Ready for a broader scope after the current programme",
    "Needs exposure to executive stakeholders",
    "Deputises in the incumbent's absence",
)

SELF_COMMENTS = (
    "A hard year; I delivered less than I planned.",
    "Some goals slipped; I know what to change.",
    "I delivered my goals and helped the team with on-call and reviews.",
    "Delivered my goals early and took on mentoring two new colleagues.",
    "Led the main delivery of the year and set up practices others now use.",
)
MANAGER_COMMENTS = (
    "Below expectations in most goals; we agreed on an improvement plan.",
    "Partly met expectations; more consistency needed.",
    "Met expectations: reliable delivery and good collaboration.",
    "Exceeded expectations: took ownership beyond the role.",
    "Outstanding: led the team's most important results.",
)


class SceneError(RuntimeError):
    pass


# -- the gateway ----------------------------------------------------------------------


class Gateway:
    """POSTs GraphQL documents to the gateway with a bearer token."""

    def __init__(self, url: str, *, timeout: float = 150.0) -> None:
        self.url = url
        self.http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def query(
        self, token: str, document: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            response = self.http.post(
                self.url,
                json={"query": document, "variables": dict(variables or {})},
                headers={"authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            raise SceneError(f"the gateway at {self.url} did not answer: {exc}") from exc
        operation = _operation(document)
        try:
            body = response.json()
        except ValueError:
            raise SceneError(
                f"{operation}: HTTP {response.status_code} from the gateway: {response.text[:200]}"
            ) from None
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code", "")
            raise SceneError(f"{operation} was refused: {first.get('message')} {code}".strip())
        if response.status_code != 200 or not isinstance(body.get("data"), dict):
            raise SceneError(f"{operation}: HTTP {response.status_code} from the gateway")
        data: dict[str, Any] = body["data"]
        return data

    def mutate(
        self, token: str, document: str, variables: Mapping[str, Any], *, expect: str
    ) -> dict[str, Any]:
        """Run a mutation and return its payload; a typed error is a SceneError."""
        data = self.query(token, document, variables)
        [(name, payload)] = data.items()
        if payload.get("__typename") != expect:
            raise SceneError(_refusal(name, payload))
        result: dict[str, Any] = payload
        return result

    def mutate_all(
        self, token: str, document: str, variables: Mapping[str, Any], *, expect: str
    ) -> None:
        """Run a document of several mutation fields; any typed error is a SceneError."""
        for name, payload in self.query(token, document, variables).items():
            if payload.get("__typename") != expect:
                raise SceneError(_refusal(name, payload))

    def pages(
        self, token: str, document: str, variables: Mapping[str, Any], path: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Every node of a connection, page by page (`$after` in the document)."""
        nodes: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            found: Any = self.query(token, document, {**variables, "after": after})
            for key in path:
                found = found[key]
            nodes += found["nodes"]
            if not found["pageInfo"]["hasNextPage"]:
                return nodes
            after = found["pageInfo"]["endCursor"]


def _refusal(name: str, payload: Mapping[str, Any]) -> str:
    fields = "; ".join(f"{f['field']}: {f['message']}" for f in payload.get("fields") or [])
    return f"{name} was refused ({payload.get('__typename')}): {payload.get('message')}" + (
        f" ({fields})" if fields else ""
    )


def _operation(document: str) -> str:
    match = re.search(r"\{\s*(\w+)", document)
    return match.group(1) if match else "the request"


ERRORS = "... on Error { message } ... on ValidationError { fields { field message } }"

DIRECTORY = """query Directory($after: String) {
  employees(first: 100, after: $after, sort: EMPLOYEE_NUMBER) {
    pageInfo { hasNextPage endCursor }
    nodes { id employeeNumber name status hireDate location orgUnit { code }
            manager { id } }
  }
}"""
CYCLES = """query Cycles($after: String) { reviewCycles(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id code } } }"""
CREATE_CYCLE = f"""mutation CreateCycle($input: CreateReviewCycleInput!) {{
  createReviewCycle(input: $input) {{ __typename ... on ReviewCyclePayload {{ cycle {{ id }} }}
  {ERRORS} }} }}"""
LAUNCH = f"""mutation Launch($id: ID!) {{ launchReviewCycle(input: {{cycleId: $id}}) {{
  __typename ... on LaunchReviewCyclePayload {{ population }} {ERRORS} }} }}"""
ADVANCE = f"""mutation Advance($id: ID!, $phase: CyclePhase!) {{
  advanceCyclePhase(input: {{cycleId: $id, phase: $phase}}) {{
  __typename ... on ReviewCyclePayload {{ cycle {{ phase }} }} {ERRORS} }} }}"""
RELEASE = f"""mutation Release($id: ID!) {{ releaseReviewCycle(input: {{cycleId: $id}}) {{
  __typename ... on ReviewCyclePayload {{ cycle {{ releasedAt }} }} {ERRORS} }} }}"""
CLOSE_CYCLE = f"""mutation CloseCycle($id: ID!) {{ closeReviewCycle(input: {{cycleId: $id}}) {{
  __typename ... on ReviewCyclePayload {{ cycle {{ status }} }} {ERRORS} }} }}"""
REVIEWS = """query Reviews($cycle: ID!, $after: String) {
  reviews(cycleId: $cycle, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id kind status employee { id } reviewer { id } competencies { competencyCode } }
  }
}"""
CREATE_SESSION = f"""mutation CreateSession($input: CreateCalibrationSessionInput!) {{
  createCalibrationSession(input: $input) {{
  __typename ... on CalibrationSessionPayload {{ session {{ id }} }} {ERRORS} }} }}"""
ADJUST = f"""mutation Adjust($input: AdjustRatingInput!) {{ adjustCalibratedRating(input: $input) {{
  __typename ... on AdjustRatingPayload {{ employee {{ finalRating }} }} {ERRORS} }} }}"""
CLOSE_SESSION = f"""mutation CloseSession($id: ID!) {{
  closeCalibrationSession(input: {{sessionId: $id}}) {{
  __typename ... on CalibrationSessionPayload {{ session {{ status }} }} {ERRORS} }} }}"""
CYCLE_STATUS = """query CycleStatus($id: ID!) { reviewCycle(id: $id) {
  code status phase deadlines { phase dueOn } completion { kind total submitted } } }"""
BEHIND = """query Behind($id: ID!, $phase: CyclePhase!, $after: String) {
  whoIsBehind(cycleId: $id, phase: $phase, first: 100, after: $after) {
    dueOn reviews { pageInfo { hasNextPage endCursor } nodes { reviewer { id } } } } }"""

RULES = """query Rules($after: String) {
  complianceRules(first: 100, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor } nodes { code } } }"""
COURSES = """{ courses(first: 100, search: "CMP-") { nodes { code recertifyMonths } } }"""
COMPLETIONS = """query Completions($id: ID!) { employee(id: $id) {
  completions(first: 100) { nodes { completedOn course { code } } } } }"""
IMPORT = f"""mutation Import($csv: String!) {{
  importLearningCsv(input: {{kind: COMPLETIONS, csv: $csv}}) {{
  __typename ... on ImportPayload {{ rows created }} {ERRORS} }} }}"""
CREATE_RULE = f"""mutation CreateRule($input: CreateComplianceRuleInput!) {{
  createComplianceRule(input: $input) {{
  __typename ... on ComplianceRulePayload {{ assignedCount }} {ERRORS} }} }}"""
SWEEP = f"""mutation Sweep($asOf: Date!) {{ runComplianceSweep(input: {{asOf: $asOf}}) {{
  __typename ... on ComplianceSweepPayload {{ assigned overdue dueSoon expiring }} {ERRORS} }} }}"""
RATES = """query Rates($after: String) {
  completionRates(groupBy: COURSE, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { group assigned completed overdue } } }"""
EVIDENCE = """query Evidence($course: String!, $asOf: Date!) {
  complianceEvidence(courseCode: $course, asOf: $asOf, first: 1) { total compliant } }"""

KEY_ROLES = """query KeyRoles($after: String) {
  keyRoles(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { code title criticality incumbent { id } benchStrength { total } } } }"""
NOMINATE = f"""mutation Nominate($input: NominateSuccessorInput!) {{
  nominateSuccessor(input: $input) {{
  __typename ... on NominationPayload {{ nomination {{ id rank }} }} {ERRORS} }} }}"""
ASSESS = f"""mutation Assess($input: AssessReadinessInput!) {{ assessReadiness(input: $input) {{
  __typename ... on NominationPayload {{ nomination {{ readiness }} }} {ERRORS} }} }}"""
BENCH = """{ benchStrengthReport { overall { keyRoles readyNow readySoon readyLater
  criticalRoles criticalRolesCovered rolesWithoutSuccessor } } }"""

SUCCESSION_RECIPIENTS = """query Recipients { successionRecipients(first: 100) {
  nodes { employee { id } } } }"""
ADD_SUCCESSION_RECIPIENT = f"""mutation AddRecipient($input: AddSuccessionRecipientInput!) {{
  addSuccessionRecipient(input: $input) {{
  __typename ... on AddSuccessionRecipientPayload {{ recipient {{ id }} }} {ERRORS} }} }}"""
SAVE_TEMPLATE = f"""mutation SaveTemplate($input: SaveAnnouncementTemplateInput!) {{
  saveAnnouncementTemplate(input: $input) {{
  __typename ... on SaveAnnouncementTemplatePayload {{ template {{ code }} }} {ERRORS} }} }}"""
ANNOUNCEMENT_PREVIEW = """query Preview($audience: AnnouncementAudienceInput!) {
  announcementPreview(audience: $audience, first: 1) { count } }"""
SEND_ANNOUNCEMENT = f"""mutation Send($input: SendAnnouncementInput!) {{
  sendAnnouncement(input: $input) {{
  __typename ... on SendAnnouncementPayload {{ announcement {{ id subject recipientCount }} }}
  {ERRORS} }} }}"""


# -- the people -----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    number: str
    name: str
    active: bool
    hire_date: dt.date
    location: str | None
    unit: str | None
    manager_id: str | None


class Directory:
    """The employee directory as HR reads it through the gateway."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people = sorted(people, key=lambda p: p.number)
        self.by_id = {p.id: p for p in self.people}
        self._reports: dict[str, list[Person]] = defaultdict(list)
        for person in self.people:
            if person.manager_id is not None and person.active:
                self._reports[person.manager_id].append(person)

    @classmethod
    def read(cls, gateway: Gateway, token: str) -> Directory:
        nodes = gateway.pages(token, DIRECTORY, {}, ["employees"])
        return cls(
            Person(
                id=n["id"],
                number=n["employeeNumber"],
                name=n["name"],
                active=n["status"] == "ACTIVE",
                hire_date=dt.date.fromisoformat(n["hireDate"]),
                location=n["location"],
                unit=(n["orgUnit"] or {}).get("code"),
                manager_id=(n["manager"] or {}).get("id"),
            )
            for n in nodes
        )

    def reports(self, person_id: str) -> list[Person]:
        """Active direct reports, by employee number."""
        return self._reports.get(person_id, [])

    def manages(self, person_id: str) -> bool:
        return bool(self._reports.get(person_id))

    def below(self, person_id: str, *, depth: int | None = None) -> list[tuple[int, Person]]:
        """Everyone active in the person's reporting tree with their depth (1: direct
        reports), breadth first."""
        found: list[tuple[int, Person]] = []
        queue = deque((1, p) for p in self.reports(person_id))
        while queue:
            level, person = queue.popleft()
            found.append((level, person))
            if depth is None or level < depth:
                queue.extend((level + 1, p) for p in self.reports(person.id))
        return found


@dataclass
class Cast:
    """Who acts: the demo roles' tokens and people (as in dev.json), and anyone else
    signed in as an employee."""

    tokens: Mapping[str, str]
    people: Mapping[str, Mapping[str, Any]]
    accounts: Accounts

    def id_of(self, role: str) -> str:
        return str(self.people[role]["employee_id"])

    def _known(self) -> dict[str, str]:
        return {str(p["employee_id"]): self.tokens[role] for role, p in self.people.items()}

    def expect(self, ids: Iterable[str], directory: Directory) -> None:
        """Register the people who will sign in (all at once)."""
        known = self._known()
        missing = {i: directory.by_id[i].name for i in sorted(set(ids)) if i not in known}
        if missing:
            self.accounts.register(missing)

    def token(self, employee_id: str) -> str:
        """A demo role's own token, else the person signs in now."""
        return self._known().get(employee_id) or self.accounts.token(employee_id)


@dataclass
class Outcome:
    """What the scenes made: banner lines and the `demo` part of dev.json."""

    lines: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def play(
    gateway_url: str,
    cast: Cast,
    *,
    seed: int,
    services: Collection[str],
    say: Say,
    today: dt.date | None = None,
) -> Outcome:
    """Play every scene whose services run, side by side (each service does its own
    scene's work); returns what they made, in a fixed order."""
    day = today or today_utc()
    gateway = Gateway(gateway_url)
    try:
        say("demo scenes: reading the employee directory through the gateway")
        directory = Directory.read(gateway, cast.tokens["hr_leader"])
        scene = Scene(gateway, cast, directory, seed=seed, today=day, say=say)
        parts = [
            (play_scene, Outcome())
            for service, play_scene in (
                ("performance", scene.performance),
                ("learning", scene.compliance),
                ("succession", scene.succession),
            )
            if service in services
        ]
        _parallel([partial(play_scene, part) for play_scene, part in parts])
        outcomes = [part for _, part in parts]
        cycle = next((p.info["review_cycle"] for p in outcomes if "review_cycle" in p.info), None)
        if "notifier" in services:
            # After the others: it announces to the annual cycle's managers behind.
            outcomes.append(Outcome())
            scene.notices(outcomes[-1], cycle)
    finally:
        gateway.close()
    outcome = Outcome()
    for part in outcomes:
        outcome.lines += part.lines
        outcome.info.update(part.info)
    return outcome


def _parallel(tasks: Sequence[Callable[[], None]]) -> None:
    """Run the tasks side by side; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for future in [pool.submit(task) for task in tasks]:
            future.result()


@dataclass(frozen=True)
class Writing:
    """A review someone writes and submits."""

    review_id: str
    rating: int
    comment: str
    competencies: tuple[tuple[str, int], ...]


class Scene:
    def __init__(
        self,
        gateway: Gateway,
        cast: Cast,
        directory: Directory,
        *,
        seed: int,
        today: dt.date,
        say: Say,
    ) -> None:
        self.gateway = gateway
        self.cast = cast
        self.directory = directory
        self.seed = seed
        self.today = today
        self.say = say

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}/scenes/{name}")

    def day(self, offset: int) -> str:
        return (self.today + dt.timedelta(days=offset)).isoformat()

    # -- performance ------------------------------------------------------------------

    def performance(self, outcome: Outcome) -> None:
        hr = self.cast.tokens["hr_leader"]
        annual_code = f"{self.today.year}-ANNUAL"
        mid_year_day = self.today + dt.timedelta(days=MID_YEAR_DEADLINES[4])
        mid_year_code = f"{mid_year_day.year}-MID-YEAR"
        existing = {c["code"] for c in self.gateway.pages(hr, CYCLES, {}, ["reviewCycles"])}
        if annual_code in existing or mid_year_code in existing:
            self.say(f"demo scenes: review cycle {annual_code} exists already, left as it is")
            return
        rng = self.rng("performance")
        manager = self.directory.by_id[self.cast.id_of("manager")]
        lead = self.directory.by_id.get(manager.manager_id or "") or manager
        # The teams under the demo manager's manager: the demo manager's and a few others
        # for the annual cycle, two of those for the mid-year one.
        teams = sorted(
            {
                m.unit
                for m in self.directory.reports(lead.id)
                if m.unit and m.unit != manager.unit and self.directory.manages(m.id)
            }
        )
        if manager.unit is None:
            self.say("demo scenes: the demo manager has no org unit, no review cycles")
            return
        picked = rng.sample(teams, min(ANNUAL_TEAMS - 1, len(teams)))
        units = sorted([manager.unit, *picked])
        mid_units = sorted([manager.unit, *picked[: MID_YEAR_TEAMS - 1]])

        self.say(
            f"demo scenes: review cycles {mid_year_code} ({len(mid_units)} teams, to be "
            f"calibrated) and {annual_code} ({len(units)} teams under {lead.name})"
        )
        mid_year = self._start_cycle(
            mid_year_code,
            f"{mid_year_code[:4]} mid-year review",
            "MID_YEAR",
            mid_units,
            MID_YEAR_DEADLINES,
        )
        annual = self._start_cycle(
            annual_code, f"{annual_code[:4]} annual review", "ANNUAL", units, ANNUAL_DEADLINES
        )
        mid_reviews = self.gateway.pages(hr, REVIEWS, {"cycle": mid_year}, ["reviews"])
        annual_reviews = self.gateway.pages(hr, REVIEWS, {"cycle": annual}, ["reviews"])

        # Who writes what: most employees their self reviews (the demo employee among
        # them, in both cycles), every manager their mid-year manager reviews, and in the
        # annual cycle each manager as far as they got (the demo manager half way, the
        # group's lead not yet).
        employee_id = self.cast.id_of("employee")
        writes_self = {
            r["employee"]["id"]
            for r in self._ordered(annual_reviews, "SELF")
            if r["employee"]["id"] == employee_id or rng.random() < SELF_SUBMITTED
        }
        plan: dict[str, list[Writing]] = defaultdict(list)
        for reviews, writers in ((mid_reviews, {employee_id}), (annual_reviews, writes_self)):
            for review in self._ordered(reviews, "SELF"):
                if review["employee"]["id"] in writers:
                    plan[review["employee"]["id"]].append(
                        self._writing(review, rng, SELF_RATING_WEIGHTS, SELF_COMMENTS)
                    )
        mid_ratings: dict[str, int] = {}
        for review in self._ordered(mid_reviews, "MANAGER"):
            writing = self._writing(review, rng, MANAGER_RATING_WEIGHTS, MANAGER_COMMENTS)
            plan[review["reviewer"]["id"]].append(writing)
            mid_ratings[review["employee"]["id"]] = writing.rating
        by_reviewer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for review in self._ordered(annual_reviews, "MANAGER"):
            by_reviewer[review["reviewer"]["id"]].append(review)
        for reviewer_id in sorted(by_reviewer, key=self._number):
            reviews = by_reviewer[reviewer_id]
            if reviewer_id == manager.id:
                progress = "half"
            elif reviewer_id == lead.id:
                progress = "not started"
            else:
                progress = rng.choices(MANAGER_PROGRESS, weights=MANAGER_PROGRESS_WEIGHTS)[0]
            if progress == "done":
                done = reviews
            elif progress == "half":
                others = [r for r in reviews if r["employee"]["id"] != employee_id]
                done = rng.sample(others, len(reviews) // 2)
            else:
                done = []
            for review in done:
                plan[reviewer_id].append(
                    self._writing(review, rng, MANAGER_RATING_WEIGHTS, MANAGER_COMMENTS)
                )
        self.say(
            f"demo scenes: {len(plan)} people sign in to write "
            f"{sum(len(w) for w in plan.values())} reviews"
        )
        self.cast.expect(plan, self.directory)
        _parallel([partial(self._write, who, plan[who]) for who in sorted(plan)])

        outcome.info["calibration"] = self._calibrate(mid_year, mid_year_code, mid_ratings, rng)
        calibration = outcome.info["calibration"]
        outcome.lines.append(
            f"Calibration '{calibration['name']}' ({mid_year_code}) closed: "
            f"{calibration['employees']} ratings, {calibration['adjusted']} adjusted; "
            f"{mid_year_code} released and closed"
        )
        outcome.info["review_cycle"] = summary = self._cycle_summary(annual)
        outcome.lines.append(
            f"Review cycle {annual_code} open, in {summary['phase']}: "
            f"{summary['submitted']} of {summary['reviews']} reviews submitted "
            f"(self {summary['self_submitted']}/{summary['self_total']}, manager "
            f"{summary['manager_submitted']}/{summary['manager_total']}), "
            f"{summary['managers_behind']} managers behind (manager reviews due "
            f"{summary['manager_reviews_due_on']})"
        )

    def _number(self, person_id: str) -> str:
        person = self.directory.by_id.get(person_id)
        return person.number if person else person_id

    def _ordered(self, reviews: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        """The reviews of a kind, by the reviewed employee's number (a stable order)."""
        return sorted(
            (r for r in reviews if r["kind"] == kind and r["status"] == "DRAFT"),
            key=lambda r: self._number(r["employee"]["id"]),
        )

    def _writing(
        self,
        review: dict[str, Any],
        rng: random.Random,
        weights: Sequence[int],
        comments: Sequence[str],
    ) -> Writing:
        rating = rng.choices(range(1, 6), weights=weights)[0]
        competencies = tuple(
            (c["competencyCode"], max(1, min(5, rating + rng.choice((-1, 0, 0, 1)))))
            for c in review["competencies"]
        )
        return Writing(review["id"], rating, comments[rating - 1], competencies)

    def _start_cycle(
        self, code: str, name: str, kind: str, units: list[str], offsets: Sequence[int]
    ) -> str:
        """Create, launch and advance a cycle to MANAGER_REVIEW; returns its id."""
        hr = self.cast.tokens["hr_leader"]
        created = self.gateway.mutate(
            hr,
            CREATE_CYCLE,
            {
                "input": {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "orgUnitCodes": units,
                    "deadlines": [
                        {"phase": phase, "dueOn": self.day(offset)}
                        for phase, offset in zip(PHASES, offsets, strict=True)
                    ],
                }
            },
            expect="ReviewCyclePayload",
        )
        cycle_id: str = created["cycle"]["id"]
        launched = self.gateway.mutate(
            hr, LAUNCH, {"id": cycle_id}, expect="LaunchReviewCyclePayload"
        )
        self.say(f"demo scenes: {code} launched for {launched['population']} employees")
        self._advance(cycle_id, "MANAGER_REVIEW")
        return cycle_id

    def _advance(self, cycle_id: str, until: str) -> None:
        hr = self.cast.tokens["hr_leader"]
        status = self.gateway.query(hr, CYCLE_STATUS, {"id": cycle_id})["reviewCycle"]
        for phase in PHASES[PHASES.index(status["phase"]) + 1 : PHASES.index(until) + 1]:
            self.gateway.mutate(
                hr, ADVANCE, {"id": cycle_id, "phase": phase}, expect="ReviewCyclePayload"
            )

    def _write(self, writer: str, writings: list[Writing]) -> None:
        """The writer signs in, then saves and submits their reviews: a few reviews per
        request, each saved then submitted (a document's mutation fields run in order)."""
        token = self.cast.token(writer)
        for start in range(0, len(writings), REVIEWS_PER_REQUEST):
            chunk = writings[start : start + REVIEWS_PER_REQUEST]
            declared: list[str] = []
            fields: list[str] = []
            variables: dict[str, Any] = {}
            for i, writing in enumerate(chunk):
                declared.append(f"$save{i}: SaveReviewInput!, $review{i}: ID!")
                fields.append(f"save{i}: saveReview(input: $save{i}) {{ __typename {ERRORS} }}")
                fields.append(
                    f"submit{i}: submitReview(input: {{reviewId: $review{i}}}) "
                    f"{{ __typename {ERRORS} }}"
                )
                variables[f"review{i}"] = writing.review_id
                variables[f"save{i}"] = {
                    "reviewId": writing.review_id,
                    "overallRating": writing.rating,
                    "comment": writing.comment,
                    "competencies": [
                        {"competencyCode": code, "rating": rating}
                        for code, rating in writing.competencies
                    ],
                }
            document = f"mutation WriteReviews({', '.join(declared)}) {{ {' '.join(fields)} }}"
            self.gateway.mutate_all(token, document, variables, expect="ReviewPayload")

    def _calibrate(
        self, cycle_id: str, code: str, ratings: dict[str, int], rng: random.Random
    ) -> dict[str, Any]:
        """Calibrate the mid-year cycle's manager ratings (employee id -> rating) in one
        session, close it, then release and close the cycle."""
        hr = self.cast.tokens["hr_leader"]
        hr_id = self.cast.id_of("hr_leader")
        self._advance(cycle_id, "CALIBRATION")
        employees = sorted(ratings, key=self._number)
        reviewers = sorted(
            {self.directory.by_id[e].manager_id or "" for e in employees} - {"", hr_id},
            key=self._number,
        )
        name = f"{code} calibration, {self.directory.by_id[self.cast.id_of('manager')].unit}"
        session_id: str = self.gateway.mutate(
            hr,
            CREATE_SESSION,
            {
                "input": {
                    "cycleId": cycle_id,
                    "name": name,
                    "employeeIds": employees,
                    "facilitatorIds": [hr_id],
                    "participantIds": reviewers,
                    "targetDistribution": [
                        {"rating": rating, "share": share} for rating, share in TARGET_DISTRIBUTION
                    ],
                }
            },
            expect="CalibrationSessionPayload",
        )["session"]["id"]
        adjusted: set[str] = set()
        for step, reason in ADJUSTMENTS:
            movable = [
                e
                for e in employees
                if e != hr_id and e not in adjusted and 1 <= ratings[e] + step <= 5
            ]
            if not movable:
                continue
            employee = rng.choice(movable)
            rating = ratings[employee]
            self.gateway.mutate(
                hr,
                ADJUST,
                {
                    "input": {
                        "sessionId": session_id,
                        "employeeId": employee,
                        "rating": rating + step,
                        "reason": reason,
                    }
                },
                expect="AdjustRatingPayload",
            )
            adjusted.add(employee)
        self.gateway.mutate(
            hr, CLOSE_SESSION, {"id": session_id}, expect="CalibrationSessionPayload"
        )
        self._advance(cycle_id, "RELEASE")
        self.gateway.mutate(hr, RELEASE, {"id": cycle_id}, expect="ReviewCyclePayload")
        self.gateway.mutate(hr, CLOSE_CYCLE, {"id": cycle_id}, expect="ReviewCyclePayload")
        self.say(f"demo scenes: {code} calibrated ({len(adjusted)} adjusted), released and closed")
        return {
            "session_id": session_id,
            "name": name,
            "cycle_id": cycle_id,
            "cycle_code": code,
            "employees": len(employees),
            "adjusted": len(adjusted),
        }

    def _cycle_summary(self, cycle_id: str) -> dict[str, Any]:
        hr = self.cast.tokens["hr_leader"]
        cycle = self.gateway.query(hr, CYCLE_STATUS, {"id": cycle_id})["reviewCycle"]
        completion = {c["kind"]: c for c in cycle["completion"]}
        behind = self.gateway.pages(
            hr, BEHIND, {"id": cycle_id, "phase": "MANAGER_REVIEW"}, ["whoIsBehind", "reviews"]
        )
        due = {d["phase"]: d["dueOn"] for d in cycle["deadlines"]}

        def of(kind: str, key: str) -> int:
            return int(completion.get(kind, {}).get(key, 0))

        return {
            "id": cycle_id,
            "code": cycle["code"],
            "phase": cycle["phase"],
            "reviews": sum(int(c["total"]) for c in completion.values()),
            "submitted": sum(int(c["submitted"]) for c in completion.values()),
            "self_total": of("SELF", "total"),
            "self_submitted": of("SELF", "submitted"),
            "manager_total": of("MANAGER", "total"),
            "manager_submitted": of("MANAGER", "submitted"),
            "managers_behind": len({(n["reviewer"] or {}).get("id") for n in behind}),
            "self_reviews_due_on": due.get("SELF_REVIEW"),
            "manager_reviews_due_on": due.get("MANAGER_REVIEW"),
        }

    # -- notifier ---------------------------------------------------------------------

    def notices(self, outcome: Outcome, cycle: Mapping[str, Any] | None) -> None:
        """The admin names the HR leader a succession recipient; HR saves the reminder
        for managers behind as a template and, once the notifier has seen the annual
        cycle's reviews, sends it to the managers behind in MANAGER_REVIEW."""
        admin, hr = self.cast.tokens["admin"], self.cast.tokens["hr_leader"]
        hr_id = self.cast.id_of("hr_leader")
        named = self.gateway.query(admin, SUCCESSION_RECIPIENTS)["successionRecipients"]
        if any(n["employee"]["id"] == hr_id for n in named["nodes"]):
            self.say("demo scenes: the HR leader receives succession notices already")
            return
        self.gateway.mutate(
            admin,
            ADD_SUCCESSION_RECIPIENT,
            {"input": {"employeeId": hr_id}},
            expect="AddSuccessionRecipientPayload",
        )
        outcome.lines.append(
            f"{self.directory.by_id[hr_id].name} (hr_leader) receives succession notices "
            "and the weekly succession digest"
        )
        due = (cycle or {}).get("manager_reviews_due_on")
        self.gateway.mutate(
            hr,
            SAVE_TEMPLATE,
            {
                "input": {
                    "code": NUDGE_TEMPLATE,
                    "subject": "Manager reviews are due" + (f" on {due}" if due else ""),
                    "body": "Your team's manager reviews are not all submitted yet. Please "
                    "write and submit them before the deadline; HR can help with questions.",
                }
            },
            expect="SaveAnnouncementTemplatePayload",
        )
        outcome.info["announcement_template"] = NUDGE_TEMPLATE
        if cycle is None or not cycle.get("managers_behind"):
            return
        audience = {"behind": {"cycleId": cycle["id"], "phase": "MANAGER_REVIEW"}}
        # The notifier learns of the reviews from performance's events: wait until it
        # sees as many managers behind as performance does (bounded; then send anyway).
        deadline = time.monotonic() + NOTIFIER_CATCH_UP_S
        while True:
            preview = self.gateway.query(hr, ANNOUNCEMENT_PREVIEW, {"audience": audience})
            count = int(preview["announcementPreview"]["count"])
            if count >= int(cycle["managers_behind"]) or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        sent = self.gateway.mutate(
            hr,
            SEND_ANNOUNCEMENT,
            {"input": {"audience": audience, "template": NUDGE_TEMPLATE}},
            expect="SendAnnouncementPayload",
        )["announcement"]
        outcome.info["announcement"] = {"id": sent["id"], "recipients": sent["recipientCount"]}
        outcome.lines.append(
            f"Announcement '{sent['subject']}' (template {NUDGE_TEMPLATE}) sent to "
            f"{sent['recipientCount']} managers behind in MANAGER_REVIEW of {cycle['code']}"
        )

    # -- learning ---------------------------------------------------------------------

    def compliance(self, outcome: Outcome) -> None:
        hr = self.cast.tokens["hr_coordinator"]
        existing = {r["code"] for r in self.gateway.pages(hr, RULES, {}, ["complianceRules"])}
        if {CONDUCT_RULE, SAFETY_RULE} & existing:
            self.say("demo scenes: the compliance rules exist already, left as they are")
            return
        months = {
            c["code"]: c["recertifyMonths"]
            for c in self.gateway.query(hr, COURSES)["courses"]["nodes"]
            if c["recertifyMonths"]
        }
        if not {CONDUCT_COURSE, SAFETY_COURSE} <= set(months):
            self.say("demo scenes: no compliance courses in the catalog, no compliance scene")
            return
        rng = self.rng("compliance")
        manager = self.directory.by_id[self.cast.id_of("manager")]
        employee = self.directory.by_id[self.cast.id_of("employee")]
        active = [p for p in self.directory.people if p.active]

        # 1. Certifications that expire within the month: completions as taken about a
        # year ago, imported the way an LMS export would be (the demo employee's first).
        latest: dict[str, dt.date] = {}
        for node in self.gateway.query(hr, COMPLETIONS, {"id": employee.id})["employee"][
            "completions"
        ]["nodes"]:
            code, day = node["course"]["code"], dt.date.fromisoformat(node["completedOn"])
            latest[code] = max(latest.get(code, day), day)

        def taken_for_expiry(course: str, days: int) -> dt.date:
            return add_months(self.today + dt.timedelta(days=days), -months[course])

        expiring = [c for c in EXPIRING_COURSES if c in months]
        own_course = next(
            (c for c in expiring if latest.get(c, dt.date.min) < taken_for_expiry(c, 12)),
            expiring[0],
        )
        rows = [(employee.number, own_course, taken_for_expiry(own_course, 12))]
        others = [p for p in active if p.id != employee.id]
        for person in rng.sample(others, max(1, round(len(active) * EXPIRING_SHARE))):
            course = rng.choice(expiring)
            taken = taken_for_expiry(course, rng.randint(3, EXPIRING_DAYS - 3))
            if person.hire_date < taken:
                rows.append((person.number, course, taken))
        self._import(hr, rows, rng)

        # 2. The rules: the code of conduct for everyone (due in a fortnight; expiring
        # certificates are renewed by their expiry), safety training within 30 days of
        # hire for the last year's hires (started a year ago: the late ones are overdue),
        # and a course the demo employee does not hold for the demo manager's team, due
        # a month ago.
        team_course = next(
            (
                c
                for c in TEAM_COURSES
                if c in months
                and c != own_course
                and (c not in latest or add_months(latest[c], months[c]) < self.today)
            ),
            None,
        )
        rules: list[tuple[str, str, dict[str, Any], int]] = [
            (CONDUCT_RULE, CONDUCT_COURSE, {}, -14),
            (SAFETY_RULE, SAFETY_COURSE, {"hiredFrom": self.day(-365)}, -365),
        ]
        if team_course is not None and manager.unit:
            rules.append(
                (f"{team_course.removeprefix('CMP-')}-{_slug(manager.unit)}"[:100],
                 team_course, {"orgUnitCode": manager.unit}, -60)
            )  # fmt: skip
        assigned = {}
        for code, course, population, starts in rules:
            created = self.gateway.mutate(
                hr,
                CREATE_RULE,
                {
                    "input": {
                        "code": code,
                        "courseCode": course,
                        "population": population,
                        "withinDays": 30,
                        "startsOn": self.day(starts),
                    }
                },
                expect="ComplianceRulePayload",
            )
            assigned[code] = created["assignedCount"]
        self.say(
            "demo scenes: compliance rules "
            + ", ".join(f"{code} ({n} assigned)" for code, n in assigned.items())
        )

        # 3. Half of the new hires did their safety training, late; two of the team did
        # theirs. The sweep marks the rest overdue.
        late: list[tuple[str, str, dt.date]] = []
        hires = [p for p in active if p.hire_date >= self.today - dt.timedelta(days=365)]
        for person in hires:
            if rng.random() < LATE_COMPLETION_SHARE:
                start = max(person.hire_date, self.today - dt.timedelta(days=60))
                span = max(0, (self.today - start).days - 1)
                late.append(
                    (person.number, SAFETY_COURSE, start + dt.timedelta(days=rng.randint(0, span)))
                )
        if team_course is not None:
            team = [p for p in self.directory.reports(manager.id) if p.id != employee.id]
            for person in rng.sample(team, min(2, len(team))):
                late.append(
                    (person.number, team_course, self.today - dt.timedelta(days=rng.randint(1, 20)))
                )
        if late:
            self._import(hr, late, rng)
        swept = self.gateway.mutate(
            hr, SWEEP, {"asOf": self.today.isoformat()}, expect="ComplianceSweepPayload"
        )
        self.say(f"demo scenes: compliance sweep marked {swept['overdue']} enrollments overdue")

        rates = {r["group"]: r for r in self.gateway.pages(hr, RATES, {}, ["completionRates"])}
        rule_courses = sorted({course for _, course, _, _ in rules})
        overdue = sum(int(rates.get(c, {}).get("overdue", 0)) for c in rule_courses)
        open_assigned = sum(int(rates.get(c, {}).get("assigned", 0)) for c in rule_courses)
        expiring_now = 0
        horizon = self.day(EXPIRING_DAYS)
        for course in sorted(months):
            now = self.gateway.query(
                hr, EVIDENCE, {"course": course, "asOf": self.today.isoformat()}
            )["complianceEvidence"]
            later = self.gateway.query(hr, EVIDENCE, {"course": course, "asOf": horizon})[
                "complianceEvidence"
            ]
            expiring_now += max(0, int(now["compliant"]) - int(later["compliant"]))
        outcome.info["compliance"] = {
            "rules": list(assigned),
            "courses": rule_courses,
            "assigned": open_assigned,
            "overdue": overdue,
            "expiring": expiring_now,
            "team_course": team_course,
        }
        outcome.lines.append(
            f"Compliance: {len(assigned)} rules, {overdue} of {open_assigned} assignments "
            f"overdue, {expiring_now} certifications expiring within {EXPIRING_DAYS} days"
        )

    def _import(self, token: str, rows: list[tuple[str, str, dt.date]], rng: random.Random) -> None:
        seen: set[tuple[str, str, dt.date]] = set()
        lines = ["employee_id,course_code,completed_on,score"]
        for number, course, day in rows:
            if (number, course, day) in seen or day > self.today:
                continue
            seen.add((number, course, day))
            lines.append(f"{number},{course},{day.isoformat()},{rng.randint(70, 100)}")
        imported = self.gateway.mutate(
            token, IMPORT, {"csv": "\n".join(lines) + "\n"}, expect="ImportPayload"
        )
        self.say(f"demo scenes: imported {imported['created']} completions")

    # -- succession -------------------------------------------------------------------

    def succession(self, outcome: Outcome) -> None:
        hr = self.cast.tokens["hr_leader"]
        hr_id = self.cast.id_of("hr_leader")
        roles = self.gateway.pages(hr, KEY_ROLES, {}, ["keyRoles"])
        if any(r["benchStrength"]["total"] for r in roles):
            self.say("demo scenes: key roles have successors already, left as they are")
            return
        rng = self.rng("succession")
        manager = self.directory.by_id[self.cast.id_of("manager")]
        held = [r for r in roles if r["incumbent"] and r["incumbent"]["id"] in self.directory.by_id]
        # The CEO's succession is the board's: VPs (critical roles) and directors only.
        roots = {p.id for p in self.directory.people if p.manager_id is None}
        held = [r for r in held if r["incumbent"]["id"] not in roots]
        critical = [r for r in held if r["criticality"] == "HIGH"]
        directors = [r for r in held if r["criticality"] != "HIGH"]
        # Directors' roles: the demo manager's manager's, and a few others.
        own = [r for r in directors if r["incumbent"]["id"] == manager.manager_id]
        rest = [r for r in directors if r not in own]
        chosen = own + rng.sample(rest, min(DIRECTOR_ROLES - len(own), len(rest)))
        slates: list[tuple[dict[str, Any], list[Person]]] = []
        taken: set[str] = {hr_id}
        for role, size in [(r, VP_SUCCESSORS) for r in critical] + [
            (r, DIRECTOR_SUCCESSORS) for r in chosen
        ]:
            # Successors are managers below the incumbent, the nearest level first;
            # everyone is on one slate at most.
            nominees: list[Person] = []
            for depth in (1, 2):
                pool = [
                    p
                    for level, p in self.directory.below(role["incumbent"]["id"], depth=depth)
                    if level == depth and self.directory.manages(p.id) and p.id not in taken
                ]
                nominees += rng.sample(pool, min(size - len(nominees), len(pool)))
            if nominees:
                taken.update(p.id for p in nominees)
                slates.append((role, nominees))
        if not slates:
            self.say("demo scenes: no key role has managers below its incumbent, no slates")
            return

        def nominate(role: dict[str, Any], nominees: list[Person], own: random.Random) -> None:
            for rank, person in enumerate(nominees, start=1):
                if rank == 1:
                    readiness = own.choice(("READY_NOW", "READY_NOW", "READY_1_2_YEARS"))
                else:
                    readiness = own.choice(("READY_1_2_YEARS", "READY_3_PLUS_YEARS"))
                nominated_on = self.today - dt.timedelta(days=own.randint(30, 420))
                nomination = self.gateway.mutate(
                    hr,
                    NOMINATE,
                    {
                        "input": {
                            "keyRoleCode": role["code"],
                            "employeeId": person.id,
                            "readiness": readiness,
                            "rank": rank,
                            "notes": own.choice(NOTES),
                            "emergency": rank == 1 and readiness == "READY_NOW",
                            "nominatedOn": nominated_on.isoformat(),
                        }
                    },
                    expect="NominationPayload",
                )["nomination"]
                # A third of them were reassessed since, a step closer.
                if readiness != "READY_NOW" and own.random() < 1 / 3:
                    better = "READY_NOW" if readiness == "READY_1_2_YEARS" else "READY_1_2_YEARS"
                    gap = max(1, (self.today - nominated_on).days - 1)
                    self.gateway.mutate(
                        hr,
                        ASSESS,
                        {
                            "input": {
                                "nominationId": nomination["id"],
                                "readiness": better,
                                "assessedOn": (
                                    nominated_on + dt.timedelta(days=own.randint(1, gap))
                                ).isoformat(),
                            }
                        },
                        expect="NominationPayload",
                    )

        self.say(
            f"demo scenes: nominating {sum(len(n) for _, n in slates)} successors "
            f"to {len(slates)} key roles"
        )
        _parallel(
            [
                partial(nominate, role, nominees, random.Random(rng.random()))
                for role, nominees in slates
            ]
        )
        bench = self.gateway.query(hr, BENCH)["benchStrengthReport"]["overall"]
        outcome.info["succession"] = {
            "key_roles": [role["code"] for role, _ in slates],
            "successors": sum(len(n) for _, n in slates),
            "ready_now": bench["readyNow"],
            "ready_soon": bench["readySoon"],
            "ready_later": bench["readyLater"],
            "critical_roles": bench["criticalRoles"],
            "critical_roles_covered": bench["criticalRolesCovered"],
        }
        outcome.lines.append(
            f"Succession: {len(slates)} of {bench['keyRoles']} key roles with slates, "
            f"{bench['readyNow']} successors ready now, {bench['readySoon']} in 1-2 years, "
            f"{bench['readyLater']} later; {bench['criticalRolesCovered']} of "
            f"{bench['criticalRoles']} critical roles covered"
        )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")
