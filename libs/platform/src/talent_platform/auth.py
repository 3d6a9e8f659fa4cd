"""Bearer tokens to a Principal, and the policy helpers services share.

Tokens are OIDC-style JWTs: `sub` is the employee id (UUID), `roles` a list of role
names. HS256 with a shared secret in dev, RS256 with a JWKS URL or a PEM public key in
production. Being a manager is not a token role: services derive it from reporting lines.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
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
    """The request carries no token, or an invalid one."""


@dataclass(frozen=True)
class Principal:
    subject: str
    employee_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_hr(self) -> bool:
        return bool(self.roles & HR_ROLES)

    def require(self, *roles: Role) -> None:
        if not self.has_role(*roles):
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(roles))}")


def _roles(raw: object) -> frozenset[Role]:
    if not isinstance(raw, list):
        return frozenset()
    known = {r.value for r in Role}
    return frozenset(Role(r) for r in raw if isinstance(r, str) and r in known)


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKClient | None = None
        if settings.jwt_algorithm == "RS256" and settings.jwt_jwks_url:
            self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True)

    def _key(self, token: str) -> Any:
        if self.settings.jwt_algorithm == "HS256":
            return self.settings.jwt_secret
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        return self.settings.jwt_public_key

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=[self.settings.jwt_algorithm],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"invalid token: {exc}") from exc
        subject = str(claims["sub"])
        try:
            employee_id: uuid.UUID | None = uuid.UUID(subject)
        except ValueError:
            employee_id = None  # a service account
        return Principal(
            subject=subject, employee_id=employee_id, roles=_roles(claims.get("roles"))
        )

    def from_header(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("authorization header must be 'Bearer <token>'")
        return self.verify(token.strip())


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    roles: Iterable[str],
    name: str | None = None,
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
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
