"""Authorization matrix over every route the apps expose (discovered from their route tables, so
new routes are covered automatically): the role a route needs is enforced, and another
workspace's key gets 404 for this workspace's objects."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar

from app.backend.main import create_app as create_backend
from app.core.auth import ROLE_RANK, required_role
from app.core.settings import BackendSettings, PlatformSettings, PlaygroundSettings, load_settings
from app.platform.main import create_app as create_platform
from playground.main import create_app as create_playground
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
PARAM = re.compile(r"\{([a-z_]+):[a-z]+\}")
# Ingest writes go to the caller's own workspace; a "foreign" id there is not an object access.
INGEST = {("PATCH", "/api/v1/runs/{run_id:str}")}
# Valid bodies, so the ownership check (not body validation) decides the answer.
BODIES = {
    "/api/v1/feedback/{feedback_id:uuid}": {"score": 1},
    "/api/v1/workspaces/{workspace_id:uuid}/members/{user_id:uuid}": {"role": "viewer"},
    "/api/v1/sessions/{project_id:uuid}": {"description": "x"},
    "/api/v1/workspaces/{workspace_id:uuid}": {"name": "renamed-by-a-stranger"},
    "/api/v1/repos/{owner:str}/{repo:str}": {"description": "x"},
    "/api/v1/datasets/{dataset_id:uuid}": {"description": "x"},
    "/api/v1/datasets/{dataset_id:uuid}/tags": {"as_of": "2030-01-01T00:00:00Z", "tag": "t"},
    "/api/v1/datasets/{dataset_id:uuid}/splits": {"split_name": "s", "examples": []},
    "/api/v1/datasets/{dataset_id:uuid}/runs": {"session_ids": []},
    "/api/v1/examples/{example_id:uuid}": {"inputs": {"x": 1}},
    "/api/v1/playground/providers/{provider_id:uuid}": {"default_model": "x"},
    "/api/v1/platform/datasets/{dataset_id:uuid}/examples/metadata": {"example_ids": [], "operations": []},
    "/api/v1/likes/{owner:str}/{repo:str}": {"like": True},
    "/api/v1/commits/{owner:str}/{repo:str}": {"manifest": {"lc": 1}},
    "/api/v1/repos/{owner:str}/{repo:str}/tags": {"tag_name": "t", "commit_id": "abcdef12"},
    "/api/v1/repos/{owner:str}/{repo:str}/tags/{tag_name:str}": {"commit_id": "abcdef12"},
    "/api/v1/annotation-queues/{queue_id:uuid}": {"name": "x"},
    "/api/v1/webhooks/{webhook_id:uuid}": {"enabled": False},
    "/api/v1/alert-rules/{rule_id:uuid}": {"enabled": False},
    "/api/v1/annotation-queues/{queue_id:uuid}/runs/{run_id:uuid}": {"status": "completed"},
    "/api/v1/annotation-queues/{queue_id:uuid}/runs/delete": {"delete_all": True},
    "/api/v1/platform/hub/repos/{owner:str}/{repo:str}/directories/commits": {"files": {}},
    "/api/v2/datasets/{dataset_id:uuid}/experiment-runs": {"experiment_ids": [str(uuid.uuid4())]},
    "/api/v1/model-price-map/{price_id:uuid}": {
        "name": "x",
        "match_pattern": "^x$",
        "prompt_cost": 0,
        "completion_cost": 0,
    },
}
# Required query parameters (by name, from the test's objects), likewise.
QUERIES = {
    "/api/v2/runs/{run_id:uuid}": ("project_id",),
    "/api/v2/runs/{run_id:uuid}/url": ("project_id", "trace_id"),
    "/api/v2/traces/{trace_id:uuid}/runs": ("project_id",),
    "/api/v2/threads/{thread_id:str}/traces": ("project_id",),
    "/api/v2/threads/{thread_id:str}/stats": ("session_id",),
}


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    needs: str
    public: bool


def discover(stack: NativeStack) -> list[Route]:
    env = stack.env()
    apps: list[Litestar] = [
        create_backend(load_settings(BackendSettings, env)),
        create_platform(load_settings(PlatformSettings, env)),
        create_playground(load_settings(PlaygroundSettings, env)),
    ]
    found = []
    for app in apps:
        for route in app.routes:
            if not route.path.startswith("/api/"):
                continue
            for handler in getattr(route, "route_handlers", []):
                for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                    opt = handler.opt
                    found.append(
                        Route(method, route.path, required_role(opt, method), bool(opt.get("exclude_from_auth")))
                    )
    return found


def concrete(template: str, values: dict[str, str] | None = None) -> str:
    return PARAM.sub(lambda m: (values or {}).get(m.group(1), str(uuid.uuid4())), template)


@pytest.fixture(scope="module")
def keys(stack: NativeStack) -> dict[str, str]:
    dsn = stack.env()["POSTGRES_DSN"]
    workspace = f"authz-{uuid.uuid4().hex[:8]}"
    return {role: asyncio.run(create_key(dsn, workspace, role, role=role))[0] for role in ROLE_RANK}


@pytest.fixture(scope="module")
def client(stack: NativeStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=30) as c:
        yield c


def test_every_route_enforces_its_role(stack: NativeStack, keys: dict[str, str], client: httpx.Client) -> None:
    routes = [r for r in discover(stack) if not r.public]
    assert len(routes) >= 25
    for route in routes:
        path = concrete(route.template)
        for role, key in keys.items():
            response = client.request(route.method, path, headers={"x-api-key": key})
            allowed = ROLE_RANK[role] >= ROLE_RANK[route.needs]
            if allowed:
                assert response.status_code not in (401, 403), (role, route, response.text)
            else:
                assert response.status_code == 403, (role, route, response.status_code)
                assert response.json()["error"] == "insufficient_role"


def test_roles_mean_what_they_say(keys: dict[str, str], client: httpx.Client) -> None:
    def status(role: str, method: str, path: str, **kw: object) -> int:
        return client.request(method, f"/api/v1{path}", headers={"x-api-key": keys[role]}, **kw).status_code

    assert status("viewer", "GET", "/sessions") == 200
    assert status("viewer", "POST", "/runs/query", json={}) == 200  # a read through POST
    assert status("viewer", "POST", "/sessions", json={"name": "nope"}) == 403
    assert status("viewer", "POST", "/feedback", json={"key": "k"}) == 403
    assert status("viewer", "POST", "/runs/batch", json={"post": []}) == 403
    assert status("editor", "POST", "/sessions", json={"name": "made-by-editor"}) == 200
    assert status("editor", "POST", "/runs/batch", json={"post": [], "patch": []}) == 202
    assert status("editor", "GET", "/api-key") == 403
    assert status("editor", "POST", "/api-key", json={"name": "x"}) == 403
    assert status("admin", "GET", "/api-key") == 200
    created = client.post("/api/v1/api-key", json={"name": "v", "role": "viewer"}, headers={"x-api-key": keys["admin"]})
    assert created.status_code == 201 and created.json()["role"] == "viewer"


def test_foreign_workspace_objects_are_404(
    stack: NativeStack, keys: dict[str, str], client: httpx.Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    # Objects of `tenant`'s workspace, reached with an admin key of another workspace.
    run = root_run("owned", "owned-project", extra={"metadata": {"thread_id": "owned-thread"}})
    body, content_type = multipart([json_part(f"post.{run['id']}", run)])
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )
    wait_for(lambda: run_rows(clickhouse(stack), tenant.workspace_id))
    project = tenant.client.get("/sessions", params={"name": "owned-project"}).json()[0]["id"]
    feedback = tenant.client.post("/feedback", json={"key": "k", "run_id": run["id"]}).json()["id"]
    key_id = tenant.client.post("/api-key", json={"name": "owned"}).json()["id"]
    prompt = f"owned-{uuid.uuid4().hex[:8]}"
    assert tenant.client.post("/repos", json={"repo_handle": prompt}).status_code == 200
    commit = tenant.client.post(f"/commits/-/{prompt}", json={"manifest": {"lc": 1}}).json()["commit"]
    tenant.client.post(f"/repos/-/{prompt}/tags", json={"tag_name": "prod", "commit_id": commit["id"]})
    dataset = tenant.client.post("/datasets", json={"name": f"owned-{uuid.uuid4().hex[:8]}"}).json()["id"]
    example = tenant.client.post("/examples", json={"dataset_id": dataset, "inputs": {"x": 0}}).json()["id"]
    experiments = [
        tenant.client.post("/sessions", json={"name": f"exp-{n}", "reference_dataset_id": dataset}).json()["id"]
        for n in range(2)
    ]
    comparative = tenant.client.post("/datasets/comparative", json={"experiment_ids": experiments}).json()["id"]
    BODIES["/api/v1/datasets/{dataset_id:uuid}/compare"] = {"experiment_ids": experiments}
    queue = tenant.client.post("/annotation-queues", json={"name": "owned"}).json()["id"]
    assert tenant.client.post(f"/annotation-queues/{queue}/runs", json=[run["id"]]).status_code == 200
    # Bodies naming the owner's run: only the queue's ownership can refuse them.
    BODIES["/api/v1/annotation-queues/{queue_id:uuid}/runs"] = [run["id"]]
    BODIES["/api/v1/annotation-queues/{queue_id:uuid}/runs/by-key"] = [
        {"run_id": run["id"], "session_id": project, "start_time": run["start_time"]}
    ]
    BODIES["/api/v2/runs/{run_id:uuid}/share"] = {"session_id": project, "trace_id": run["id"]}
    BODIES["/api/v2/runs/{trace_id:uuid}/share"] = {"session_id": project}
    provider = tenant.client.post(
        "/playground/providers",
        json={"name": "owned", "kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "default_model": "m"},
    ).json()["id"]
    dataset_run = tenant.client.post(
        "/playground/dataset-runs", json={"dataset_id": dataset, "messages": [{"role": "user", "content": "{x}"}]}
    ).json()["id"]
    webhook = tenant.client.post("/webhooks", json={"name": "owned", "url": "http://127.0.0.1:9/hook"}).json()["id"]
    alert_rule = tenant.client.post(
        "/alert-rules",
        json={
            "project_id": project,
            "name": "owned",
            "metric": "run_count",
            "window_minutes": 5,
            "comparison": "lt",
            "threshold": 1,
        },
    ).json()["id"]
    price = tenant.client.post(
        "/model-price-map", json={"name": "owned", "match_pattern": "^owned$", "prompt_cost": 0, "completion_cost": 0}
    ).json()["id"]
    values = {
        "webhook_id": webhook,
        "rule_id": alert_rule,
        "project_id": project,
        "dataset_id": dataset,
        "example_id": example,
        "comparative_id": comparative,
        "provider_id": provider,
        "dataset_run_id": dataset_run,
        "run_id": run["id"],
        "trace_id": run["id"],  # a root run's id is its trace's
        "session_id": project,
        "thread_id": "owned-thread",
        "feedback_id": feedback,
        "key_id": key_id,
        "workspace_id": tenant.workspace_id,
        "user_id": str(uuid.uuid4()),
        "owner": "-",
        "repo": prompt,
        "commit": commit["commit_hash"],
        "tag_name": "prod",
        "queue_id": queue,
        "index": "0",
        "price_id": price,
    }
    foreign = {"x-api-key": asyncio.run(create_key(stack.env()["POSTGRES_DSN"], None, "f", role="admin"))[0]}
    checked = 0
    for route in discover(stack):
        params = set(PARAM.findall(route.template))
        if route.public or not params or (route.method, route.template) in INGEST:
            continue
        assert params <= set(values), f"add an object for {params - set(values)} ({route.template})"
        response = client.request(
            route.method,
            concrete(route.template, values),
            headers=foreign,
            json=BODIES.get(route.template, {})
            if route.method in ("POST", "PUT", "PATCH")
            else BODIES.get(route.template),
            params={name: values[name] for name in QUERIES.get(route.template, ())},
        )
        assert response.status_code == 404, (route, response.status_code, response.text)
        checked += 1
    assert checked >= 10
    # And the owner still sees everything intact.
    assert tenant.client.get(f"/runs/{run['id']}").status_code == 200
    assert tenant.client.get(f"/feedback/{feedback}").status_code == 200
    assert tenant.client.get(f"/sessions/{project}").status_code == 200
    assert tenant.client.get(f"/sessions/{project}/threads/owned-thread").json()["thread"]["turn_count"] == 1
    assert tenant.client.get(f"/examples/{example}").json()["inputs"] == {"x": 0}
    assert tenant.client.get(f"/datasets/comparative/{comparative}").status_code == 200
    assert tenant.client.get(f"/playground/providers/{provider}").json()["name"] == "owned"
    assert tenant.client.get(f"/playground/dataset-runs/{dataset_run}").status_code == 200
    assert tenant.client.get(f"/commits/-/{prompt}/prod").json()["commit_hash"] == commit["commit_hash"]
    assert tenant.client.get(f"/annotation-queues/{queue}/next").json()["progress"] == {
        "total": 1,
        "done": 0,
        "remaining": 1,
    }
