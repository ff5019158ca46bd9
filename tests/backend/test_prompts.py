"""The prompt hub (wire §7) against the official langsmith SDK and langchain-core: push, pull by
latest/hash/tag, prompts bound to a model, listing, likes, metadata, errors and isolation."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from langchain_core.load import dumps
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableBinding, RunnableSequence
from langchain_openai import ChatOpenAI
from langsmith import AsyncClient, Client
from langsmith.utils import LangSmithNotFoundError

from tests.conftest import Tenant

pytestmark = pytest.mark.stack

V1 = ChatPromptTemplate.from_messages([("system", "You are {role}."), ("human", "{question}")])
V2 = ChatPromptTemplate.from_messages([("system", "You are a terse {role}."), ("human", "Q: {question}")])
VARS = {"role": "a pirate", "question": "where is the treasure?"}
MANIFEST = json.loads(dumps(V1))  # plain JSON, as it travels


def sdk(api_url: str, key: str) -> Client:
    return Client(api_url=api_url, api_key=key, auto_batch_tracing=False)


def handle(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def rendered(prompt: Any) -> list[tuple[str, str]]:
    return [(m.type, m.content) for m in prompt.format_messages(**VARS)]


def test_settings_name_the_callers_workspace(tenant: Tenant) -> None:
    settings = tenant.client.get("/settings").json()
    assert settings["id"] == tenant.workspace_id
    assert settings["display_name"] == tenant.workspace
    assert settings["tenant_handle"].startswith("ws-")  # a default; an admin can rename it
    assert settings["created_at"]


def test_push_and_pull_by_latest_hash_and_tag(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    name = handle()
    url = client.push_prompt(name, object=V1, commit_tags=["prod"], description="pirate talk")
    assert f"/prompts/{name}/" in url and f"organizationId={tenant.workspace_id}" in url

    pulled = client.pull_prompt(name, skip_cache=True)
    assert isinstance(pulled, ChatPromptTemplate)
    assert rendered(pulled) == rendered(V1)
    assert pulled.metadata is not None and pulled.metadata["lc_hub_repo"] == name
    first = client.pull_prompt_commit(name, skip_cache=True).commit_hash
    assert len(first) >= 8 and int(first, 16) >= 0

    client.push_prompt(name, object=V2, commit_description="terser")
    assert rendered(client.pull_prompt(name, skip_cache=True)) == rendered(V2)
    assert rendered(client.pull_prompt(f"{name}:{first}", skip_cache=True)) == rendered(V1)
    assert rendered(client.pull_prompt(f"{name}:prod", skip_cache=True)) == rendered(V1)
    assert rendered(client.pull_prompt(f"{name}:{first[:6]}", skip_cache=True)) == rendered(V1)
    latest = client.pull_prompt_commit(name, skip_cache=True)
    assert latest.commit_hash != first and latest.description == "terser"

    commits = list(client.list_prompt_commits(name))
    assert [c.commit_hash for c in commits] == [latest.commit_hash, first]
    assert commits[0].parent_commit_hash == first and commits[1].parent_commit_hash is None
    assert commits[0].num_downloads >= 1 and commits[0].example_run_ids == []

    # Pushing the unchanged prompt again is not an error and makes no commit.
    client.push_prompt(name, object=V2)
    prompt = client.get_prompt(name)
    assert prompt is not None
    assert prompt.num_commits == 2 and prompt.last_commit_hash == latest.commit_hash
    assert prompt.description == "pirate talk" and prompt.owner == client._get_settings().tenant_handle
    assert prompt.full_name == f"{prompt.owner}/{name}"
    assert prompt.num_downloads >= 5


def test_a_new_prompt_has_no_commits(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    name = handle()
    created = client.create_prompt(name, description="empty", tags=["draft"])
    assert created.repo_handle == name and created.num_commits == 0 and created.tags == ["draft"]
    assert list(client.list_prompt_commits(name)) == []
    response = tenant.client.get(f"/commits/-/{name}")
    assert response.status_code == 200 and response.json() == {"commits": [], "total": 0}
    with pytest.raises(LangSmithNotFoundError):
        client.pull_prompt(name, skip_cache=True)


def test_prompt_bound_to_a_model(api_url: str, tenant: Tenant) -> None:
    # What users push: a prompt piped into a provider's chat model, with settings and a secret.
    client = sdk(api_url, tenant.key)
    name = handle()
    model = ChatOpenAI(model="gpt-4o-mini", temperature=0.2, api_key="sk-not-a-real-key")
    client.push_prompt(name, object=V1 | model.bind(stop=["END"]))

    chain = client.pull_prompt(
        name, include_model=True, skip_cache=True, secrets={"OPENAI_API_KEY": "sk-not-a-real-key"}
    )
    assert isinstance(chain, RunnableSequence)
    assert isinstance(chain.first, ChatPromptTemplate) and rendered(chain.first) == rendered(V1)
    assert isinstance(chain.last, RunnableBinding) and chain.last.kwargs == {"stop": ["END"]}
    pulled_model = chain.last.bound
    assert isinstance(pulled_model, ChatOpenAI)
    assert pulled_model.model_name == "gpt-4o-mini" and pulled_model.temperature == 0.2
    assert pulled_model.openai_api_key.get_secret_value() == "sk-not-a-real-key"
    # The key itself never reached the server, only the name of the secret.
    stored = tenant.client.get(f"/commits/-/{name}/latest", params={"include_model": "true"}).json()
    assert "sk-not-a-real-key" not in json.dumps(stored)
    assert stored["manifest"]["id"][-1] == "RunnableSequence"

    # Without include_model the prompt comes alone (the SDK then loads core classes only).
    assert rendered(client.pull_prompt(name, skip_cache=True)) == rendered(V1)
    assert tenant.client.get(f"/commits/-/{name}/latest").json()["manifest"]["id"][-1] == "ChatPromptTemplate"


def test_manifests_are_stored_as_sent(api_url: str, tenant: Tenant) -> None:
    # What `ChatPromptTemplate | ChatOpenAI(...)` serialises to, secret marker included.
    model = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "chat_models", "openai", "ChatOpenAI"],
        "kwargs": {
            "model_name": "gpt-4o-mini",
            "openai_api_key": {"lc": 1, "type": "secret", "id": ["OPENAI_API_KEY"]},
        },
    }
    binding = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "runnable", "RunnableBinding"],
        "kwargs": {"bound": model, "kwargs": {"stop": ["END"]}, "config": {}},
    }
    manifest = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "runnable", "RunnableSequence"],
        "kwargs": {"first": MANIFEST, "last": binding},
        "name": "RunnableSequence",
    }
    client = sdk(api_url, tenant.key)
    name = handle()
    client.push_prompt(name, object=manifest)
    assert client.pull_prompt_commit(name, include_model=True, skip_cache=True).manifest == manifest
    assert client.pull_prompt_commit(name, skip_cache=True).manifest == manifest["kwargs"]["first"]


def test_list_like_update_delete(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    prefix = handle("lst")
    a, b = f"{prefix}-a", f"{prefix}-b"
    client.push_prompt(a, object=V1, description="finds the needle", tags=["x"])
    client.push_prompt(b, object=V2)

    listed = client.list_prompts(query=prefix)  # the SDK asks for a handle prefix
    assert listed.total == 2 and {p.repo_handle for p in listed.repos} == {a, b}
    assert {p.repo_handle for p in client.list_prompts(query="finds").repos} == set()
    found = tenant.client.get("/repos", params={"query": "NEEDLE"}).json()  # substring of the description
    assert [r["repo_handle"] for r in found["repos"]] == [a] and found["total"] == 1
    assert tenant.client.get("/repos", params={"tags": "x", "query": prefix}).json()["total"] == 1
    assert client.list_prompts(limit=1, query=prefix).total == 2

    assert client.like_prompt(a) == {"likes": 1}
    assert client.like_prompt(a) == {"likes": 1}  # one like per caller
    liked = client.get_prompt(a)
    assert liked is not None and liked.num_likes == 1 and liked.liked_by_auth_user is True
    by_likes = tenant.client.get("/repos", params={"query": prefix, "sort_field": "num_likes"}).json()
    assert [r["repo_handle"] for r in by_likes["repos"]] == [a, b]
    assert client.unlike_prompt(a) == {"likes": 0}
    unliked = client.get_prompt(a)
    assert unliked is not None and unliked.liked_by_auth_user is False

    client.update_prompt(a, description="new words", tags=["y", "z"], is_public=False)
    updated = client.get_prompt(a)
    assert updated is not None and updated.description == "new words" and updated.tags == ["y", "z"]
    assert updated.is_public is False
    # The SDK refuses is_public=True without a hub handle; the endpoint itself takes it.
    assert tenant.client.patch(f"/repos/-/{a}", json={"is_public": True}).json()["repo"]["is_public"] is True
    assert [p.repo_handle for p in client.list_prompts(is_public=True, query=prefix).repos] == [a]
    assert [p.repo_handle for p in client.list_prompts(is_public=False, query=prefix).repos] == [b]

    client.update_prompt(b, is_archived=True)
    assert [p.repo_handle for p in client.list_prompts(query=prefix).repos] == [a]
    assert [p.repo_handle for p in client.list_prompts(query=prefix, is_archived=True).repos] == [b]

    client.delete_prompt(a)
    assert client.get_prompt(a) is None
    assert tenant.client.get(f"/commits/-/{a}/latest").status_code == 404
    assert client.list_prompts(query=prefix, is_archived=True).total == 1


def test_ui_reads_are_not_downloads_and_last_commit_time_is_listed(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    name = handle()
    client.push_prompt(name, object=V1)
    http = tenant.client
    assert http.get(f"/commits/-/{name}/latest", params={"count_download": "false"}).status_code == 200
    repo = http.get(f"/repos/-/{name}").json()["repo"]
    assert repo["num_downloads"] == 0
    commit = http.get(f"/commits/-/{name}").json()["commits"][0]
    assert repo["last_commit_at"] == commit["created_at"] and commit["num_downloads"] == 0
    http.get(f"/commits/-/{name}/latest")
    assert http.get(f"/repos/-/{name}").json()["repo"]["num_downloads"] == 1
    empty = handle()
    client.create_prompt(empty)
    assert http.get(f"/repos/-/{empty}").json()["repo"]["last_commit_at"] is None


def test_tags_crud(tenant: Tenant, api_url: str) -> None:
    client = sdk(api_url, tenant.key)
    name = handle()
    client.push_prompt(name, object=V1)
    client.push_prompt(name, object=V2)
    second, first = (c.commit_hash for c in client.list_prompt_commits(name))
    http = tenant.client

    tag = http.post(f"/repos/-/{name}/tags", json={"tag_name": "prod", "commit_id": first})
    assert tag.status_code == 200 and tag.json()["commit_hash"] == first
    # Re-posting moves the tag; posting the same target again changes nothing.
    commit_id = http.get(f"/commits/-/{name}").json()["commits"][0]["id"]
    moved = http.post(f"/repos/-/{name}/tags", json={"tag_name": "prod", "commit_id": commit_id}).json()
    assert moved["commit_hash"] == second and moved["id"] == tag.json()["id"]
    again = http.post(f"/repos/-/{name}/tags", json={"tag_name": "prod", "commit_id": commit_id}).json()
    assert again["updated_at"] == moved["updated_at"]
    assert http.get(f"/commits/-/{name}/prod").json()["commit_hash"] == second

    patched = http.patch(f"/repos/-/{name}/tags/prod", json={"commit_id": first})
    assert patched.status_code == 200 and patched.json()["commit_hash"] == first
    assert http.get(f"/repos/-/{name}/tags/prod").json()["commit_hash"] == first
    http.post(f"/repos/-/{name}/tags", json={"tag_name": "beta", "commit_id": second})
    assert [t["tag_name"] for t in http.get(f"/repos/-/{name}/tags").json()] == ["beta", "prod"]

    assert http.delete(f"/repos/-/{name}/tags/prod").status_code == 204
    assert http.get(f"/repos/-/{name}/tags/prod").status_code == 404
    assert http.get(f"/commits/-/{name}/prod").status_code == 404
    assert http.post(f"/repos/-/{name}/tags", json={"tag_name": "latest", "commit_id": first}).status_code == 400
    assert http.post(f"/repos/-/{name}/tags", json={"tag_name": "x", "commit_id": "ffffff00"}).status_code == 404
    assert http.patch(f"/repos/-/{name}/tags/nope", json={"commit_id": first}).status_code == 404


def test_http_errors_are_clear_json(tenant: Tenant) -> None:
    http = tenant.client
    name = handle()

    def error(response: httpx.Response, status: int) -> str:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["error"]
        return str(body)

    assert "repo_handle" in error(http.post("/repos", json={"repo_handle": "Not A Handle!"}), 400)
    error(http.post("/repos", json={"repo_handle": "x" * 101}), 400)
    error(http.post("/repos", json={"description": "no handle"}), 400)
    assert http.post("/repos", json={"repo_handle": name}).status_code == 200
    assert "already exists" in error(http.post("/repos", json={"repo_handle": name}), 409)

    error(http.get("/repos/-/no-such-prompt"), 404)
    error(http.get("/repos/someone-else/" + name), 404)
    error(http.get("/commits/-/no-such-prompt"), 404)
    error(http.get(f"/commits/-/{name}/latest"), 404)
    error(http.get(f"/commits/-/{name}/deadbeef"), 404)
    error(http.get(f"/repos/-/{name}/tags/nope"), 404)
    error(http.delete("/repos/-/no-such-prompt"), 404)
    error(http.post("/likes/-/no-such-prompt", json={"like": True}), 404)

    commits = f"/commits/-/{name}"
    error(http.post(commits, json={"manifest": "not an object"}), 400)
    error(http.post(commits, json={"parent_commit": None}), 400)
    error(http.post(commits, content=b"{not json", headers={"content-type": "application/json"}), 400)
    error(http.post(commits, json={"manifest": MANIFEST, "description": "d" * 1001}), 400)
    error(http.get("/repos", params={"sort_field": "nonsense"}), 400)
    error(http.patch(f"/repos/-/{name}", json={"tags": "not-a-list"}), 400)

    manifest = MANIFEST
    assert "no commits" in error(http.post(commits, json={"manifest": manifest, "parent_commit": "abcdef12"}), 409)
    first = http.post(commits, json={"manifest": manifest, "parent_commit": None}).json()["commit"]
    assert first["parent_commit_hash"] is None and first["repo_id"]
    changed = {**manifest, "name": "changed"}
    second = http.post(commits, json={"manifest": changed, "parent_commit": first["commit_hash"]}).json()["commit"]
    assert second["parent_commit_hash"] == first["commit_hash"]
    # A push on a stale parent is rejected, unless it is the retry of the push that landed.
    stale = http.post(commits, json={"manifest": {**manifest, "name": "other"}, "parent_commit": first["commit_hash"]})
    assert "not the latest" in error(stale, 409)
    retried = http.post(commits, json={"manifest": changed, "parent_commit": first["commit_hash"]})
    assert retried.status_code == 200 and retried.json()["commit"]["id"] == second["id"]


def test_trailing_slashes_and_large_limits(tenant: Tenant) -> None:
    http = tenant.client
    name = handle()
    assert http.post("/repos/", json={"repo_handle": name}).status_code == 200
    assert http.post(f"/commits/-/{name}/", json={"manifest": MANIFEST}).status_code == 200
    assert http.get("/repos/", params={"query": name, "limit": 1000}).json()["total"] == 1
    assert http.get(f"/commits/-/{name}/", params={"limit": 100, "include_model": "true"}).json()["total"] == 1
    assert http.get(f"/repos/-/{name}/").json()["repo"]["num_commits"] == 1
    assert http.get(f"/commits/-/{name}/latest/").status_code == 200
    assert http.get("/settings/").status_code == 200


def test_async_client_round_trip(api_url: str, tenant: Tenant) -> None:
    # The async client keeps trailing slashes (`/repos/`, `/commits/-/{name}/`).
    name = handle()

    async def run() -> tuple[Any, list[str]]:
        async with AsyncClient(api_url=api_url, api_key=tenant.key) as client:
            await client.push_prompt(name, object=V1, commit_tags=["prod"])
            await client.push_prompt(name, object=V2)
            pulled = await client.pull_prompt(f"{name}:prod", skip_cache=True)
            hashes = [c.commit_hash async for c in client.list_prompt_commits(name)]
            return pulled, hashes

    pulled, hashes = asyncio.run(run())
    assert rendered(pulled) == rendered(V1) and len(hashes) == 2


def test_tenant_isolation(api_url: str, tenant: Tenant, other_tenant: Tenant) -> None:
    name = handle("iso")
    owner = sdk(api_url, tenant.key)
    owner.push_prompt(name, object=V1, commit_tags=["prod"])
    stranger = sdk(api_url, other_tenant.key)
    first = owner.pull_prompt_commit(name, skip_cache=True)

    assert stranger.get_prompt(name) is None
    assert name not in {p.repo_handle for p in stranger.list_prompts(query=name).repos}
    with pytest.raises(LangSmithNotFoundError):
        stranger.pull_prompt(name, skip_cache=True)
    http = other_tenant.client
    for response in (
        http.get(f"/commits/-/{name}"),
        http.get(f"/commits/-/{name}/{first.commit_hash}"),
        http.get(f"/commits/-/{name}/prod"),
        http.post(f"/commits/-/{name}", json={"manifest": {"lc": 1}}),
        http.post(f"/repos/-/{name}/tags", json={"tag_name": "mine", "commit_id": first.commit_hash}),
        http.get(f"/repos/-/{name}/tags"),
        http.post(f"/likes/-/{name}", json={"like": True}),
        http.patch(f"/repos/-/{name}", json={"description": "hijacked"}),
        http.delete(f"/repos/-/{name}"),
    ):
        assert response.status_code == 404, (response.request.url, response.text)

    # The same name in another workspace is another prompt.
    stranger.push_prompt(name, object=V2)
    assert rendered(stranger.pull_prompt(name, skip_cache=True)) == rendered(V2)
    assert rendered(owner.pull_prompt(name, skip_cache=True)) == rendered(V1)
    mine = owner.get_prompt(name)
    assert mine is not None and mine.num_commits == 1 and mine.num_likes == 0 and mine.description == ""
    assert [t["tag_name"] for t in tenant.client.get(f"/repos/-/{name}/tags").json()] == ["prod"]
