"""Bearer tokens to a Principal, and the policy helpers services share.

Tokens are OpenID Connect access tokens (JWT): `sub` is the employee id (UUID), `roles` a
list of role names, `org_units` the HR org scope. With an issuer configured they are
verified (RS256 or ES256) with the keys of its JWKS, fetched again when a token names a key
not seen yet, so the issuer can rotate keys without restarting anything here; HS256 with a
shared secret is the test switch. Being a manager is not a token role: services derive it
from reporting lines.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.request
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import jwt

from talent_platform.errors import Forbidden
from talent_platform.settings import ServiceSettings


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_COORDINATOR = "hr_coordinator"
    HR_LEADER = "hr_leader"
    ADMIN = "admin"


HR_ROLES = frozenset({Role.HR_COORDINATOR, Role.HR_LEADER, Role.ADMIN})


class AuthenticationError(Exception):
    """The request carries no token, or an invalid one (`expired` when only its time ran
    out). The message is safe to show to the client."""

    def __init__(self, message: str, *, expired: bool = False, missing: bool = False) -> None:
        super().__init__(message)
        self.expired = expired
        self.missing = missing

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value (RFC 6750): no error code for a missing token,
        `invalid_token` with a description otherwise."""
        if self.missing:
            return "Bearer"
        return f'Bearer error="invalid_token", error_description="{self}"'


class AuthenticationUnavailable(Exception):
    """The issuer's keys cannot be fetched: not the client's fault."""


@dataclass(frozen=True)
class Principal:
    subject: str
    employee_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    # The org units (codes) an HR coordinator looks after; empty means the whole
    # organisation for other HR roles, nothing more for everyone else.
    org_units: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_hr(self) -> bool:
        return bool(self.roles & HR_ROLES)

    @property
    def org_scope(self) -> frozenset[str] | None:
        """The org units (with their sub-units) an HR coordinator's HR rights are limited
        to, from the token's `org_units`; None when the principal's rights are not limited
        by org unit (admin, hr_leader, a coordinator without a scope, non-HR people, whose
        rights follow their reporting lines instead)."""
        if not self.org_units or Role.HR_COORDINATOR not in self.roles:
            return None
        if self.roles & {Role.ADMIN, Role.HR_LEADER}:
            return None
        return self.org_units

    @property
    def is_hr_everywhere(self) -> bool:
        """HR rights over the whole organisation (HR without an org scope)."""
        return self.is_hr and self.org_scope is None

    def covers_unit(self, org_unit_code: str | None) -> bool:
        """Whether the principal's HR rights reach an employee of this org unit."""
        if not self.is_hr:
            return False
        scope = self.org_scope
        return scope is None or unit_in_scope(org_unit_code, scope)

    def require(self, *roles: Role) -> None:
        if not self.has_role(*roles):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(roles))}")


def unit_in_scope(org_unit_code: str | None, scope: Collection[str]) -> bool:
    """`org_unit_code` is one of `scope` or below one (org unit codes name their parents:
    `Engineering / Platform` is below `Engineering`)."""
    if not org_unit_code:
        return False
    return any(org_unit_code == unit or org_unit_code.startswith(unit + " / ") for unit in scope)


def _roles(raw: object) -> frozenset[Role]:
    if not isinstance(raw, list):
        return frozenset()
    known = {r.value for r in Role}
    return frozenset(Role(r) for r in raw if isinstance(r, str) and r in known)


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKClient | None = None
        self._jwks_lock = threading.Lock()
        if settings.oidc_issuer:
            self._algorithms = ["RS256", "ES256"]
            self._issuer = settings.oidc_issuer
        else:
            self._algorithms = [settings.jwt_algorithm]
            self._issuer = settings.jwt_issuer
            if settings.jwt_algorithm == "RS256" and settings.jwt_jwks_url:
                self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True)

    def _issuer_keys(self) -> jwt.PyJWKClient:
        """The issuer's JWKS client, found through its discovery document once."""
        with self._jwks_lock:
            if self._jwks is None:
                url = self.settings.jwt_jwks_url
                if not url:
                    discovery = f"{self._issuer}/.well-known/openid-configuration"
                    try:
                        with urllib.request.urlopen(discovery, timeout=5) as response:
                            url = str(json.load(response)["jwks_uri"])
                    except (OSError, ValueError, KeyError) as exc:
                        raise AuthenticationUnavailable(f"{discovery}: {exc}") from exc
                # A token naming a key not cached makes the client fetch the set again,
                # at most once a second (so a flood of made-up key ids cannot hammer the
                # issuer, and a rotated key is picked up within a second).
                self._jwks = jwt.PyJWKClient(url, cache_keys=True, timeout=5, cooldown_duration=1)
            return self._jwks

    def _key(self, token: str) -> Any:
        if self.settings.oidc_issuer or self._jwks is not None:
            try:
                return self._issuer_keys().get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError as exc:
                raise AuthenticationUnavailable(str(exc)) from exc
        if self.settings.jwt_algorithm == "HS256":
            return self.settings.jwt_secret
        return self.settings.jwt_public_key

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=self._algorithms,
                audience=self.settings.jwt_audience,
                issuer=self._issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("The access token expired", expired=True) from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError("The access token is invalid") from exc
        subject = str(claims["sub"])
        try:
            employee_id: uuid.UUID | None = uuid.UUID(subject)
        except ValueError:
            employee_id = None  # a service account
        units = claims.get("org_units")
        return Principal(
            subject=subject,
            employee_id=employee_id,
            roles=_roles(claims.get("roles")),
            org_units=frozenset(u for u in units if isinstance(u, str))
            if isinstance(units, list)
            else frozenset(),
        )

    def from_header(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("Authentication required", missing=True)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError('The Authorization header must be "Bearer <token>"')
        return self.verify(token.strip())


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    roles: Iterable[str],
    name: str | None = None,
    org_units: Iterable[str] = (),
    lifetime: dt.timedelta = dt.timedelta(days=30),
) -> str:
    """Mint an HS256 token (dev and tests only: production tokens come from the IdP)."""
    if settings.jwt_algorithm != "HS256" or not settings.jwt_secret:
        raise RuntimeError("issue_token needs HS256 with a secret")
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted(set(roles)),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + lifetime,
    }
    if name:
        claims["name"] = name
    units = sorted(set(org_units))
    if units:
        claims["org_units"] = units
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
