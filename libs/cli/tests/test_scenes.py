"""The demo scenes' building blocks, without a stack (test_dev_up.py plays them for real):
signing many people in, the directory's reporting trees, refused mutations, dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from talent_cli.demo.scenes import Directory, Gateway, Person, SceneError
from talent_cli.identity import IdentityFiles
from talent_cli.tokens import SignIns
from talent_platform.calendar import add_months


def person(pid: str, manager: str | None = None, *, active: bool = True) -> Person:
    return Person(
        id=pid,
        number=f"E{pid}",
        name=f"Person {pid}",
        active=active,
        hire_date=dt.date(2020, 1, 1),
        location=None,
        unit=None,
        manager_id=manager,
    )


def test_add_accounts_keeps_who_is_listed_already(tmp_path: Path) -> None:
    identity = IdentityFiles(tmp_path)
    identity.ensure()
    identity.put_account("hr", roles=["hr_leader", "employee"], name="Head of HR")
    identity.add_accounts({"hr": "Someone else", "new": "New Person"}, roles=["employee"])
    accounts = json.loads(identity.accounts_path.read_text())
    assert accounts["hr"]["roles"] == ["employee", "hr_leader"]
    assert accounts["hr"]["name"] == "Head of HR"
    assert accounts["new"] == {"name": "New Person", "roles": ["employee"], "org_units": []}


def test_sign_ins_without_an_issuer_mint_employee_tokens() -> None:
    accounts = SignIns(secret="s" * 48)
    accounts.register({"e1": "Ada"})
    claims = jwt.decode(accounts.token("e1"), options={"verify_signature": False})
    assert (claims["sub"], claims["roles"]) == ("e1", ["employee"])
    accounts.close()


def test_the_directory_walks_active_reports_breadth_first() -> None:
    directory = Directory(
        [
            person("1"),
            person("2", "1"),
            person("3", "1"),
            person("4", "2"),
            person("5", "4"),
            person("6", "2", active=False),
        ]
    )
    assert [(depth, p.id) for depth, p in directory.below("1")] == [
        (1, "2"),
        (1, "3"),
        (2, "4"),
        (3, "5"),
    ]
    assert [p.id for _, p in directory.below("1", depth=2)] == ["2", "3", "4"]
    assert directory.manages("2") and not directory.manages("3")


def gateway_answering(body: dict[str, Any]) -> Gateway:
    gateway = Gateway("http://gateway.test/graphql")
    gateway.http = httpx.Client(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    )
    return gateway


def test_a_refused_mutation_is_a_scene_error_naming_it_and_its_fields() -> None:
    gateway = gateway_answering(
        {
            "data": {
                "createReviewCycle": {
                    "__typename": "ValidationError",
                    "message": "Invalid input",
                    "fields": [{"field": "input.code", "message": "exists already"}],
                }
            }
        }
    )
    with pytest.raises(
        SceneError,
        match=r"createReviewCycle was refused \(ValidationError\).*input.code: exists already",
    ):
        gateway.mutate(
            "t", "mutation { createReviewCycle { __typename } }", {}, expect="ReviewCyclePayload"
        )


def test_an_error_entry_is_a_scene_error_with_its_code() -> None:
    gateway = gateway_answering(
        {"data": None, "errors": [{"message": "not allowed", "extensions": {"code": "FORBIDDEN"}}]}
    )
    with pytest.raises(SceneError, match="keyRoles was refused: not allowed FORBIDDEN"):
        gateway.query("t", "{ keyRoles { totalCount } }")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 12, 20), -12, dt.date(2025, 12, 20)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 15), -24, dt.date(2024, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected
