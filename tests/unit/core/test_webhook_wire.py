"""The webhook wire format without a stack: the signature a receiver verifies, and the JSON and
Slack bodies."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid

import msgspec

from app.core.webhooks.delivery import body, headers, hint
from app.core.webhooks.signing import HEADER, signature, verify

SECRET = "whsec_test_secret_0123456789"
EVENT = uuid.UUID("00000000-0000-4000-8000-000000000001")
WHEN = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    raw = b'{"a":1}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + raw, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1700000000, raw) == f"t=1700000000,v1={expected}"


def test_verify_refuses_a_wrong_secret_a_changed_body_and_an_old_timestamp() -> None:
    raw = b'{"a":1}'
    header = signature(SECRET, 1700000000, raw)
    assert verify(SECRET, header, raw, now=1700000100)
    assert not verify("whsec_other_secret_0123456789", header, raw, now=1700000100)
    assert not verify(SECRET, header, raw + b" ", now=1700000100)
    assert not verify(SECRET, header, raw, now=1700000000 + 301)  # a replay past the tolerance
    assert not verify(SECRET, "v1=abc", raw, now=1700000000)
    assert not verify(SECRET, "t=x,v1=abc", raw, now=1700000000)


def test_headers_carry_the_event_id_and_a_signature_of_the_exact_body() -> None:
    delivery = uuid.uuid4()
    content = body("json", EVENT, "alert.firing", WHEN, {"summary": "s"})
    sent = headers(SECRET, event_id=EVENT, event_type="alert.firing", delivery_id=delivery, content=content, now=1)
    assert sent["X-Tracehouse-Event-Id"] == str(EVENT) and sent["X-Tracehouse-Delivery"] == str(delivery)
    assert sent[HEADER] == signature(SECRET, 1, content)


def test_json_and_slack_bodies() -> None:
    event = msgspec.json.decode(body("json", EVENT, "alert.firing", WHEN, {"summary": "hi", "value": 0.5}))
    assert event == {
        "id": str(EVENT),
        "type": "alert.firing",
        "created_at": "2026-10-05T09:00:00+00:00",
        "data": {"summary": "hi", "value": 0.5},
    }
    slack = msgspec.json.decode(body("slack", EVENT, "alert.firing", WHEN, {"summary": "hi"}))
    assert slack["text"] == "hi"
    assert slack["blocks"][0] == {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
    # No summary: the event type stands in.
    assert msgspec.json.decode(body("slack", EVENT, "webhook.test", WHEN, {}))["text"] == "webhook.test"


def test_the_hint_shows_only_the_last_characters() -> None:
    assert hint(SECRET) == "...6789"
