"""API keys and tenancy through nginx and the real services."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
import uuid

import httpx
import psycopg
import pytest
import redis

from app.core.tenancy import service
from tests.conftest import TEST_KEY_CACHE_SECONDS, Tenant
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack


def test_info_is_public_and_complete(anonymous: httpx.Client) -> None:
    response = anonymous.get("/info")
    assert response.status_code == 200
    body = response.json()
    assert body["version"]
    # All six keys, or the SDK's tracing thread dies on a KeyError (wire §1).
    assert set(body["batch_ingest_config"]) == {
        "use_multipart_endpoint",
        "scale_up_qsize_trigger",
        "scale_up_nthreads_limit",
        "scale_down_nempty_trigger",
        "size_limit",
        "size_limit_bytes",
    }
    assert "sdb_query_enabled" not in body["instance_flags"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": ""},
        {"x-api-key": "not-a-key"},
        {"x-api-key": "th_aaaaaaaaaa_" + "A" * 40},  # well formed, unknown
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_missing_or_unknown_key_is_401_json(anonymous: httpx.Client, headers: dict[str, str]) -> None:
    response = anonymous.get("/sessions", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "not_authenticated"


def test_key_in_header_or_bearer(tenant: Tenant, anonymous: httpx.Client) -> None:
    assert tenant.client.get("/sessions").status_code == 200
    bearer = anonymous.get("/sessions", headers={"Authorization": f"Bearer {tenant.key}"})
    assert bearer.status_code == 200


def test_tampered_key_with_valid_prefix_is_refused(tenant: Tenant, anonymous: httpx.Client) -> None:
    tampered = tenant.key[:-1] + ("A" if tenant.key[-1] != "A" else "B")
    assert anonymous.get("/sessions", headers={"x-api-key": tampered}).status_code == 401


def test_another_tenant_sees_nothing(tenant: Tenant, other_tenant: Tenant) -> None:
    created = tenant.client.post("/sessions", json={"name": "private-project"})
    assert created.status_code == 200, created.text
    project = created.json()

    assert [p["name"] for p in tenant.client.get("/sessions").json()] == ["private-project"]
    assert other_tenant.client.get("/sessions").json() == []
    assert other_tenant.client.get("/sessions", params={"name": "private-project"}).json() == []
    assert other_tenant.client.get("/sessions", params={"id": project["id"]}).json() == []
    assert other_tenant.client.get(f"/sessions/{project['id']}").status_code == 404
    # Names are unique per workspace, not globally, and ids cannot be claimed across tenants.
    assert other_tenant.client.post("/sessions", json={"name": "private-project"}).status_code == 200
    hijack = other_tenant.client.post("/sessions", json={"name": "x", "id": project["id"]})
    assert hijack.status_code == 409
    assert tenant.client.get(f"/sessions/{project['id']}").json()["name"] == "private-project"


def test_project_create_is_idempotent_on_id_and_409_on_name(tenant: Tenant) -> None:
    project_id = str(uuid.uuid4())
    first = tenant.client.post("/sessions", json={"name": "p", "id": project_id})
    retry = tenant.client.post("/sessions", json={"name": "p", "id": project_id})
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    clash = tenant.client.post("/sessions", json={"name": "p"})
    assert clash.status_code == 409
    assert clash.json()["error"] == "conflict"
    assert len(tenant.client.get("/sessions").json()) == 1


def test_revoked_key_stops_working_at_once(tenant: Tenant, anonymous: httpx.Client) -> None:
    created = tenant.client.post("/api-key", json={"name": "short-lived"})
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert anonymous.get("/sessions", headers={"x-api-key": key}).status_code == 200  # now cached
    listed = tenant.client.get("/api-key").json()
    assert body["id"] in [k["id"] for k in listed]
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert tenant.client.delete(f"/api-key/{body['id']}").status_code == 204
    assert anonymous.get("/sessions", headers={"x-api-key": key}).status_code == 401
    assert body["id"] not in [k["id"] for k in tenant.client.get("/api-key").json()]


def test_key_revoked_behind_the_cache_stops_within_its_ttl(
    tenant: Tenant, anonymous: httpx.Client, stack_env: dict[str, str]
) -> None:
    key = tenant.client.post("/api-key", json={"name": "db-revoked"}).json()
    assert anonymous.get("/sessions", headers={"x-api-key": key["key"]}).status_code == 200
    with psycopg.connect(stack_env["POSTGRES_DSN"]) as conn:
        conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key["id"],))
    deadline = time.monotonic() + TEST_KEY_CACHE_SECONDS + 5
    while anonymous.get("/sessions", headers={"x-api-key": key["key"]}).status_code == 200:
        assert time.monotonic() < deadline, "revoked key still accepted after the cache TTL"
        time.sleep(0.2)


def test_cannot_revoke_another_workspaces_key(tenant: Tenant, other_tenant: Tenant) -> None:
    key = tenant.client.post("/api-key", json={"name": "mine"}).json()
    assert other_tenant.client.delete(f"/api-key/{key['id']}").status_code == 404
    assert other_tenant.client.get("/api-key").json()[0]["id"] != key["id"]
    assert tenant.client.get("/sessions", headers={"x-api-key": key["key"]}).status_code == 200


def test_expired_key_is_refused(tenant: Tenant, anonymous: httpx.Client) -> None:
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    key = tenant.client.post("/api-key", json={"name": "old", "expires_at": past}).json()["key"]
    response = anonymous.get("/sessions", headers={"x-api-key": key})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_cache_holds_hashes_never_keys(tenant: Tenant, stack_env: dict[str, str]) -> None:
    tenant.client.get("/sessions")
    r = redis.Redis.from_url(stack_env["REDIS_URL"])
    digest = hashlib.sha256(tenant.key.encode()).hexdigest()
    assert r.exists(f"th:apikey:{digest}")
    for name in r.scan_iter("th:apikey*"):
        assert tenant.key.encode() not in name
        value = r.get(name) or b""
        assert tenant.key.encode() not in value


def test_last_used_is_recorded(tenant: Tenant) -> None:
    tenant.client.get("/sessions")
    keys = tenant.client.get("/api-key").json()
    assert keys[0]["last_used_at"] is not None


def test_workspace_bound_key_and_tenant_header(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = tenant.client.get("/workspaces").json()
    assert len(mine) == 1 and mine[0]["is_current"]
    workspace_id = mine[0]["id"]
    assert tenant.client.get("/sessions", headers={"X-Tenant-Id": workspace_id}).status_code == 200
    foreign = other_tenant.client.get("/workspaces").json()[0]["id"]
    refused = tenant.client.get("/sessions", headers={"X-Tenant-Id": foreign})
    assert refused.status_code == 403
    assert tenant.client.get("/sessions", headers={"X-Tenant-Id": "nope"}).status_code == 403


def _org_scoped_key(dsn: str, org_name: str, workspaces: list[str]) -> tuple[str, dict[str, str]]:
    async def make() -> tuple[str, dict[str, str]]:
        async with await psycopg.AsyncConnection.connect(dsn, row_factory=psycopg.rows.dict_row) as conn:
            org = await service.ensure_org(conn, org_name)
            ids = {name: str((await service.ensure_workspace(conn, org, name)).id) for name in workspaces}
            created = await service.create_api_key(conn, organization_id=org.id, workspace_id=None, name="org")
            await conn.commit()
            return created.key, ids

    return asyncio.run(make())


def test_org_scoped_key_selects_workspace_with_tenant_header(
    stack_env: dict[str, str], anonymous: httpx.Client, tenant: Tenant
) -> None:
    org = f"org-{uuid.uuid4().hex[:8]}"
    key, ids = _org_scoped_key(stack_env["POSTGRES_DSN"], org, ["alpha", "beta"])
    headers = {"x-api-key": key}
    needs = anonymous.get("/sessions", headers=headers)
    assert needs.status_code == 403
    assert needs.json()["error"] == "org_scoped_key_requires_workspace"

    alpha = {**headers, "X-Tenant-Id": ids["alpha"]}
    beta = {**headers, "X-Tenant-Id": ids["beta"]}
    assert anonymous.post("/sessions", headers=alpha, json={"name": "in-alpha"}).status_code == 200
    assert [p["name"] for p in anonymous.get("/sessions", headers=alpha).json()] == ["in-alpha"]
    assert anonymous.get("/sessions", headers=beta).json() == []
    assert {w["display_name"] for w in anonymous.get("/workspaces", headers=alpha).json()} == {"alpha", "beta"}

    foreign_workspace = tenant.client.get("/workspaces").json()[0]["id"]
    outside = anonymous.get("/sessions", headers={**headers, "X-Tenant-Id": foreign_workspace})
    assert outside.status_code == 403


def test_org_scoped_key_of_single_workspace_org_needs_no_header(
    stack_env: dict[str, str], anonymous: httpx.Client
) -> None:
    key, ids = _org_scoped_key(stack_env["POSTGRES_DSN"], f"org-{uuid.uuid4().hex[:8]}", ["only"])
    listed = anonymous.get("/workspaces", headers={"x-api-key": key}).json()
    assert [w["id"] for w in listed] == [ids["only"]]


def test_auth_works_with_an_empty_cache(stack: NativeStack, tenant: Tenant) -> None:
    # Losing the cache (e.g. a Redis restart) must not lock anyone out: keys resolve from Postgres.
    cache = redis.Redis.from_url(stack.env()["REDIS_URL"])
    for name in cache.scan_iter("th:apikey*"):
        cache.delete(name)
    assert tenant.client.get("/sessions").status_code == 200
