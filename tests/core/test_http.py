"""nginx routing and the error contract: JSON errors, request ids, body limits."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import Tenant
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    ("method", "path", "service"),
    [
        ("GET", "/info", "platform"),
        ("GET", "/api-key", "platform"),
        ("GET", "/workspaces", "platform"),
        ("POST", "/runs/multipart", "platform"),
        ("POST", "/runs/batch", "platform"),
        ("POST", "/runs", "platform"),
        ("PATCH", f"/runs/{uuid.uuid4()}", "platform"),
        ("POST", "/otel/v1/traces", "platform"),
        ("GET", f"/runs/{uuid.uuid4()}", "backend"),
        ("POST", "/runs/query", "backend"),
        ("GET", "/sessions", "backend"),
        ("GET", "/datasets", "backend"),
        ("POST", "/playground/invoke", "playground"),
    ],
)
def test_routes_reach_the_right_service(tenant: Tenant, method: str, path: str, service: str) -> None:
    response = tenant.client.request(method, path)
    assert response.headers.get("x-tracehouse-service") == service, (response.status_code, response.text)


def test_bare_otel_path_reaches_platform(stack: NativeStack, tenant: Tenant) -> None:
    response = httpx.post(f"{stack.url}/otel/v1/traces", headers={"x-api-key": tenant.key})
    assert response.headers.get("x-tracehouse-service") == "platform"


def test_request_id_is_minted_or_echoed(tenant: Tenant) -> None:
    minted = tenant.client.get("/sessions")
    assert len(minted.headers.get_list("x-request-id")) == 1
    assert minted.headers["x-request-id"]
    echoed = tenant.client.get("/sessions", headers={"X-Request-Id": "trace-me-123"})
    assert echoed.headers.get_list("x-request-id") == ["trace-me-123"]


def test_malformed_json_is_400_json(tenant: Tenant) -> None:
    response = tenant.client.post("/sessions", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "malformed" in response.json()["detail"].lower()


@pytest.mark.parametrize(
    "body",
    [{"name": 5}, {}, {"name": ""}, {"name": "ok", "id": "not-a-uuid"}, [1, 2]],
)
def test_invalid_body_is_400_json(tenant: Tenant, body: object) -> None:
    response = tenant.client.post("/sessions", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "bad_request"


def test_bad_query_parameter_is_400(tenant: Tenant) -> None:
    assert tenant.client.get("/sessions", params={"limit": "lots"}).status_code == 400
    assert tenant.client.get("/sessions", params={"id": "nope"}).status_code == 400


def test_limit_is_never_capped_below_100(tenant: Tenant) -> None:
    # The SDK stops paginating when a page is shorter than its limit (wire §0).
    for i in range(101):
        assert tenant.client.post("/sessions", json={"name": f"p{i:03}"}).status_code == 200
    assert len(tenant.client.get("/sessions", params={"limit": 100}).json()) == 100
    page2 = tenant.client.get("/sessions", params={"limit": 100, "offset": 100}).json()
    assert len(page2) == 1


def test_unknown_route_is_404_json(tenant: Tenant) -> None:
    response = tenant.client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_oversize_body_is_413_json(tenant: Tenant) -> None:
    response = tenant.client.post(
        "/sessions", content=b"x" * (26 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_ui_placeholder_is_served(stack: NativeStack) -> None:
    response = httpx.get(f"{stack.url}/")
    assert response.status_code == 200
    assert "Tracehouse" in response.text
    # Client-side routes (the URLs the SDK prints) fall back to the app shell.
    assert httpx.get(f"{stack.url}/o/abc/projects/p/def").status_code == 200
