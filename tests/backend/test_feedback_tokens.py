"""Presigned feedback tokens (wire §5) through the official SDK and a browser's click."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from langsmith import Client
from langsmith.utils import LangSmithError

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


def test_presigned_feedback_tokens(stack: NativeStack, chat_traces: tuple[Tenant, Client, list[dict]]) -> None:
    tenant, client, runs = chat_traces
    run_id = uuid.UUID(runs[0]["id"])
    token = client.create_presigned_feedback_token(run_id, "thumbs", expiration=dt.timedelta(hours=1))
    assert token.url.startswith(stack.url)
    assert httpx.get(token.url, params={"score": 1, "comment": "great"}).status_code == 200  # a browser click
    client.create_feedback_from_token(token.id, score=0.25, comment="meh")
    batch = client.create_presigned_feedback_tokens(run_id, ["a", "b"])
    assert len(batch) == 2 and batch[0].id != batch[1].id
    listed = tenant.client.get("/feedback/tokens", params={"run_id": str(run_id)}).json()
    assert {t["id"] for t in listed} >= {str(token.id), str(batch[0].id)}
    scores = sorted((f.key, f.score) for f in client.list_feedback(run_ids=[run_id]))
    assert scores == [("thumbs", 0.25), ("thumbs", 1.0)]
    expired = client.create_presigned_feedback_token(
        run_id, "late", expiration=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    )
    wait_for(
        lambda: httpx.post(expired.url, json={"score": 1}).status_code == 404, timeout=10, what="the token to expire"
    )
    with pytest.raises(LangSmithError):
        client.create_presigned_feedback_token(run_id, "past", expiration=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
