"""Acceptance through the gateway with a real GraphQL client (gql over HTTP)."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError, TransportServerError
from kafka import KafkaConsumer, KafkaProducer

from talent_contracts.csv import CSV_COLUMNS
from talent_devtools.broker import TANSU_FAST_CONSUMER

from .conftest import Stack, raw_post, wait_until

pytestmark = pytest.mark.e2e

ME = "{ me { id name employeeNumber manager { id } directReports { id } reportingChain { id } } }"
TEAM = """query($m: ID!) {
  employees(first: 100, filter: {managerId: $m}) {
    totalCount
    nodes { id name completions(first: 5) { totalCount nodes { course { code title } completedOn score } } }
  }
}"""
CHAIN = "query($id: ID!) { employee(id: $id) { reportingChain { id } } }"
COMPLETIONS = "query($id: ID!) { employee(id: $id) { id completions { totalCount } } }"
ROW = """query($id: ID!) { employee(id: $id) {
  id employeeNumber name email hireDate status location orgUnit { code } jobProfile { code } manager { id employeeNumber }
} }"""


def me(stack: Stack, token: str) -> dict[str, Any]:
    return stack.query(token, ME)["me"]  # type: ignore[no-any-return]


def completions_visible(stack: Stack, token: str, employee_id: str) -> bool:
    """Whether the caller sees the employee's completions; a refusal must be a null with a
    FORBIDDEN error at that field, the employee itself still there."""
    data, errors = stack.partial(token, COMPLETIONS, {"id": employee_id})
    if data["employee"]["completions"] is not None:
        assert errors == [], errors
        return True
    assert errors == [(["employee", "completions"], "FORBIDDEN")], errors
    assert data["employee"]["id"] == employee_id
    return False


def employees_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS["employees"])
    for r in rows:
        writer.writerow(
            [
                r["employeeNumber"],
                r["name"],
                r["email"],
                r["hireDate"],
                (r["jobProfile"] or {}).get("code", ""),
                (r["orgUnit"] or {}).get("code", ""),
                r["location"] or "",
                r["newManager"],
                r["status"].lower(),
            ]
        )
    return out.getvalue()


def other_manager(stack: Stack, avoid: set[str], report: dict[str, Any]) -> dict[str, Any]:
    """A manager unrelated to `report`'s current reporting line."""
    admin = stack.tokens["admin"]
    page = stack.query(
        admin,
        "{ employees(first: 100, filter: {status: ACTIVE}) { nodes { id employeeNumber "
        "directReports { id } reportingChain { id } } } }",
    )["employees"]["nodes"]
    chain = {
        m["id"]
        for m in stack.query(admin, CHAIN, {"id": report["id"]})["employee"]["reportingChain"]
    }
    for candidate in page:
        related = {c["id"] for c in candidate["reportingChain"]}
        if (
            candidate["directReports"]
            and candidate["id"] not in avoid | chain
            and report["id"] not in related
            and not related & avoid
        ):
            return candidate  # type: ignore[no-any-return]
    pytest.fail("no unrelated manager in the demo organisation")


def move(stack: Stack, tmp_path: Path, employee_id: str, manager_number: str) -> str:
    row = stack.query(stack.tokens["admin"], ROW, {"id": employee_id})["employee"]
    path = tmp_path / f"move-{uuid.uuid4().hex[:6]}.csv"
    path.write_text(employees_csv([{**row, "newManager": manager_number}]))
    return stack.talent("import", "employees", str(path)).stdout


def test_requests_without_a_valid_token_get_401(stack: Stack) -> None:
    assert raw_post(stack, {"query": "{ me { id } }"}).status_code == 401
    assert raw_post(stack, {"query": "{ me { id } }"}, token="not-a-jwt").status_code == 401
    # gql reads the 401's JSON body and raises it as a query error.
    with pytest.raises((TransportServerError, TransportQueryError), match=r"UNAUTHENTICATED|401"):
        stack.query(None, "{ me { id } }")


def test_manager_sees_their_reports_with_completions(stack: Stack) -> None:
    token = stack.tokens["manager"]
    manager = me(stack, token)
    team = stack.query(token, TEAM, {"m": manager["id"]})["employees"]
    assert team["totalCount"] == len(manager["directReports"]) >= 3
    assert all(member["completions"] is not None for member in team["nodes"])
    assert any(member["completions"]["totalCount"] > 0 for member in team["nodes"])
    first = next(m for m in team["nodes"] if m["completions"]["totalCount"])
    assert first["completions"]["nodes"][0]["course"]["title"]


def test_employee_sees_only_their_own_completions(stack: Stack) -> None:
    token = stack.tokens["employee"]
    self_ = me(stack, token)
    own = stack.query(token, COMPLETIONS, {"id": self_["id"]})["employee"]
    assert own["completions"]["totalCount"] > 0
    assert self_["manager"] is not None
    assert not completions_visible(stack, token, self_["manager"]["id"])
    hr = stack.tokens["hr_leader"]
    assert completions_visible(stack, hr, self_["id"])


def test_imported_manager_change_moves_visibility_between_managers(
    stack: Stack, tmp_path: Path
) -> None:
    old_token = stack.tokens["manager"]
    old = me(stack, old_token)
    report = stack.query(stack.tokens["admin"], ROW, {"id": old["directReports"][0]["id"]})[
        "employee"
    ]
    new = other_manager(stack, {old["id"]}, report)
    new_token = stack.token_for(new["id"], "employee")
    assert completions_visible(stack, old_token, report["id"])
    assert not completions_visible(stack, new_token, report["id"])

    output = move(stack, tmp_path, report["id"], new["employeeNumber"])
    assert "updated" in output

    took = wait_until(lambda: completions_visible(stack, new_token, report["id"]))
    assert not completions_visible(stack, old_token, report["id"])
    print(f"learning's projection followed the import in {took:.2f} s")
    # The directory stays open; the moved report's completions are now refused to them.
    data, errors = stack.partial(old_token, TEAM, {"m": new["id"]})
    directory = data["employees"]["nodes"]
    assert report["id"] in {n["id"] for n in directory}
    refused = [n for n in directory if n["completions"] is None]
    assert refused and errors  # the gateway may report entities' errors without an index
    assert {(tuple(p[:2]), p[-1], code) for p, code in errors} == {
        (("employees", "nodes"), "completions", "FORBIDDEN")
    }

    move(stack, tmp_path, report["id"], report["manager"]["employeeNumber"])  # put it back
    wait_until(lambda: completions_visible(stack, old_token, report["id"]))


def test_a_bad_import_changes_nothing_and_says_which_rows(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"
        "X1,Nobody,nobody@example.com,2020-02-30,,,,,active\n"
        "X2,Nobody Else,else@example.com,2020-02-01,,,,NOPE,active\n"
    )
    result = stack.talent("import", "employees", str(path), check=False)
    assert result.returncode == 1
    assert "row 2: hire_date" in result.stdout + result.stderr
    assert "row 3: manager_id: unknown employee 'NOPE'" in result.stdout + result.stderr
    found = stack.query(
        stack.tokens["admin"], '{ employees(filter: {search: "X1"}) { totalCount } }'
    )
    assert found["employees"]["totalCount"] == 0


def test_poison_message_goes_to_the_dlq_and_the_consumer_keeps_going(
    stack: Stack, tmp_path: Path
) -> None:
    broker = stack.info["broker"]
    producer = KafkaProducer(bootstrap_servers=broker, enable_idempotence=False)
    poison = f"poison-{uuid.uuid4().hex[:8]}".encode()
    producer.send(
        "talent.people.v1",
        key=b"poison",
        value=poison,
        headers=[("ce_specversion", b"1.0"), ("ce_id", poison)],
    ).get(timeout=10)
    producer.close()

    old_token = stack.tokens["manager"]
    old = me(stack, old_token)
    report = stack.query(stack.tokens["admin"], ROW, {"id": old["directReports"][-1]["id"]})[
        "employee"
    ]
    new = other_manager(stack, {old["id"]}, report)
    new_token = stack.token_for(new["id"], "employee")
    move(stack, tmp_path, report["id"], new["employeeNumber"])
    wait_until(lambda: completions_visible(stack, new_token, report["id"]))
    move(stack, tmp_path, report["id"], report["manager"]["employeeNumber"])
    wait_until(lambda: completions_visible(stack, old_token, report["id"]))

    consumer = KafkaConsumer(
        "talent.people.v1.dlq",
        bootstrap_servers=broker,
        group_id=f"e2e-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **TANSU_FAST_CONSUMER,
    )
    found: list[Any] = []
    try:
        wait_until(
            lambda: (
                found.extend(
                    r
                    for batch in consumer.poll(timeout_ms=500).values()
                    for r in batch
                    if r.value == poison
                )
                or b"talent-learning" in groups(found)
            ),
            timeout=60,
        )
    finally:
        consumer.close()
    # Every service consuming people's topic dead-letters the poison with its own group.
    assert b"talent-learning" in groups(found)
    for record in found:
        assert b"missing header" in dict(record.headers)["talent_error"]


def groups(records: list[Any]) -> set[bytes]:
    return {dict(r.headers)["talent_consumer_group"] for r in records}


def test_replaying_people_history_is_harmless_to_learning(stack: Stack) -> None:
    result = stack.talent("events", "replay", "--service", "people")
    assert result.returncode == 0
    manager = me(stack, stack.tokens["manager"])
    for report in manager["directReports"]:
        assert completions_visible(stack, stack.tokens["manager"], report["id"])


def test_errors_through_the_gateway_carry_the_contracts_codes_and_leak_nothing(
    stack: Stack,
) -> None:
    # A NUL byte in an argument reaches the succession database's driver; a long one is
    # not echoed back whole; an employee's read of HR-only data is refused with its code.
    admin, employee = stack.tokens["admin"], stack.tokens["employee"]
    found = raw_post(stack, {"query": 'query { keyRole(code: "CF\\u0000O") { code } }'}, admin)
    # A malformed id is refused with a message that quotes it: cut, not echoed whole.
    long = raw_post(
        stack,
        {
            "query": "query ($id: ID!) { developmentPlan(id: $id) { id } }",
            "variables": {"id": "X" * 100_000},
        },
        admin,
    )
    # One refused field keeps the rest of a combined query's data.
    refused = raw_post(stack, {"query": "{ me { name } keyRoles { totalCount } }"}, employee)

    nul = found.json()
    assert [e["extensions"]["code"] for e in nul["errors"]] == ["BAD_USER_INPUT"]
    for leak in ("psycopg", "SELECT", "0x00", "key_role"):
        assert leak not in found.text
    assert [e["extensions"]["code"] for e in long.json()["errors"]] == ["BAD_USER_INPUT"]
    assert long.status_code == 200 and len(long.text) < 2_000
    answer = refused.json()
    assert [(e["path"], e["extensions"]["code"]) for e in answer["errors"]] == [
        (["keyRoles"], "FORBIDDEN")
    ]
    assert answer["data"]["keyRoles"] is None and answer["data"]["me"]["name"]
