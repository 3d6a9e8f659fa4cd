"""`talent dev up` for real: the whole stack with a small demo organisation, queried through
the gateway, changed by `talent import`, and stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from talent_cli.dev import repo_root
from talent_cli.main import main
from talent_cli.services import SERVICES, service_names
from talent_devtools.ports import free_port, free_port_base
from talent_devtools.postgres import drop_database, normalize_postgres_url

pytestmark = pytest.mark.e2e

EMPLOYEES = 60
GATEWAY = repo_root() / "gateway"
TEAM_QUERY = """
query Team($manager: ID!) {
  employees(filter: {managerId: $manager}) {
    totalCount
    edges { node { employeeNumber name completions { totalCount } } }
  }
}
"""


class Stack:
    def __init__(self, process: subprocess.Popen[bytes], state: Path, log: Path) -> None:
        self.process = process
        self.state = state
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def info(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.state / "dev.json").read_text())
        return loaded

    def graphql(self, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            self.info()["gateway"],
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def child_pids(self) -> list[int]:
        return [int(p) for p in re.findall(r"started \(pid=(\d+)\)", self.output())]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    if not (GATEWAY / "node_modules" / ".bin" / "hive-gateway").exists():
        pytest.skip("the gateway is not installed (npm ci in gateway/)")
    if not (GATEWAY / "supergraph.graphql").exists():
        pytest.skip("gateway/supergraph.graphql is missing (node gateway/compose.mjs)")
    # Not tmp_path_factory: its directories are private (0700), and as root the embedded
    # PostgreSQL runs as nobody, who must reach its data directory.
    state = Path(tempfile.mkdtemp(prefix="talent-dev-e2e-"))
    log = state / "dev-up.log"
    prefix = f"talent_e2e_{uuid.uuid4().hex[:8]}_"
    admin_url = os.environ.get("TALENT_TEST_DATABASE_URL")
    database = ["--database-url", admin_url] if admin_url else ["--pg-port", str(free_port())]
    command = [
        sys.executable, "-m", "talent_cli.main", "dev", "up", "--state-dir", str(state),
        "--employees", str(EMPLOYEES), "--db-prefix", prefix, *database,
        "--gateway-port", str(free_port()), "--broker-port", str(free_port()),
        "--issuer-port", str(free_port()),
        "--mail-smtp-port", str(free_port()), "--mail-web-port", str(free_port()),
        "--service-port-base", str(free_port_base(max(s.port_offset for s in SERVICES))),
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    running = Stack(process, state, log)
    try:
        deadline = time.monotonic() + 240
        while not (state / "dev.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"talent dev up did not come up:\n{running.output()[-5000:]}")
            time.sleep(0.5)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if admin_url:
            for name in service_names():
                drop_database(normalize_postgres_url(admin_url), prefix + name)
        shutil.rmtree(state, ignore_errors=True)


def test_dev_json_names_the_gateway_issuer_services_broker_and_a_token_per_role(
    stack: Stack,
) -> None:
    info = stack.info()
    assert info["gateway"].startswith("http://127.0.0.1:")
    assert info["issuer"].startswith("http://127.0.0.1:")
    assert set(info["tokens"]) == {"admin", "hr_leader", "hr_coordinator", "manager", "employee"}
    # The tokens come from the OIDC issuer: signed with its published RS256 key.
    header = jwt.get_unverified_header(info["tokens"]["admin"])
    assert header["alg"] == "RS256"
    keys = httpx.get(f"{info['issuer']}/jwks").json()["keys"]
    assert header["kid"] in {k["kid"] for k in keys}
    assert (
        jwt.decode(info["tokens"]["hr_coordinator"], options={"verify_signature": False})[
            "org_units"
        ]
        == info["people"]["hr_coordinator"]["org_units"]
    )
    assert set(info["services"]) == set(service_names())
    assert info["broker"].startswith("127.0.0.1:")
    # The notifier's mail catcher: its HTTP API answers with what arrived (a JSON list).
    assert info["mail"]["smtp"].startswith("127.0.0.1:")
    assert isinstance(httpx.get(info["mail"]["api"]).json(), list)
    output = stack.output()
    assert "Talent is up" in output
    assert info["tokens"]["manager"] in output


def test_the_manager_sees_the_team_and_its_completions_through_the_gateway(stack: Stack) -> None:
    info = stack.info()
    manager = info["people"]["manager"]["employee_id"]
    team = stack.graphql(info["tokens"]["manager"], TEAM_QUERY, {"manager": manager})
    members = [edge["node"] for edge in team["employees"]["edges"]]
    assert len([m for m in members if m["completions"]["totalCount"] > 0]) >= 3
    # The demo employee reports to the demo manager and sees only their own completions.
    employee = info["people"]["employee"]["employee_number"]
    assert employee in {m["employeeNumber"] for m in members}


CYCLES = """{ reviewCycles(first: 100) { nodes { id code status phase
  completion { kind total submitted } } } }"""
BEHIND = """query($id: ID!, $phase: CyclePhase!) { whoIsBehind(cycleId: $id, phase: $phase, first: 100) {
  dueOn reviews { totalCount nodes { kind managerName reviewer { id } } } } }"""
RULES = "{ complianceRules { nodes { code active course { code } } } }"
RATES = "{ completionRates(groupBy: COURSE, first: 100) { nodes { group assigned overdue } } }"
MY_LEARNING = """{ me { certifications { course { code } validUntil status }
  enrollments(first: 50) { nodes { status reason course { code } } } } }"""
TEAM_LEARNING = "{ teamLearningStatus(first: 100) { nodes { name open overdue } } }"
SLATE = """query($code: String!) { keyRole(code: $code) {
  benchStrength { readyNow ready1To2Years ready3PlusYears total }
  slate { rank readiness employee { id } readinessHistory { readiness } } } }"""
BENCH = "{ benchStrengthReport { overall { keyRoles readyNow readySoon readyLater } } }"
SESSIONS = """query($cycle: ID!) { calibrationSessions(cycleId: $cycle) { nodes {
  name status members { role employee { id } }
  employees { employee { id } managerRating finalRating reason } } } }"""


SUCCESSION_RECIPIENTS = """{ successionRecipients(first: 100) { nodes { employee { id } } } }"""
TEMPLATES = """{ announcementTemplates(first: 100) { nodes { code } } }"""
ANNOUNCEMENT = """query ($id: ID!) { announcement(id: $id) { status
  recipients(first: 100) { nodes { employee { id } } } } }"""


def test_the_demo_organisation_is_at_work(stack: Stack) -> None:
    """The scenes after seeding: an open review cycle with managers behind, compliance
    rules with overdue and expiring items, slates with readiness, a closed calibration;
    each looked at through the gateway with the role that would look at it."""
    info = stack.info()
    tokens, people, demo = info["tokens"], info["people"], info["demo"]
    hr, coordinator = tokens["hr_leader"], tokens["hr_coordinator"]
    manager, employee = tokens["manager"], tokens["employee"]

    # 1. The annual cycle is open in its manager-review phase, part done: self and
    # manager reviews submitted and pending, several managers behind, the demo manager
    # among them (and they see their own team's pending reviews).
    cycles = {c["id"]: c for c in stack.graphql(hr, CYCLES, {})["reviewCycles"]["nodes"]}
    annual = cycles[demo["review_cycle"]["id"]]
    assert (annual["status"], annual["phase"]) == ("ACTIVE", "MANAGER_REVIEW")
    completion = {c["kind"]: c for c in annual["completion"]}
    for kind in ("SELF", "MANAGER"):
        assert 0 < completion[kind]["submitted"] < completion[kind]["total"], completion
    behind = stack.graphql(hr, BEHIND, {"id": annual["id"], "phase": "MANAGER_REVIEW"})
    pending = behind["whoIsBehind"]["reviews"]
    reviewers = {n["reviewer"]["id"] for n in pending["nodes"]}
    assert len(reviewers) >= 2 and people["manager"]["employee_id"] in reviewers, pending
    assert behind["whoIsBehind"]["dueOn"] is not None
    own = stack.graphql(manager, BEHIND, {"id": annual["id"], "phase": "MANAGER_REVIEW"})
    own_pending = own["whoIsBehind"]["reviews"]
    assert 0 < own_pending["totalCount"] < pending["totalCount"]
    assert {n["managerName"] for n in own_pending["nodes"]} == {people["manager"]["name"]}
    late_self = stack.graphql(hr, BEHIND, {"id": annual["id"], "phase": "SELF_REVIEW"})
    assert late_self["whoIsBehind"]["reviews"]["totalCount"] > 0

    # 2. Compliance rules with overdue assignments (the demo manager's team has some)
    # and certifications expiring soon (the demo employee's among them).
    rules = stack.graphql(coordinator, RULES, {})["complianceRules"]["nodes"]
    assert {r["code"] for r in rules} >= set(demo["compliance"]["rules"])
    assert len(demo["compliance"]["rules"]) >= 2 and all(r["active"] for r in rules)
    rates = {r["group"]: r for r in stack.graphql(hr, RATES, {})["completionRates"]["nodes"]}
    assert sum(rates[r["course"]["code"]]["overdue"] for r in rules) > 0, rates
    mine = stack.graphql(employee, MY_LEARNING, {})["me"]
    assert "EXPIRING" in {c["status"] for c in mine["certifications"]}, mine
    assert ("OVERDUE", "COMPLIANCE") in {
        (e["status"], e["reason"]) for e in mine["enrollments"]["nodes"]
    }, mine
    team = stack.graphql(manager, TEAM_LEARNING, {})["teamLearningStatus"]["nodes"]
    assert sum(m["overdue"] for m in team) > 0, team

    # 3. Key roles with slates: successors with readiness (and its history).
    assert demo["succession"]["key_roles"]
    for code in demo["succession"]["key_roles"]:
        role = stack.graphql(hr, SLATE, {"code": code})["keyRole"]
        assert role["slate"] and role["benchStrength"]["total"] == len(role["slate"]), role
        assert all(s["readiness"] and s["readinessHistory"] for s in role["slate"]), role
    bench = stack.graphql(hr, BENCH, {})["benchStrengthReport"]["overall"]
    assert bench["readyNow"] + bench["readySoon"] + bench["readyLater"] >= len(
        demo["succession"]["key_roles"]
    )

    # 4. A closed calibration: members, calibrated employees, adjusted ratings with
    # reasons; its cycle was released and closed.
    calibration = demo["calibration"]
    [session] = stack.graphql(hr, SESSIONS, {"cycle": calibration["cycle_id"]})[
        "calibrationSessions"
    ]["nodes"]
    assert session["status"] == "CLOSED"
    assert {m["role"] for m in session["members"]} == {"FACILITATOR", "PARTICIPANT"}
    assert len(session["employees"]) >= 3
    assert all(e["finalRating"] for e in session["employees"])
    adjusted = [e for e in session["employees"] if e["finalRating"] != e["managerRating"]]
    assert adjusted and all(e["reason"] for e in adjusted), session
    assert cycles[calibration["cycle_id"]]["status"] == "CLOSED"

    # 5. The notifier: the HR leader receives succession notices, HR has a reminder
    # template, and it went to the managers behind in MANAGER_REVIEW (the demo manager
    # among them, in their inbox).
    admin = tokens["admin"]
    named = stack.graphql(admin, SUCCESSION_RECIPIENTS, {})["successionRecipients"]["nodes"]
    assert people["hr_leader"]["employee_id"] in {n["employee"]["id"] for n in named}
    templates = stack.graphql(hr, TEMPLATES, {})["announcementTemplates"]["nodes"]
    assert demo["announcement_template"] in {t["code"] for t in templates}
    sent = stack.graphql(hr, ANNOUNCEMENT, {"id": demo["announcement"]["id"]})["announcement"]
    recipients = {n["employee"]["id"] for n in sent["recipients"]["nodes"]}
    assert sent["status"] == "SENT" and recipients <= reviewers, (recipients, reviewers)
    assert people["manager"]["employee_id"] in recipients

    # The banner says it too.
    output = stack.output()
    assert f"Review cycle {annual['code']} open" in output
    assert "Calibration" in output and "Compliance:" in output and "Succession:" in output


def test_subgraphs_refuse_requests_that_bypass_the_gateway(stack: Stack) -> None:
    info = stack.info()
    response = httpx.post(
        info["services"]["people"]["url"],
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {info['tokens']['admin']}"},
    )
    assert response.status_code == 401


def test_import_moves_an_employee_to_another_manager(stack: Stack, tmp_path: Path) -> None:
    info = stack.info()
    token = info["tokens"]["manager"]
    manager = info["people"]["manager"]
    before = stack.graphql(token, TEAM_QUERY, {"manager": manager["employee_id"]})["employees"]
    moving = before["edges"][0]["node"]["employeeNumber"]
    employees = tmp_path / "seed"
    assert main(["seed", "--out", str(employees), "--employees", str(EMPLOYEES)]) == 0
    lines = (employees / "employees.csv").read_text().splitlines()
    row = next(line for line in lines if line.startswith(moving + ","))
    admin = info["people"]["admin"]["employee_number"]
    moved = re.sub(r",[^,]*,(active|terminated)$", rf",{admin},\1", row)
    (tmp_path / "move.csv").write_text(f"{lines[0]}\n{moved}\n")
    state = ["--state-dir", str(stack.state)]
    assert main(["import", "employees", str(tmp_path / "move.csv"), *state]) == 0
    after = stack.graphql(token, TEAM_QUERY, {"manager": manager["employee_id"]})["employees"]
    assert after["totalCount"] == before["totalCount"] - 1


def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    children = stack.child_pids()
    # broker, OIDC issuer, mail catcher, API and worker per service, gateway
    assert len(children) == 4 + 2 * len(service_names())
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(60) == 0
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not (stack.state / "dev.json").exists()
