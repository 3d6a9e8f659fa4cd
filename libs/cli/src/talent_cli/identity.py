"""The local OpenID Connect issuer's files, and signing in to it.

`talent dev up` runs identity/issuer.mjs (oidc-provider) with two files of the state
directory: `identity/keys.json`, its private signing keys (the first one signs; rotation
puts a new key first and keeps the previous one published, so tokens already handed out
keep verifying), and `identity/accounts.json`, its directory of people (roles and HR org
scope per employee id). Signing in is the standard authorization-code flow with PKCE; the
dev issuer's sign-in form accepts any listed account without a password.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLI_CLIENT = "talent-cli"
SHORT_LIVED_CLIENT = "talent-short-lived"
KEYS_KEPT = 2


class IdentityError(RuntimeError):
    pass


@dataclass(frozen=True)
class IdentityFiles:
    directory: Path

    @property
    def keys_path(self) -> Path:
        return self.directory / "keys.json"

    @property
    def accounts_path(self) -> Path:
        return self.directory / "accounts.json"

    def ensure(self) -> None:
        """Create a signing key and an empty account directory when missing."""
        if not self.keys_path.exists():
            self._write(self.keys_path, {"keys": [_new_key()]})
        if not self.accounts_path.exists():
            self._write(self.accounts_path, {})

    def rotate_key(self) -> tuple[str, list[str]]:
        """Put a new signing key first and keep the previous one published (older ones
        go). Returns the new key's id and every published key id."""
        keys = self._read(self.keys_path).get("keys", [])
        fresh = _new_key()
        kept = [fresh, *keys][:KEYS_KEPT]
        self._write(self.keys_path, {"keys": kept})
        return fresh["kid"], [k["kid"] for k in kept]

    def signing_key_id(self) -> str:
        keys = self._read(self.keys_path).get("keys", [])
        if not keys:
            raise IdentityError(f"{self.keys_path} holds no keys")
        return str(keys[0]["kid"])

    def put_account(
        self,
        employee_id: str,
        *,
        roles: Iterable[str],
        name: str | None = None,
        org_units: Iterable[str] = (),
    ) -> None:
        accounts = self._read(self.accounts_path)
        accounts[employee_id] = {
            "name": name or accounts.get(employee_id, {}).get("name") or employee_id,
            "roles": sorted(set(roles)),
            "org_units": sorted(set(org_units)),
        }
        self._write(self.accounts_path, accounts)

    def add_accounts(self, people: dict[str, str | None], *, roles: Iterable[str]) -> None:
        """Put many people in the directory in one write (employee id -> name), with these
        roles; people already listed keep their entry (and roles) as it is."""
        accounts = self._read(self.accounts_path)
        for employee_id, name in people.items():
            accounts.setdefault(
                employee_id,
                {"name": name or employee_id, "roles": sorted(set(roles)), "org_units": []},
            )
        self._write(self.accounts_path, accounts)

    def _read(self, path: Path) -> dict[str, Any]:
        try:
            loaded = json.loads(path.read_text())
        except FileNotFoundError:
            raise IdentityError(f"{path} is missing: run `talent dev up` first") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise IdentityError(f"cannot read {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise IdentityError(f"{path} is not a JSON object")
        return loaded

    def _write(self, path: Path, content: dict[str, Any]) -> None:
        """Atomically (the issuer watches these files), readable by the owner only."""
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(content, handle, indent=2)
            handle.write("\n")
        temporary.replace(path)


def _new_key() -> dict[str, Any]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private))
    # PyJWT marks a private JWK key_ops ["sign"]; the issuer publishes that with the public
    # part, and verifiers (rightly) refuse to verify with a key meant only for signing.
    jwk.pop("key_ops", None)
    jwk.update(kid=f"talent-{secrets.token_hex(6)}", alg="RS256", use="sig")
    return jwk


def sign_in(
    issuer: str,
    employee_id: str,
    *,
    client_id: str = CLI_CLIENT,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """An access token for `employee_id` through the authorization-code flow with PKCE:
    authorize, sign in on the issuer's form, follow the redirect to the code, exchange
    it. The account must be in the issuer's accounts file. Many sign-ins share a
    `transport` (its connections; setting one up costs more than a sign-in), each with
    its own cookies."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = f"{issuer.rstrip('/')}/callback"
    state = secrets.token_urlsafe(16)
    shared = _Unclosed(transport) if transport is not None else None
    with httpx.Client(timeout=timeout, follow_redirects=False, transport=shared) as http:
        try:
            config = http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
            config.raise_for_status()
            endpoints = config.json()
            response = http.get(
                endpoints["authorization_endpoint"],
                params={
                    "client_id": client_id,
                    "response_type": "code",
                    "redirect_uri": redirect_uri,
                    "scope": "openid profile talent",
                    "state": state,
                    "code_challenge": challenge.decode().rstrip("="),
                    "code_challenge_method": "S256",
                },
            )
            code = None
            for _ in range(12):  # authorize, sign-in form, (consent), resume, callback
                location = response.headers.get("location")
                if response.status_code in (302, 303) and location:
                    target = urljoin(str(response.url), location)
                    if target.startswith(redirect_uri):
                        query = parse_qs(urlparse(target).query)
                        if "error" in query:
                            description = query.get("error_description", query["error"])[0]
                            raise IdentityError(f"the issuer refused the sign-in: {description}")
                        if query.get("state") != [state]:
                            raise IdentityError("the issuer answered with another state")
                        code = query["code"][0]
                        break
                    response = http.get(target)
                elif response.status_code == 200 and "/interaction/" in str(response.url):
                    # The sign-in (or consent) form posts back to the interaction's URL.
                    if 'value="consent"' in response.text:
                        form = {"prompt": "consent"}
                    else:
                        form = {"prompt": "login", "login": employee_id, "password": "-"}
                    response = http.post(str(response.url), data=form)
                else:
                    raise IdentityError(
                        f"unexpected answer from the issuer: HTTP {response.status_code} "
                        f"at {response.url}"
                    )
            if code is None:
                raise IdentityError("the issuer did not hand out an authorization code")
            token = http.post(
                endpoints["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "client_id": client_id,
                    "code_verifier": verifier,
                },
            )
        except httpx.HTTPError as exc:
            raise IdentityError(f"cannot reach the issuer at {issuer}: {exc}") from exc
    if token.status_code != 200:
        raise IdentityError(f"the issuer refused the code: {token.text[:200]}")
    return str(token.json()["access_token"])


class _Unclosed(httpx.BaseTransport):
    """A shared transport that one client's close leaves open for the others."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport.handle_request(request)

    def close(self) -> None:
        pass
