"""Identity through the gateway: tokens from the local OpenID Connect issuer (oidc-provider,
started by `talent dev up`), refusals that say why, and key rotation without restarts."""

from __future__ import annotations

import time

import httpx
import jwt

from .conftest import Stack, raw_post

ME = {"query": "{ me { id name } }"}


def _issuer(stack: Stack) -> str:
    issuer = stack.info["issuer"]
    assert isinstance(issuer, str) and issuer.startswith("http://127.0.0.1:")
    return issuer


def _published_kids(stack: Stack) -> set[str]:
    keys = httpx.get(f"{_issuer(stack)}/jwks", timeout=10).json()["keys"]
    return {k["kid"] for k in keys}


def test_the_issuer_is_a_discoverable_openid_provider(stack: Stack) -> None:
    issuer = _issuer(stack)
    config = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == issuer
    assert "authorization_code" in config["grant_types_supported"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    token = stack.tokens["employee"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == issuer and claims["aud"] == "talent"
    assert jwt.get_unverified_header(token)["kid"] in _published_kids(stack)


def test_every_role_has_a_working_demo_token(stack: Stack) -> None:
    assert set(stack.tokens) == {"admin", "hr_leader", "hr_coordinator", "manager", "employee"}
    for role, token in stack.tokens.items():
        me = raw_post(stack, ME, token=token)
        assert me.status_code == 200, (role, me.text)
        assert me.json()["data"]["me"]["id"] == stack.info["people"][role]["employee_id"]
    coordinator = jwt.decode(stack.tokens["hr_coordinator"], options={"verify_signature": False})
    assert coordinator["roles"] == ["employee", "hr_coordinator"]
    assert coordinator["org_units"] == stack.info["people"]["hr_coordinator"]["org_units"]


def test_a_401_says_whether_the_token_is_missing_invalid_or_expired(stack: Stack) -> None:
    missing = raw_post(stack, ME)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    forged = stack.tokens["admin"][:-6] + "AAAAAA"
    invalid = raw_post(stack, ME, token=forged)
    assert invalid.status_code == 401
    assert invalid.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="The access token is invalid"'
    )

    employee = stack.info["people"]["employee"]["employee_id"]
    short = stack.talent(
        "token", "--employee-id", employee, "--role", "employee", "--short-lived"
    ).stdout.strip()
    claims = jwt.decode(short, options={"verify_signature": False})
    assert raw_post(stack, ME, token=short).status_code == 200
    time.sleep(max(0.0, claims["exp"] - time.time()) + 1.5)
    expired = raw_post(stack, ME, token=short)
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="The access token expired"'
    )
    assert expired.json()["errors"][0]["message"] == "The access token expired"


def test_rotating_the_issuers_key_keeps_signed_in_clients_working(stack: Stack) -> None:
    employee = stack.info["people"]["employee"]["employee_id"]
    before = stack.token_for(employee, "employee")
    assert raw_post(stack, ME, token=before).status_code == 200  # keys cached everywhere

    rotated = stack.talent("dev", "rotate-key").stdout
    new_kid = rotated.split()[2]
    deadline = time.monotonic() + 10
    while new_kid not in _published_kids(stack):  # the issuer reloads its key file
        assert time.monotonic() < deadline, "the issuer did not publish the new key"
        time.sleep(0.2)
    time.sleep(1.2)  # verifiers fetch an issuer's key set at most once a second

    after = stack.token_for(employee, "employee")
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    assert jwt.get_unverified_header(before)["kid"] != new_kid
    # Gateway and subgraphs learn the new key on their own, and still accept the old one.
    for token in (after, before):
        answer = raw_post(stack, ME, token=token)
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["me"]["id"] == employee
