"""The hub beyond one workspace's prompts, through the official SDK: agent and skill repos (file
trees), workspace handles, public prompts read across workspaces, roles, and prompts saved by
LangSmith's playground with their model."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from langchain_core.load import dumps
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableSequence
from langsmith import Client
from langsmith import schemas as ls
from langsmith.utils import LangSmithError, LangSmithNotFoundError, LangSmithUserError

from tests.conftest import Tenant
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

PROMPT = ChatPromptTemplate.from_messages([("system", "You are {role}."), ("human", "{question}")])


def sdk(api_url: str, key: str) -> Client:
    return Client(api_url=api_url, api_key=key, auto_batch_tracing=False)


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def key_for(stack: NativeStack, tenant: Tenant, role: str) -> str:
    return asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, role, role=role))[0]


def files(context: ls.AgentContext | ls.SkillContext) -> dict[str, str]:
    return {path: getattr(entry, "content", entry.type) for path, entry in context.files.items()}


def test_agent_commits_change_only_the_files_they_name(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    agent = name("agent")
    url = client.push_agent(
        agent,
        files={
            "AGENTS.md": ls.FileEntry(content="# v1\n"),
            "tools.json": ls.FileEntry(content='{"tools": []}'),
            "subagents/helper": ls.AgentEntry(repo_handle="helper-agent"),
        },
        description="an agent",
    )
    assert f"/context/{agent}/" in url
    first = client.pull_agent(agent)
    assert files(first) == {"AGENTS.md": "# v1\n", "tools.json": '{"tools": []}', "subagents/helper": "agent"}
    link = first.files["subagents/helper"]
    assert isinstance(link, ls.AgentEntry) and link.repo_handle == "helper-agent"

    # A second commit: one file changed, one deleted (null), one untouched.
    client.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="# v2\n"), "tools.json": None})
    second = client.pull_agent(agent)
    assert files(second) == {"AGENTS.md": "# v2\n", "subagents/helper": "agent"}
    assert second.commit_hash != first.commit_hash
    # Older versions stay pullable, by hash or a prefix of it.
    assert files(client.pull_agent(agent, version=first.commit_hash)) == files(first)
    assert files(client.pull_agent(f"{agent}:{first.commit_hash[:6]}")) == files(first)

    # Pushing the same change again (a retry) makes no new commit; deleting a missing file is no change.
    client.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="# v2\n"), "tools.json": None})
    assert client.pull_agent(agent).commit_hash == second.commit_hash
    repo = client.get_prompt(agent)
    assert repo is not None and repo.num_commits == 2 and repo.description == "an agent"


def test_agents_skills_and_prompts_are_listed_and_deleted_by_type(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    agent, skill, prompt = name("agent"), name("skill"), name("prompt")
    assert not client.agent_exists(agent) and not client.skill_exists(skill)
    client.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="a")})
    client.push_skill(skill, files={"SKILL.md": ls.FileEntry(content="s")}, tags=["docs"])
    client.push_prompt(prompt, object=PROMPT)
    assert client.agent_exists(agent) and client.skill_exists(skill)

    assert [r.repo_handle for r in client.list_agents(query="agent-").repos] == [agent]
    assert [r.repo_handle for r in client.list_skills(query="skill-").repos] == [skill]
    assert [r.repo_handle for r in client.list_prompts().repos] == [prompt]
    assert files(client.pull_skill(skill)) == {"SKILL.md": "s"}

    # A repo is pulled as what it is: a skill is not an agent, an agent is not a prompt.
    with pytest.raises(LangSmithNotFoundError):
        client.pull_agent(skill)
    with pytest.raises(LangSmithNotFoundError):
        client.pull_prompt(agent)
    http = tenant.client
    assert http.delete(f"/platform/hub/repos/-/{prompt}/directories").status_code == 400
    assert client._prompt_exists(prompt)

    client.delete_agent(agent)
    client.delete_skill(skill)
    assert not client.agent_exists(agent) and not client.skill_exists(skill)
    with pytest.raises(LangSmithNotFoundError):
        client.pull_agent(agent)
    with pytest.raises(LangSmithNotFoundError):
        client.delete_skill(skill)


def test_bad_directory_commits_are_clear_4xx(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    agent = name("agent")
    client.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="x")})
    latest = client.pull_agent(agent).commit_hash
    commits = f"/platform/hub/repos/-/{agent}/directories/commits"
    http = tenant.client

    for bad_path in ("../escape", "/abs", "a//b", ""):
        response = http.post(commits, json={"files": {bad_path: {"type": "file", "content": "x"}}})
        assert response.status_code == 400, (bad_path, response.text)
        assert "file path" in response.json()["detail"]
    response = http.post(commits, json={"files": {"a.md": {"type": "folder"}}})
    assert response.status_code == 400 and "type" in response.text
    response = http.post(commits, json={"files": {"a.md": {"type": "file"}}})
    assert response.status_code == 400 and "content" in response.text
    response = http.post(commits, json={"files": {"a.md": None}, "parent_commit": "0123456789ab"})
    assert response.status_code == 409 and latest in response.json()["detail"]
    # With the latest commit as parent the commit lands.
    landed = http.post(commits, json={"files": {"b.md": {"type": "file", "content": "b"}}, "parent_commit": latest})
    assert landed.status_code == 200 and landed.json()["commit"]["commit_hash"] != latest

    empty = name("agent")
    assert http.post("/repos", json={"repo_handle": empty, "repo_type": "agent"}).status_code == 200
    response = http.post(f"/platform/hub/repos/-/{empty}/directories/commits", json={"files": {}})
    assert response.status_code == 400 and "at least one file" in response.json()["detail"]
    response = http.post("/repos", json={"repo_handle": name("x"), "repo_type": "notebook"})
    assert response.status_code == 400 and "repo_type" in response.text
    prompt = name("prompt")
    client.push_prompt(prompt, object=PROMPT)
    response = http.post(f"/platform/hub/repos/-/{prompt}/directories/commits", json={"files": {}})
    assert response.status_code == 400 and "is a prompt" in response.json()["detail"]


def test_viewers_read_the_hub_editors_write_admins_name_the_workspace(
    stack: NativeStack, api_url: str, tenant: Tenant
) -> None:
    agent = name("agent")
    sdk(api_url, tenant.key).push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="x")})
    viewer = sdk(api_url, key_for(stack, tenant, "viewer"))
    editor_key = key_for(stack, tenant, "editor")
    assert files(viewer.pull_agent(agent)) == {"AGENTS.md": "x"}
    assert [r.repo_handle for r in viewer.list_agents(query=agent).repos] == [agent]
    with pytest.raises(LangSmithError):
        viewer.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="y")})
    with pytest.raises(LangSmithError):
        viewer.delete_agent(agent)
    assert viewer.agent_exists(agent)
    sdk(api_url, editor_key).push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="y")})
    assert files(viewer.pull_agent(agent)) == {"AGENTS.md": "y"}

    handle = name("team")
    with httpx.Client(base_url=api_url, headers={"x-api-key": editor_key}) as editor_http:
        response = editor_http.post("/settings/handle", json={"tenant_handle": handle})
        assert response.status_code == 403
    assert tenant.client.post("/settings/handle", json={"tenant_handle": handle}).json()["tenant_handle"] == handle


def test_workspace_handles_are_unique_and_validated(tenant: Tenant, other_tenant: Tenant) -> None:
    # Every workspace has a handle from the start, so public prompts work without a setup step.
    mine = tenant.client.get("/settings").json()["tenant_handle"]
    theirs = other_tenant.client.get("/settings").json()["tenant_handle"]
    assert mine and theirs and mine != theirs

    for bad in ("-", "ab", "Upper", "has space", "1starts-with-digit", "x" * 65):
        response = tenant.client.post("/settings/handle", json={"tenant_handle": bad})
        assert response.status_code == 400 and "tenant_handle" in response.json()["detail"], bad
    taken = tenant.client.post("/settings/handle", json={"tenant_handle": theirs})
    assert taken.status_code == 409 and theirs in taken.json()["detail"]
    new = name("acme")
    for _ in range(2):  # setting the same handle again is no change
        settings = tenant.client.post("/settings/handle", json={"tenant_handle": new})
        assert settings.status_code == 200 and settings.json()["tenant_handle"] == new
    assert tenant.client.get("/settings").json()["tenant_handle"] == new


def test_public_prompts_are_read_across_workspaces_by_handle(
    api_url: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    owner = sdk(api_url, tenant.key)
    handle = owner._get_settings().tenant_handle
    assert handle
    public, private = name("public"), name("private")
    owner.push_prompt(public, object=PROMPT, is_public=True, commit_tags=["prod"])
    owner.push_prompt(private, object=PROMPT)
    agent = name("agent")
    owner.push_agent(agent, files={"AGENTS.md": ls.FileEntry(content="shared")}, is_public=True)
    mine = owner.get_prompt(public)
    assert mine is not None and mine.owner == handle and mine.full_name == f"{handle}/{public}"

    # The owner reaches its own prompts by its handle as by "-".
    assert owner.pull_prompt(f"{handle}/{private}", dangerously_pull_public_prompt=True, skip_cache=True)

    stranger = sdk(api_url, other_tenant.key)
    pulled = stranger.pull_prompt(f"{handle}/{public}", dangerously_pull_public_prompt=True, skip_cache=True)
    assert isinstance(pulled, ChatPromptTemplate) and pulled.metadata
    assert pulled.metadata["lc_hub_owner"] == handle
    assert stranger.pull_prompt_commit(f"{handle}/{public}:prod", dangerously_pull_public_prompt=True)
    assert files(stranger.pull_agent(f"{handle}/{agent}")) == {"AGENTS.md": "shared"}
    listed = stranger.list_prompts(is_public=True, query=public)
    assert [(p.repo_handle, p.owner) for p in listed.repos] == [(public, handle)] and listed.total == 1
    # Without the public filter a workspace lists only its own prompts.
    assert stranger.list_prompts(query=public).total == 0

    # Private prompts of another workspace do not exist for the stranger; public ones are read-only.
    with pytest.raises(LangSmithNotFoundError):
        stranger.pull_prompt(f"{handle}/{private}", dangerously_pull_public_prompt=True, skip_cache=True)
    http = other_tenant.client
    assert http.get(f"/repos/{handle}/{private}").status_code == 404
    assert http.get(f"/commits/{handle}/{private}").status_code == 404
    assert http.get("/repos/no-such-handle/" + public).status_code == 404
    for response in (
        http.post(f"/commits/{handle}/{public}", json={"manifest": {"lc": 1}}),
        http.patch(f"/repos/{handle}/{public}", json={"description": "hijacked"}),
        http.delete(f"/repos/{handle}/{public}"),
        http.post(f"/repos/{handle}/{public}/tags", json={"tag_name": "mine", "commit_id": "latest"}),
        http.post(f"/platform/hub/repos/{handle}/{agent}/directories/commits", json={"files": {"x": None}}),
        http.delete(f"/platform/hub/repos/{handle}/{agent}/directories"),
    ):
        assert response.status_code == 403, (response.request.url, response.text)
        assert "another workspace" in response.json()["detail"]
    with pytest.raises(LangSmithError, match="another workspace"):
        stranger.push_prompt(f"{handle}/{public}", object=PROMPT)
    with pytest.raises(LangSmithUserError):  # a new prompt under another owner: the SDK refuses
        stranger.push_prompt(f"{handle}/{name('new')}", object=PROMPT)

    # Made private again, it is gone for the stranger.
    owner.update_prompt(public, is_public=False)
    assert http.get(f"/repos/{handle}/{public}").status_code == 404
    assert stranger.list_prompts(is_public=True, query=public).total == 0


def test_playground_prompt_with_model_pulls_as_a_sequence(api_url: str, tenant: Tenant) -> None:
    # What LangSmith's playground saves: the prompt and the model as a `PromptPlayground`.
    prompt = json.loads(dumps(PROMPT))
    model = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "runnable", "RunnableBinding"],
        "kwargs": {
            "bound": {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "chat_models", "openai", "ChatOpenAI"],
                "kwargs": {
                    "model_name": "gpt-4o-mini",
                    "openai_api_key": {"lc": 1, "type": "secret", "id": ["OPENAI_API_KEY"]},
                },
            },
            "kwargs": {},
        },
    }
    manifest = {
        "lc": 1,
        "type": "constructor",
        "id": ["langsmith", "playground", "PromptPlayground"],
        "kwargs": {"first": prompt, "last": model},
    }
    client = sdk(api_url, tenant.key)
    repo = name("playground")
    client.push_prompt(repo, object=manifest)

    chain = client.pull_prompt(repo, include_model=True, skip_cache=True, secrets={"OPENAI_API_KEY": "sk-fake"})
    assert isinstance(chain, RunnableSequence)
    assert isinstance(chain.first, ChatPromptTemplate) and chain.first.metadata
    assert chain.first.metadata["lc_hub_repo"] == repo
    assert type(chain.last).__name__ == "RunnableBinding"
    alone = client.pull_prompt(repo, skip_cache=True)
    assert isinstance(alone, ChatPromptTemplate)
    assert alone.format_messages(role="a", question="b")[1].content == "b"
    # Over the wire, include_model answers the sequence the PromptPlayground stands for.
    stored = tenant.client.get(f"/commits/-/{repo}/latest", params={"include_model": "true"}).json()
    assert stored["manifest"]["id"][-1] == "RunnableSequence"
    assert stored["manifest"]["kwargs"]["last"] == model
