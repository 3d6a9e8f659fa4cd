"""Our Standard Webhooks signatures: the reference library's published test vector, and
signatures the reference library verifies (and refuses once anything signed changes)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from talent_notifier.webhooks.signing import new_secret, sign, signed_headers

# The test vector of the Standard Webhooks reference libraries (their `sign` tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_published_test_vector() -> None:
    assert (
        sign(VECTOR_SECRET, message_id=VECTOR_ID, timestamp=VECTOR_TIMESTAMP, body=VECTOR_BODY)
        == VECTOR_SIGNATURE
    )


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert first != second


def test_the_reference_library_verifies_our_headers() -> None:
    secret = new_secret()
    body = b'{"text":"Ana Lima has not completed the course SEC-101, due on 2026-01-31."}'
    now = int(dt.datetime.now(dt.UTC).timestamp())
    headers = signed_headers(secret, message_id="msg_abc", timestamp=now, body=body)
    assert headers["webhook-id"] == "msg_abc"
    assert headers["webhook-timestamp"] == str(now)
    assert Verifier(secret).verify(body, headers)["text"].startswith("Ana Lima")

    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(body, {**headers, "webhook-id": "msg_other"})
