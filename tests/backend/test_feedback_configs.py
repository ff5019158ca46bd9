"""Feedback configs (/api/v1/feedback-configs) through the official SDK: the three types, the
idempotent create, update (direction, config, categories), soft delete, roles and tenancy."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from langsmith import Client
from langsmith.utils import LangSmithError, LangSmithNotFoundError

from tests.conftest import Tenant
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

CONTINUOUS = {"type": "continuous", "min": 0.0, "max": 5.0}
TOPICS = {
    "type": "categorical",
    "categories": [{"value": 0, "label": "billing"}, {"value": 1, "label": "shipping"}],
    "allows_multiple_categories": True,
}


def sdk(api_url: str, key: str) -> Client:
    return Client(api_url=api_url, api_key=key, auto_batch_tracing=False)


def fkey(prefix: str = "k") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def role_key(stack: NativeStack, tenant: Tenant, role: str) -> str:
    return asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, role, role=role))[0]


def test_crud_round_trip(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    rating, topics, notes = fkey("rating"), fkey("topics"), fkey("notes")
    created = client.create_feedback_config(rating, feedback_config=CONTINUOUS, is_lower_score_better=False)
    assert created.feedback_key == rating and created.feedback_config == CONTINUOUS
    assert created.is_lower_score_better is False and created.is_first and not created.is_deleted
    assert str(created.tenant_id) == tenant.workspace_id
    tags = client.create_feedback_config(topics, feedback_config=TOPICS)
    assert [c["label"] for c in tags.feedback_config["categories"] or []] == ["billing", "shipping"]
    assert tags.feedback_config["allows_multiple_categories"] is True
    assert client.create_feedback_config(notes, feedback_config={"type": "freeform"}).feedback_config == {
        "type": "freeform"
    }

    # An identical create answers the existing config (a retry is harmless); a different one is refused.
    again = client.create_feedback_config(rating, feedback_config=CONTINUOUS)
    assert again.id == created.id
    with pytest.raises(LangSmithError, match="already exists"):
        client.create_feedback_config(rating, feedback_config={"type": "freeform"})

    listed = {c.feedback_key: c for c in client.list_feedback_configs(feedback_key=[rating, topics, notes])}
    assert set(listed) == {rating, topics, notes}
    assert [c.feedback_key for c in client.list_feedback_configs(name_contains=topics.upper())] == [topics]

    updated = client.update_feedback_config(rating, is_lower_score_better=True)
    assert updated.is_lower_score_better is True and updated.feedback_config == CONTINUOUS
    updated = client.update_feedback_config(rating, feedback_config={"type": "continuous", "min": 1, "max": 10})
    assert updated.feedback_config == {"type": "continuous", "min": 1.0, "max": 10.0}
    assert updated.is_lower_score_better is True  # the direction is the key's, kept across edits

    grown = client.add_feedback_categories(topics, [{"value": 2, "label": "returns"}])
    assert [c["value"] for c in grown.feedback_config["categories"] or []] == [0.0, 1.0, 2.0]
    assert grown.feedback_config["allows_multiple_categories"] is True
    shrunk = client.remove_feedback_categories(topics, [0])
    assert [c["label"] for c in shrunk.feedback_config["categories"] or []] == ["shipping", "returns"]
    with pytest.raises(LangSmithError, match="422"):
        client.remove_feedback_categories(topics, [1])  # would leave one
    with pytest.raises(LangSmithError, match="422"):
        client.add_feedback_categories(notes, [{"value": 1, "label": "x"}])  # freeform

    client.delete_feedback_config(rating)
    client.delete_feedback_config(rating)  # a retried delete succeeds
    assert list(client.list_feedback_configs(feedback_key=[rating])) == []
    gone = list(client.list_feedback_configs(feedback_key=[rating], include_all_configs=True))
    assert [c.is_deleted for c in gone] == [True]
    with pytest.raises(LangSmithNotFoundError):
        client.update_feedback_config(rating, is_lower_score_better=False)
    # A deleted key can be configured again, and keeps its direction.
    reborn = client.create_feedback_config(rating, feedback_config={"type": "freeform"})
    assert reborn.id != created.id and reborn.is_lower_score_better is True
    client.delete_feedback_config(config_id=reborn.id)
    assert list(client.list_feedback_configs(feedback_key=[rating])) == []


def test_bad_configs_are_400_naming_the_field(tenant: Tenant) -> None:
    cases = [
        ({"type": "stars"}, "feedback_config.type"),
        ({"type": "continuous", "min": 5, "max": 1}, "min must be less than"),
        ({"type": "continuous", "min": "low"}, "feedback_config.min"),
        ({"type": "continuous", "maximum": 3}, "feedback_config.maximum"),
        ({"type": "categorical", "categories": []}, "at least one category"),
        ({"type": "categorical", "categories": [{"value": 1}, {"value": 1}]}, "repeat"),
        ({"type": "categorical", "categories": [{"label": "x"}]}, "categories[0].value"),
    ]
    for config, message in cases:
        response = tenant.client.post("/feedback-configs", json={"feedback_key": fkey(), "feedback_config": config})
        assert response.status_code == 400, (config, response.text)
        assert message in response.json()["detail"], (config, response.text)
    response = tenant.client.delete("/feedback-configs")
    assert response.status_code == 400 and "exactly one" in response.json()["detail"]


def test_feedback_with_a_config_registers_it(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    key = fkey("helpful")
    client.create_feedback(
        run_id=uuid.uuid4(), key=key, score=1, feedback_config={"type": "continuous", "min": 0, "max": 1}
    )
    [config] = client.list_feedback_configs(feedback_key=[key])
    assert config.feedback_config == {"type": "continuous", "min": 0.0, "max": 1.0}
    # A later feedback with another config keeps the key's config and is still recorded.
    fb = client.create_feedback(run_id=uuid.uuid4(), key=key, score=3, feedback_config={"type": "freeform"})
    assert fb.key == key
    assert [c.feedback_config["type"] for c in client.list_feedback_configs(feedback_key=[key])] == ["continuous"]


def test_roles(stack: NativeStack, api_url: str, tenant: Tenant) -> None:
    key = fkey("roles")
    viewer = sdk(api_url, role_key(stack, tenant, "viewer"))
    editor = sdk(api_url, role_key(stack, tenant, "editor"))
    admin = sdk(api_url, tenant.key)
    with pytest.raises(LangSmithError, match="403"):
        viewer.create_feedback_config(key, feedback_config=CONTINUOUS)
    editor.create_feedback_config(key, feedback_config=CONTINUOUS)
    assert [c.feedback_key for c in viewer.list_feedback_configs(feedback_key=[key])] == [key]
    for write in (
        lambda: viewer.update_feedback_config(key, is_lower_score_better=True),
        lambda: viewer.delete_feedback_config(key),
    ):
        with pytest.raises(LangSmithError, match="403"):
            write()
    # An enforced config sets the rules for the whole workspace: an admin's call.
    with pytest.raises(LangSmithError, match="403"):
        editor.create_feedback_config(fkey("enforced"), feedback_config=CONTINUOUS, is_enforced=True)
    enforced_key = fkey("enforced")
    enforced = admin.create_feedback_config(enforced_key, feedback_config=CONTINUOUS, is_enforced=True)
    assert enforced.is_enforced
    assert enforced_key in {c.feedback_key for c in admin.list_feedback_configs(is_enforced=True)}
    assert enforced_key not in {c.feedback_key for c in admin.list_feedback_configs(is_enforced=False)}
    with pytest.raises(LangSmithError, match="409"):
        admin.create_feedback_config(enforced_key, feedback_config={"type": "freeform"}, is_enforced=True)


def test_tenant_isolation(api_url: str, tenant: Tenant, other_tenant: Tenant) -> None:
    key = fkey("iso")
    owner, stranger = sdk(api_url, tenant.key), sdk(api_url, other_tenant.key)
    owner.create_feedback_config(key, feedback_config=CONTINUOUS)
    assert list(stranger.list_feedback_configs(feedback_key=[key])) == []
    with pytest.raises(LangSmithNotFoundError):
        stranger.update_feedback_config(key, is_lower_score_better=True)
    stranger.delete_feedback_config(key)
    # The same key in another workspace is another config.
    theirs = stranger.create_feedback_config(key, feedback_config={"type": "freeform"})
    assert theirs.feedback_config == {"type": "freeform"}
    [mine] = owner.list_feedback_configs(feedback_key=[key])
    assert mine.feedback_config == CONTINUOUS and mine.is_lower_score_better is False
