"""Successor suggestions through the gateway: the recommender ranks plausible, active
successors for a demo key role once it has consumed succession's events, only hr_leader
and admin see them, and nominating one in succession with its id marks it accepted."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from talent_devtools.testing import wait_for
from talent_platform.observability.metrics import sample_values

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

KEY_ROLES = """{ keyRoles(first: 100) { nodes {
  id code title jobProfileCode vacant incumbent { id } } } }"""
SUGGESTIONS = """query ($code: String!, $first: Int!) { keyRole(code: $code) {
  id code
  successorSuggestions(first: $first) {
    id score readiness readinessAssessed fit reasons slateRank accepted
    employee { id name status orgUnit { code } jobProfile { code family level } }
  }
  successorSuggestionOrgUnits(first: $first) { orgUnitCode suggestions share }
} }"""
JOB_PROFILE = "query ($code: String!) { jobProfile(code: $code) { code family level } }"
NOMINATE = """mutation ($input: NominateSuccessorInput!) {
  nominateSuccessor(input: $input) {
    __typename
    ... on NominationPayload { nomination { id rank readiness suggestionId employee { id } } }
    ... on ValidationError { fields { field message } }
    ... on Error { message }
  }
}"""
SLATE = """query ($code: String!) { keyRole(code: $code) {
  slate { rank suggestionId employee { id } } } }"""
HISTORY = """query ($id: ID!) { employee(id: $id) {
  recommendationHistory(first: 100) { id kind keyRoleId accepted acceptedVia } } }"""
GRANT = """mutation ($input: SuccessionAccessInput!) {
  grantSuccessionAccess(input: $input) { __typename ... on AccessGrantPayload { granted } } }"""
REVOKE = """mutation ($input: SuccessionAccessInput!) {
  revokeSuccessionAccess(input: $input) { __typename } }"""
# How far below the role's job level the recommender looks for successors.
LEVELS_BELOW = 2


def metric(url: str, name: str) -> float:
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return sum(value for _, value in sample_values(response.text, name))


def wait_for_recommender_to_catch_up(stack: Stack) -> None:
    """Every producer's outbox relayed, then no consumer lag in the recommender: the demo
    organisation's events (job profiles, employees, evidence, key roles) are all in its
    projections, so the suggestions rest on the whole seeded organisation."""
    services = stack.info["services"]
    for name in ("people", "learning", "performance", "succession"):
        url = services[name]["metrics"]
        wait_until(lambda url=url: metric(url, "talent_outbox_backlog") == 0, timeout=120)
    worker = services["recommender"]["worker_metrics"]
    wait_until(lambda: metric(worker, "talent_consumer_lag") == 0, timeout=120)


def demo_key_role(stack: Stack, token: str) -> dict[str, Any]:
    """The first held key role of the demo organisation (by code) with a job profile; at
    the e2e size (150 employees) that is the CEO's, with the VPs and level-4 managers
    below it as candidates."""
    roles = stack.query(token, KEY_ROLES)["keyRoles"]["nodes"]
    held = [
        r
        for r in roles
        if r["code"].startswith("KR-")
        and r["jobProfileCode"]
        and r["incumbent"]
        and not r["vacant"]
    ]
    assert held, f"the demo organisation has no held key role with a job profile: {roles}"
    chosen: dict[str, Any] = min(held, key=lambda r: r["code"])
    return chosen


def suggestions_for(
    stack: Stack, token: str, code: str, *, first: int = 10
) -> dict[str, Any] | None:
    """The key role with its suggestions as the caller sees it; None while the
    recommender has not consumed the role's definition (it answers "key role ... not
    found" until then). Any other error is raised."""
    try:
        found: dict[str, Any] | None = stack.query(
            token, SUGGESTIONS, {"code": code, "first": first}
        )["keyRole"]
    except TransportQueryError as error:
        if error.errors and all("not found" in e["message"] for e in error.errors):
            return None
        raise
    return found


def test_suggested_successors_are_plausible_confidential_and_accepted_by_nomination(
    stack: Stack,
) -> None:
    hr = stack.tokens["hr_leader"]
    admin = stack.tokens["admin"]
    role = demo_key_role(stack, hr)
    code, incumbent = role["code"], role["incumbent"]["id"]

    # The recommender builds its key role projection from talent.succession.v1.
    wait_for_recommender_to_catch_up(stack)
    answers: list[dict[str, Any] | None] = []

    def suggested() -> bool:
        answers.append(suggestions_for(stack, hr, code))
        return bool(answers[-1] and answers[-1]["successorSuggestions"])

    if not wait_for(suggested, timeout=90, interval=0.5):
        pytest.fail(f"no successor suggestions for {code}; last answer: {answers[-1:]}")
    served = answers[-1]
    assert served is not None
    assert served["id"] == role["id"]
    suggestions = served["successorSuggestions"]

    # 1. A ranked list of active people with reasons, never the incumbent.
    assert len(suggestions) >= 3, suggestions
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True), scores
    assert all(0 <= s <= 1 for s in scores), scores
    for s in suggestions:
        assert s["employee"]["name"], s  # resolved by people through the gateway
        assert s["employee"]["status"] == "ACTIVE", s["employee"]
        assert s["employee"]["id"] != incumbent
        assert s["readiness"] in {"READY_NOW", "READY_1_2_YEARS", "READY_3_PLUS_YEARS"}
        assert 0 <= s["fit"] <= 1, s
        assert any(r.startswith("meets ") and role["title"] in r for r in s["reasons"]), s
        assert s["accepted"] is False and s["slateRank"] is None, s
    assert len({s["employee"]["id"] for s in suggestions}) == len(suggestions)

    # Where the suggestions come from: the shares add up, and match people's org units.
    units = served["successorSuggestionOrgUnits"]
    assert sum(u["suggestions"] for u in units) == len(suggestions), units
    assert math.isclose(sum(u["share"] for u in units), 1.0, abs_tol=0.01), units
    assert {u["orgUnitCode"]: u["suggestions"] for u in units} == Counter(
        (s["employee"]["orgUnit"] or {}).get("code") for s in suggestions
    )

    # 2. Plausible: the whole organisation is searched and fit leads (the secondary parts
    # move a score by at most about 0.15); each suggestion's adjacency reason agrees with
    # people's job families and levels, and says when someone is off the usual path.
    target = stack.query(hr, JOB_PROFILE, {"code": role["jobProfileCode"]})["jobProfile"]
    top = suggestions[0]
    fits = [s["fit"] for s in suggestions]
    assert top["fit"] >= max(fits) - 0.2, fits
    for s in suggestions:
        profile = s["employee"]["jobProfile"]
        assert profile is not None, s
        below = target["level"] - profile["level"]
        if profile["family"] == target["family"] and below in (0, 1, 2):
            assert any(r.endswith("in the same job family") for r in s["reasons"]), s
        elif profile["family"] != target["family"] and below in (0, 1):
            assert any(r.endswith("in another job family") for r in s["reasons"]), s
        else:
            assert any(r.endswith("outside the usual path") for r in s["reasons"]), s
        assert any(r.startswith(("fit carried by ", "gap of ")) for r in s["reasons"]), s

    # 3. Managers and employees see no key role, so no suggestions either.
    for role_name in ("manager", "employee"):
        with pytest.raises(TransportQueryError, match="hr_leader and admin only") as denied:
            stack.query(stack.tokens[role_name], SUGGESTIONS, {"code": code, "first": 10})
        assert not (denied.value.data or {}).get("keyRole"), denied.value.data
    # An hr_coordinator granted succession access sees the role, but not the suggestions.
    coordinator = stack.info["people"]["employee"]["employee_id"]
    granted = stack.query(admin, GRANT, {"input": {"subject": coordinator}})
    assert granted["grantSuccessionAccess"] == {"__typename": "AccessGrantPayload", "granted": True}
    try:
        token = stack.token_for(coordinator, "employee", "hr_coordinator")
        assert stack.query(token, SLATE, {"code": code})["keyRole"] is not None
        with pytest.raises(
            TransportQueryError, match="successor suggestions are visible to hr_leader"
        ) as denied:
            stack.query(token, SUGGESTIONS, {"code": code, "first": 10})
        # The refused field answers null; the key role, which they may see, stays.
        seen = (denied.value.data or {})["keyRole"]
        assert seen["code"] == code and seen["successorSuggestions"] is None, seen
    finally:
        stack.query(admin, REVOKE, {"input": {"subject": coordinator}})

    # 4. HR nominates the top suggestion with its id: the recommender marks it accepted.
    nominated = stack.query(
        hr,
        NOMINATE,
        {
            "input": {
                "keyRoleCode": code,
                "employeeId": top["employee"]["id"],
                "readiness": top["readiness"],
                "notes": "accepted from the recommender's suggestions",
                "suggestionId": top["id"],
            }
        },
    )["nominateSuccessor"]
    assert nominated["__typename"] == "NominationPayload", nominated
    nomination = nominated["nomination"]
    assert nomination["suggestionId"] == top["id"]
    slate = stack.query(hr, SLATE, {"code": code})["keyRole"]["slate"]
    assert {"rank": nomination["rank"], "suggestionId": top["id"]} in [
        {"rank": s["rank"], "suggestionId": s["suggestionId"]} for s in slate
    ]

    def accepted() -> dict[str, Any] | None:
        # Up to 50: HR's readiness now weighs in the score, which may move it down.
        found = suggestions_for(stack, hr, code, first=50)
        same = [s for s in (found or {}).get("successorSuggestions", []) if s["id"] == top["id"]]
        return same[0] if same and same[0]["accepted"] else None

    wait_until(accepted, timeout=60)
    now = accepted()
    assert now is not None
    assert now["employee"]["id"] == top["employee"]["id"]
    assert now["slateRank"] == nomination["rank"]
    assert now["readiness"] == nomination["readiness"] and now["readinessAssessed"] is True
    assert any(r.startswith(f"on the slate (rank {nomination['rank']})") for r in now["reasons"])
    history = stack.query(hr, HISTORY, {"id": top["employee"]["id"]})["employee"]
    record = next(h for h in history["recommendationHistory"] if h["id"] == top["id"])
    assert record == {
        "id": top["id"],
        "kind": "SUCCESSOR",
        "keyRoleId": role["id"],
        "accepted": True,
        "acceptedVia": "NOMINATION",
    }


DISMISS = """mutation ($input: DismissSuccessorSuggestionInput!) {
  dismissSuccessorSuggestion(input: $input) {
    __typename
    ... on DismissSuccessorSuggestionPayload {
      dismissal { suggestionId reason keyRole { id code } employee { id name } }
    }
    ... on Error { message }
  }
}"""


def test_a_dismissed_successor_suggestion_does_not_come_back(stack: Stack) -> None:
    hr = stack.tokens["hr_leader"]
    role = demo_key_role(stack, hr)
    code = role["code"]
    wait_for_recommender_to_catch_up(stack)
    answers: list[list[dict[str, Any]]] = []

    def suggested() -> bool:
        answers.append((suggestions_for(stack, hr, code) or {}).get("successorSuggestions") or [])
        return bool(answers[-1])

    wait_until(suggested, timeout=90)
    served = answers[-1]
    # One HR did not put on the slate (a slate member would come back).
    chosen = next(s for s in served if s["slateRank"] is None)
    request = {"input": {"suggestionId": chosen["id"], "reason": "declined a move"}}

    # Only hr_leader and admin may dismiss: a manager is refused, nothing changes.
    refused = stack.query(stack.tokens["manager"], DISMISS, request)["dismissSuccessorSuggestion"]
    assert refused["__typename"] == "Forbidden", refused

    done = stack.query(hr, DISMISS, request)["dismissSuccessorSuggestion"]
    assert done["__typename"] == "DismissSuccessorSuggestionPayload", done
    dismissal = done["dismissal"]
    assert dismissal["suggestionId"] == chosen["id"] and dismissal["reason"] == "declined a move"
    # The gateway resolves the entities through their owners.
    assert dismissal["keyRole"] == {"id": role["id"], "code": code}
    assert dismissal["employee"]["id"] == chosen["employee"]["id"]
    assert dismissal["employee"]["name"] == chosen["employee"]["name"]

    after = suggestions_for(stack, hr, code, first=50)
    assert after is not None
    assert chosen["employee"]["id"] not in {
        s["employee"]["id"] for s in after["successorSuggestions"]
    }
    again = stack.query(hr, DISMISS, request)["dismissSuccessorSuggestion"]
    assert again["__typename"] == "Conflict", again
