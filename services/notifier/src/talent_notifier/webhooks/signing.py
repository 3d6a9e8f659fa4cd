"""Standard Webhooks signatures (symmetric, `v1`): each request carries `webhook-id`
(`msg_` + the ledger row's id: the same on every retry, the receiver's idempotency key),
`webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`:
`v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed with the webhook's
secret, which is `whsec_` + base64 of random bytes (32 here; the spec asks 24 to 64)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signing_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value of one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, *, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id=message_id, timestamp=timestamp, body=body),
    }
