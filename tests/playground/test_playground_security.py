"""Playground egress attacks through nginx and the real stack: a built-in provider host on another
scheme or port, moving a stored key to another server, and `*` used to reach the internal network.
Every refusal happens before any connection; the only server ever reached is the loopback fake."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tests.support.model_server import ModelServer
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer() as model_server:
        yield model_server


def add(tenant: Tenant, kind: str, base_url: str | None, **extra: Any) -> dict:
    name = f"p{uuid.uuid4().hex[:8]}"
    body = {"name": name, "kind": kind, "base_url": base_url, "default_model": "echo-small", **extra}
    response = tenant.client.post("/playground/providers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def invoke(tenant: Tenant, provider: dict) -> httpx.Response:
    return tenant.client.post("/playground/invoke", json={"provider": provider["name"], "messages": HI})


def refused_on_save(tenant: Tenant, kind: str, base_url: str, **extra: Any) -> str:
    """Saving a provider the egress policy refuses fails with the reason (the call-time check
    stays behind it, for an allowlist changed after saving)."""
    body = {"name": f"p{uuid.uuid4().hex[:8]}", "kind": kind, "base_url": base_url, **extra}
    response = tenant.client.post("/playground/providers", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("base_url refused by the egress policy: ")
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("kind", "base_url"),
    [
        ("openai", "http://api.openai.com:6379/v1"),  # Redis's port, in clear text, with the key attached
        ("openai", "https://api.openai.com:22/v1"),
        ("openai", "http://api.openai.com/v1"),  # the key would travel unencrypted
        ("anthropic", "http://api.anthropic.com:11211"),
    ],
)
def test_builtin_hosts_only_over_https_on_443(tenant: Tenant, kind: str, base_url: str) -> None:
    assert "only allowed over https on port 443" in refused_on_save(tenant, kind, base_url, api_key="sk-secret-value")


@pytest.mark.parametrize("base_url", ["gopher://127.0.0.1:6379/_FLUSHALL", "file:///etc/passwd", "ftp://127.0.0.1/"])
def test_only_http_and_https_urls(tenant: Tenant, server: ModelServer, base_url: str) -> None:
    body = {"name": f"p{uuid.uuid4().hex[:8]}", "kind": "openai_compatible", "base_url": base_url}
    created = tenant.client.post("/playground/providers", json=body)
    assert created.status_code == 400 and created.json()["error"] == "bad_request", created.text
    provider = add(tenant, "openai_compatible", server.url + "/v1")
    changed = tenant.client.patch(f"/playground/providers/{provider['id']}", json={"base_url": base_url})
    assert changed.status_code == 400 and "http" in changed.json()["detail"], changed.text


def test_changing_the_server_needs_the_key_again(tenant: Tenant, server: ModelServer) -> None:
    """An admin's stored key must not follow a base_url edit to a server the editor chose."""
    with ModelServer(valid_keys=()) as collector:  # the server an attacker points the provider at
        provider = add(tenant, "openai", server.url + "/v1", api_key="sk-test-openai")
        url = f"/playground/providers/{provider['id']}"
        for elsewhere in (collector.url + "/v1", collector.url.replace("127.0.0.1", "localhost") + "/v1"):
            moved = tenant.client.patch(url, json={"base_url": elsewhere})
            assert moved.status_code == 400, moved.text
            assert moved.json()["error"] == "bad_request" and "api_key" in moved.json()["detail"]
        after = tenant.client.get(url).json()
        assert after["base_url"] == server.url + "/v1" and after["has_api_key"] is True
        assert invoke(tenant, provider).status_code == 200  # still the old server, with its key
        assert collector.requests == []
        # Same server, another path: the key stays.
        kept = tenant.client.patch(url, json={"base_url": server.url + "/v1/"})
        assert kept.status_code == 200 and kept.json()["has_api_key"] is True
        # Moving with a key for the new server, or dropping the key, is fine.
        with_key = tenant.client.patch(url, json={"base_url": collector.url + "/v1", "api_key": "sk-for-collector"})
        assert with_key.status_code == 200 and with_key.json()["api_key_hint"] == "sk-…ctor"
        dropped = tenant.client.patch(url, json={"base_url": server.url + "/v1", "api_key": None})
        assert dropped.status_code == 200 and dropped.json()["has_api_key"] is False
    # A provider on its default URL (api.openai.com) moved to a custom server.
    default = add(tenant, "openai", None, api_key="sk-real-openai-key")
    moved = tenant.client.patch(f"/playground/providers/{default['id']}", json={"base_url": server.url + "/v1"})
    assert moved.status_code == 400, moved.text


def _restart_playground(stack: NativeStack, allowed_hosts: str) -> None:
    stack.extra_env["PLAYGROUND_ALLOWED_HOSTS"] = allowed_hosts
    stack.kill_unit("playground", signal.SIGTERM)
    stack.start_unit("playground")
    health = f"http://127.0.0.1:{stack.env()['PLAYGROUND_PORT']}/health"

    def healthy() -> bool:
        try:
            return httpx.get(health, timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(healthy, timeout=90, what="the playground restarted")


@pytest.fixture(scope="module")
def wildcard(stack: NativeStack) -> Iterator[None]:
    """The playground with `PLAYGROUND_ALLOWED_HOSTS=*,127.0.0.1` (any public host, plus the
    loopback test server listed explicitly), put back as it was afterwards."""
    before = stack.extra_env["PLAYGROUND_ALLOWED_HOSTS"]
    _restart_playground(stack, "*,127.0.0.1")
    try:
        yield
    finally:
        _restart_playground(stack, before)


INTERNAL = [
    "http://127.0.0.2:6379/v1",  # loopback, but only 127.0.0.1 is listed
    "http://10.1.2.3:8000/v1",
    "http://172.16.0.1/v1",
    "http://192.168.1.1/v1",
    "http://100.64.0.1/v1",
    "http://0.0.0.0:8000/v1",
    "http://[::1]:8000/v1",
    "http://[fd00::1]/v1",
    "http://[fe80::1]/v1",
    "http://169.254.169.254/latest",
    "http://[::ffff:169.254.169.254]/latest",
    "http://[::ffff:10.0.0.1]/v1",
]


def test_wildcard_does_not_open_the_internal_network(wildcard: None, tenant: Tenant, server: ModelServer) -> None:
    for base_url in INTERNAL:
        detail = refused_on_save(tenant, "openai_compatible", base_url)
        assert "private address" in detail or "link-local" in detail, (base_url, detail)
    # The explicitly listed loopback server still works.
    listed = add(tenant, "openai", server.url + "/v1", api_key="sk-test-openai")
    answer = invoke(tenant, listed)
    assert answer.status_code == 200, answer.text
