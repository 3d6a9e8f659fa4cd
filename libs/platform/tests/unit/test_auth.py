"""Bearer tokens to principals: HS256 in dev, RS256 with a public key in production."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from talent_platform.auth import (
    AuthenticationError,
    AuthenticationUnavailable,
    Principal,
    Role,
    TokenVerifier,
    issue_token,
    unit_in_scope,
)
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
        (None, "Authentication required"),
        ("Basic abc", 'must be "Bearer <token>"'),
        ("Bearer not.a.jwt", "is invalid"),
    ],
)
def test_bad_headers_are_rejected(header: str | None, problem: str) -> None:
    with pytest.raises(AuthenticationError, match=problem) as refused:
        TokenVerifier(ServiceSettings()).from_header(header)
    if header is None:  # RFC 6750: no error code when no credentials were sent
        assert refused.value.challenge == "Bearer"
    else:
        assert refused.value.challenge.startswith('Bearer error="invalid_token"')


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
    with pytest.raises(AuthenticationError, match="expired") as refused:
        verifier.verify(expired)
    assert refused.value.expired
    assert 'error_description="The access token expired"' in refused.value.challenge
    for token in (other_aud, other_key):
        with pytest.raises(AuthenticationError, match="is invalid") as refused:
            verifier.verify(token)
        assert not refused.value.expired


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


class _Issuer:
    """A discovery document and a JWKS served over real HTTP, whose keys can change."""

    def __init__(self) -> None:
        self.keys: list[dict[str, object]] = []
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"}
                elif self.path == "/jwks":
                    body = {"keys": issuer.keys}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_key(self, algorithm: str) -> tuple[str, object]:
        kid = uuid.uuid4().hex[:8]
        private: object
        if algorithm == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
            public = json.loads(ECAlgorithm.to_jwk(private.public_key()))  # type: ignore[attr-defined]
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))  # type: ignore[attr-defined]
        self.keys.insert(0, {**public, "kid": kid, "alg": algorithm, "use": "sig"})
        return kid, private

    def token(self, kid: str, key: object, algorithm: str, **claims: object) -> str:
        now = dt.datetime.now(dt.UTC)
        payload = {
            "sub": str(uuid.uuid4()),
            "roles": ["hr_coordinator"],
            "org_units": ["SALES"],
            "aud": "talent",
            "iss": self.url,
            "exp": now + dt.timedelta(minutes=5),
            **claims,
        }
        return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})  # type: ignore[arg-type]


def test_oidc_issuer_keys_rotate_without_a_restart() -> None:
    issuer = _Issuer()
    try:
        verifier = TokenVerifier(ServiceSettings(oidc_issuer=issuer.url + "/"))
        old_kid, old_key = issuer.new_key("RS256")
        before = issuer.token(old_kid, old_key, "RS256")
        principal = verifier.verify(before)
        assert principal.roles == {Role.HR_COORDINATOR}
        assert principal.org_units == {"SALES"}

        new_kid, new_key = issuer.new_key("ES256")  # rotated: new key first, old kept
        time.sleep(1.1)  # the client fetches the key set at most once a second
        assert verifier.verify(issuer.token(new_kid, new_key, "ES256")).roles
        assert verifier.verify(before).roles  # signed-in clients keep working

        issuer.keys.pop()  # the old key is retired
        unknown = issuer.token(old_kid, old_key, "RS256")
        with pytest.raises(AuthenticationError, match="is invalid"):
            TokenVerifier(ServiceSettings(oidc_issuer=issuer.url)).verify(unknown)
        other_issuer = issuer.token(new_kid, new_key, "ES256", iss="http://elsewhere")
        with pytest.raises(AuthenticationError, match="is invalid"):
            verifier.verify(other_issuer)
        hs256 = issue_token(ServiceSettings(), subject="svc", roles=["admin"])
        with pytest.raises(AuthenticationError, match="is invalid"):
            verifier.verify(hs256)  # an issuer configured: the shared secret means nothing
    finally:
        issuer.server.shutdown()


def test_an_unreachable_issuer_is_not_the_clients_fault() -> None:
    verifier = TokenVerifier(ServiceSettings(oidc_issuer="http://127.0.0.1:9"))
    token = jwt.encode({"sub": "x"}, "k" * 40, algorithm="HS256", headers={"kid": "a"})
    with pytest.raises(AuthenticationUnavailable):
        verifier.verify(token)


def test_an_org_scope_limits_only_an_hr_coordinator() -> None:
    def who(*roles: Role, units: tuple[str, ...] = ("Sales",)) -> Principal:
        return Principal(
            subject="x", employee_id=None, roles=frozenset(roles), org_units=frozenset(units)
        )

    coordinator = who(Role.HR_COORDINATOR)
    assert coordinator.org_scope == {"Sales"} and not coordinator.is_hr_everywhere
    assert coordinator.covers_unit("Sales") and coordinator.covers_unit("Sales / EMEA / UK")
    assert not coordinator.covers_unit("Sales Ops") and not coordinator.covers_unit(None)
    assert who(Role.HR_COORDINATOR, units=()).is_hr_everywhere
    assert who(Role.HR_COORDINATOR, Role.HR_LEADER).is_hr_everywhere
    assert who(Role.ADMIN).org_scope is None
    assert who(Role.EMPLOYEE).org_scope is None and not who(Role.EMPLOYEE).covers_unit("Sales")
    assert unit_in_scope("A / B", ["X", "A"]) and not unit_in_scope("AB", ["A"])


def test_tokens_carry_the_org_scope() -> None:
    settings = ServiceSettings()
    token = issue_token(
        settings, subject="hr", roles=["hr_coordinator"], org_units=["Sales", "Sales", "HR"]
    )
    assert jwt.decode(token, options={"verify_signature": False})["org_units"] == ["HR", "Sales"]
    assert TokenVerifier(settings).verify(token).org_units == {"HR", "Sales"}
