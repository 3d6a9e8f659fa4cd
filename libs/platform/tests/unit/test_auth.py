"""Bearer tokens to principals: HS256 in dev, RS256 with a public key in production."""

from __future__ import annotations

import datetime as dt
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from talent_platform.auth import AuthenticationError, Role, TokenVerifier, issue_token
from talent_platform.errors import Forbidden
from talent_platform.settings import DEV_JWT_SECRET, ServiceSettings


def test_dev_token_round_trips_to_a_principal() -> None:
    settings = ServiceSettings(environment="dev")
    employee = uuid.uuid4()
    token = issue_token(
        settings, subject=str(employee), roles=["manager", "hr_leader", "astronaut"]
    )
    principal = TokenVerifier(settings).from_header(f"Bearer {token}")
    assert principal.employee_id == employee
    assert principal.roles == {Role.MANAGER, Role.HR_LEADER}  # unknown roles are dropped
    assert principal.is_hr
    with pytest.raises(Forbidden, match="admin"):
        principal.require(Role.ADMIN)


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (None, "missing bearer token"),
        ("Basic abc", "must be 'Bearer <token>'"),
        ("Bearer not.a.jwt", "invalid token"),
    ],
)
def test_bad_headers_are_rejected(header: str | None, problem: str) -> None:
    with pytest.raises(AuthenticationError, match=problem):
        TokenVerifier(ServiceSettings()).from_header(header)


def test_expired_wrong_audience_and_wrong_key_are_rejected() -> None:
    settings = ServiceSettings()
    now = dt.datetime.now(dt.UTC)
    base = {"sub": "svc", "roles": ["admin"], "aud": "talent", "iss": "talent"}
    expired = jwt.encode(
        {**base, "exp": now - dt.timedelta(minutes=1)}, DEV_JWT_SECRET, algorithm="HS256"
    )
    other_aud = jwt.encode(
        {**base, "aud": "other", "exp": now + dt.timedelta(hours=1)},
        DEV_JWT_SECRET,
        algorithm="HS256",
    )
    other_key = jwt.encode(
        {**base, "exp": now + dt.timedelta(hours=1)}, "x" * 40, algorithm="HS256"
    )
    verifier = TokenVerifier(settings)
    for token, problem in ((expired, "expired"), (other_aud, "Audience"), (other_key, "Signature")):
        with pytest.raises(AuthenticationError, match=problem):
            verifier.verify(token)


def test_service_account_tokens_have_no_employee() -> None:
    settings = ServiceSettings()
    principal = TokenVerifier(settings).verify(
        issue_token(settings, subject="importer", roles=["admin"])
    )
    assert principal.employee_id is None and principal.is_admin


def test_rs256_with_a_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = ServiceSettings(
        environment="production", jwt_algorithm="RS256", jwt_public_key=public_pem
    )
    claims = {
        "sub": str(uuid.uuid4()),
        "roles": ["employee"],
        "aud": "talent",
        "iss": "talent",
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    }
    principal = TokenVerifier(settings).verify(jwt.encode(claims, key, algorithm="RS256"))
    assert principal.roles == {Role.EMPLOYEE}
    hs256 = jwt.encode(claims, "y" * 40, algorithm="HS256")
    with pytest.raises(AuthenticationError):
        TokenVerifier(settings).verify(hs256)  # no algorithm confusion


def test_production_refuses_missing_or_dev_secrets() -> None:
    with pytest.raises(ValueError, match="jwt_secret is required"):
        ServiceSettings(environment="production")
    with pytest.raises(ValueError, match="dev JWT secret"):
        ServiceSettings(environment="production", jwt_secret=DEV_JWT_SECRET)
    with pytest.raises(ValueError, match="RS256 needs"):
        ServiceSettings(jwt_algorithm="RS256")
