"""The playground through nginx and the real stack, against a real local model server
(tests/support/model_server.py) speaking the OpenAI and Anthropic APIs: providers and their write-only
keys, invoke, stream, cancel, tool calls, upstream errors, egress refusals, hub prompts, dataset
runs, the OpenAI-compatible pass-through with the official openai SDK, tracing, and isolation."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import psycopg
import pytest
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langsmith import Client

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tests.support.model_server import HTML_ERROR_BODY, TOOL_ARGUMENTS, ModelServer
from tooling.runner.keys import create_key
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer(slow_seconds=6) as model_server:
        yield model_server


def add_provider(tenant: Tenant, server: ModelServer, name: str = "local", kind: str = "openai", **kw: Any) -> dict:
    base = server.url + ("/v1" if kind != "anthropic" else "")
    key = {"openai": "sk-test-openai", "anthropic": "sk-test-anthropic"}.get(kind, "sk-test-openai")
    body = {"name": name, "kind": kind, "base_url": base, "api_key": key, "default_model": "echo-small", **kw}
    response = tenant.client.post("/playground/providers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, Any]]:
    """(event, data) pairs as they arrive."""
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            yield event, json.loads(line[6:])


def events_of(response: httpx.Response) -> list[tuple[str | None, Any]]:
    return list(sse_events(response))


def traced_run(tenant: Tenant, run_id: str) -> dict:
    wait_for(lambda: tenant.client.get(f"/runs/{run_id}").status_code == 200, what=f"run {run_id} traced")
    return tenant.client.get(f"/runs/{run_id}").json()


def test_provider_keys_are_write_only(stack: NativeStack, server: ModelServer, tenant: Tenant) -> None:
    created = add_provider(tenant, server)
    assert created["has_api_key"] is True and created["api_key_hint"] == "sk-…enai"
    assert "api_key" not in created
    for response in (
        tenant.client.get("/playground/providers"),
        tenant.client.get(f"/playground/providers/{created['id']}"),
    ):
        assert response.status_code == 200 and "sk-test-openai" not in response.text
    # At rest it is ciphertext, not the key.
    with psycopg.connect(stack.env()["POSTGRES_DSN"]) as conn:
        cipher = conn.execute("SELECT api_key_cipher FROM model_providers WHERE id = %s", (created["id"],)).fetchone()[
            0
        ]
    assert b"sk-test-openai" not in bytes(cipher) and len(cipher) > len("sk-test-openai")
    # Replacing and removing the key; the name is unique per workspace.
    changed = tenant.client.patch(f"/playground/providers/{created['id']}", json={"api_key": "sk-another-9876"})
    assert changed.json()["api_key_hint"] == "sk-…9876"
    removed = tenant.client.patch(f"/playground/providers/{created['id']}", json={"api_key": None}).json()
    assert removed["has_api_key"] is False and removed["api_key_hint"] is None
    assert tenant.client.post("/playground/providers", json={"name": "local", "kind": "openai"}).status_code == 409
    assert tenant.client.post("/playground/providers", json={"name": "Bad Name", "kind": "openai"}).status_code == 400
    no_url = tenant.client.post("/playground/providers", json={"name": "x", "kind": "openai_compatible"})
    assert no_url.status_code == 400 and "base_url" in no_url.json()["detail"]


def test_only_admins_manage_providers(stack: NativeStack, server: ModelServer, tenant: Tenant) -> None:
    provider = add_provider(tenant, server)
    dsn = stack.env()["POSTGRES_DSN"]
    for role in ("viewer", "editor"):
        key = asyncio.run(create_key(dsn, tenant.workspace, role, role=role))[0]
        with httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}) as client:
            assert client.get("/playground/providers").status_code == 200
            assert client.post("/playground/providers", json={"name": "n", "kind": "openai"}).status_code == 403
            assert client.delete(f"/playground/providers/{provider['id']}").status_code == 403
            invoked = client.post("/playground/invoke", json={"messages": [{"role": "user", "content": "hi"}]})
            assert invoked.status_code == (403 if role == "viewer" else 200), invoked.text


def test_invoke_is_answered_and_traced(server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    body = {
        "model": "echo-large",
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}],
        "temperature": 0.3,
        "max_tokens": 50,
        "stop": ["zzz"],
    }
    response = tenant.client.post("/playground/invoke", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["message"]["content"] == "echo: hello there" and answer["finish_reason"] == "stop"
    assert answer["usage"] == {"input_tokens": 4, "output_tokens": 3, "total_tokens": 7}
    sent = server.requests[-1]["body"]
    assert sent["model"] == "echo-large" and sent["temperature"] == 0.3 and sent["stop"] == ["zzz"]
    assert server.requests[-1]["headers"]["authorization"] == "Bearer sk-test-openai"

    run = traced_run(tenant, answer["run_id"])
    assert run["run_type"] == "llm" and run["name"] == "echo-large" and run["status"] == "success"
    assert run["inputs"]["messages"][1] == {"role": "user", "content": "hello there"}
    assert run["outputs"]["choices"][0]["message"]["content"] == "echo: hello there"
    assert run["prompt_tokens"] == 4 and run["completion_tokens"] == 3
    assert run["extra"]["metadata"]["ls_model_name"] == "echo-large"
    assert run["extra"]["invocation_params"]["temperature"] == 0.3
    project = tenant.client.get(f"/sessions/{run['session_id']}").json()
    assert project["name"] == "playground"


def test_stream_passes_tokens_through_and_is_traced(stack: NativeStack, server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    server.token_delay = 0.05
    body = {"messages": [{"role": "user", "content": "one two three four five"}]}
    started = time.perf_counter()
    arrivals = []
    with tenant.client.stream("POST", "/playground/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = []
        for event in sse_events(response):
            events.append(event)
            arrivals.append(time.perf_counter() - started)
    server.token_delay = 0.02
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "run" and kinds[-1] == "end" and kinds.count("delta") >= 6
    text = "".join(data["text"] for kind, data in events if kind == "delta")
    end = events[-1][1]
    assert text == end["message"]["content"] == "echo: one two three four five"
    assert end["usage"]["output_tokens"] == 6 and end["first_token_latency"] is not None
    # Passed through as they arrived, not buffered (by the app or by nginx) until the end.
    assert arrivals[-1] - arrivals[1] > 0.15
    run = traced_run(tenant, events[0][1]["run_id"])
    assert run["first_token_time"] is not None and run["outputs"]["choices"][0]["message"]["content"] == text


def test_client_disconnect_cancels_the_upstream_request(server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    server.reset()
    body = {"model": "endless", "messages": [{"role": "user", "content": "go on forever"}]}
    with tenant.client.stream("POST", "/playground/stream", json=body) as response:
        lines = response.iter_lines()
        run_id = None
        for _ in range(12):
            line = next(lines)
            if line.startswith("data: ") and run_id is None:
                run_id = json.loads(line[6:])["run_id"]
    assert server.wait_for_disconnect(timeout=10), "the upstream stream was not cancelled"
    run = traced_run(tenant, run_id)
    assert run["status"] == "error" and "cancelled" in run["error"]
    assert run["outputs"]["choices"][0]["message"]["content"].startswith("echo")


def test_tool_calls_invoke_and_stream(server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    body = {"messages": [{"role": "user", "content": "what is the weather in Paris?"}], "tools": [WEATHER_TOOL]}
    answer = tenant.client.post("/playground/invoke", json=body).json()
    call = answer["message"]["tool_calls"][0]
    assert answer["finish_reason"] == "tool_calls"
    assert call["function"] == {"name": "get_weather", "arguments": TOOL_ARGUMENTS}
    with tenant.client.stream("POST", "/playground/stream", json=body) as response:
        events = events_of(response)
    pieces = [data for kind, data in events if kind == "tool_call"]
    assert pieces[0]["name"] == "get_weather" and pieces[0]["id"]
    assert "".join(p["arguments"] for p in pieces) == TOOL_ARGUMENTS
    assert events[-1][1]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_anthropic_provider(server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server, name="claude", kind="anthropic")
    body = {
        "provider": "claude",
        "model": "echo-small",
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "bonjour"}],
    }
    answer = tenant.client.post("/playground/invoke", json=body).json()
    assert answer["message"]["content"] == "echo: bonjour" and answer["provider"] == "claude"
    sent = server.requests[-1]
    assert sent["path"] == "/v1/messages" and sent["body"]["system"] == "sys"
    assert sent["headers"]["x-api-key"] == "sk-test-anthropic"
    with tenant.client.stream("POST", "/playground/stream", json=body) as response:
        events = events_of(response)
    assert "".join(d["text"] for k, d in events if k == "delta") == "echo: bonjour"
    run = traced_run(tenant, answer["run_id"])
    assert run["extra"]["metadata"]["ls_provider"] == "anthropic"


@pytest.mark.parametrize(
    ("model", "status", "code"),
    [
        ("error-401", 424, "provider_auth_failed"),
        ("error-429", 429, "provider_rate_limited"),
        ("missing-model", 404, "model_not_found"),
        ("error-500", 502, "provider_error"),
        ("html-error", 502, "provider_error"),
        ("slow", 504, "provider_timeout"),
    ],
)
def test_upstream_errors_are_clear(server: ModelServer, tenant: Tenant, model: str, status: int, code: str) -> None:
    add_provider(tenant, server)
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    for path in ("/playground/invoke", "/playground/stream"):
        response = tenant.client.post(path, json=body)
        assert response.status_code == status, (path, response.text)
        error = response.json()
        assert error["error"] == code and error["detail"].startswith("local: ") and error["provider"] == "local"
        assert "<script>" not in response.text and HTML_ERROR_BODY not in response.text
        if code == "provider_rate_limited":
            assert response.headers["retry-after"] == "1"


def test_unreachable_provider(tenant: Tenant) -> None:
    body = {"name": "down", "kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"}
    assert tenant.client.post("/playground/providers", json=body).status_code == 201
    response = tenant.client.post(
        "/playground/invoke", json={"provider": "down", "model": "m", "messages": [{"role": "user", "content": "x"}]}
    )
    assert response.status_code == 502 and response.json()["error"] == "provider_unreachable"
    assert "127.0.0.1" in response.json()["detail"]


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/latest",  # the cloud metadata address
        "http://[fe80::1]:8000/v1",  # link-local
        "http://10.20.30.40:8000/v1",  # private but not on PLAYGROUND_ALLOWED_HOSTS
        "http://models.example.invalid/v1",  # not on the allowlist (and unresolvable)
    ],
)
def test_egress_refusals_when_saving(tenant: Tenant, base_url: str) -> None:
    """A provider the egress policy would refuse is not saved (it used to save and fail only at
    Test): a 422 naming the host and the reason, on create and on edit."""
    name = f"x{uuid.uuid4().hex[:6]}"
    host = httpx.URL(base_url).host
    body = {"name": name, "kind": "openai_compatible", "base_url": base_url}
    response = tenant.client.post("/playground/providers", json=body)
    assert response.status_code == 422 and response.json()["error"] == "unprocessable", response.text
    detail = response.json()["detail"]
    assert detail.startswith("base_url refused by the egress policy: ") and host in detail, detail
    assert name not in {p["name"] for p in tenant.client.get("/playground/providers").json()}
    # Editing a saved provider to point there is refused the same way, and changes nothing.
    saved = tenant.client.post("/playground/providers", json={**body, "base_url": "http://127.0.0.1:9/v1"}).json()
    edited = tenant.client.patch(f"/playground/providers/{saved['id']}", json={"base_url": base_url})
    assert edited.status_code == 422 and host in edited.json()["detail"], edited.text
    assert tenant.client.get(f"/playground/providers/{saved['id']}").json()["base_url"] == "http://127.0.0.1:9/v1"


def test_metadata_names_are_refused_at_once(tenant: Tenant) -> None:
    body = {"name": "meta", "kind": "openai_compatible", "base_url": "http://metadata.google.internal/v1"}
    response = tenant.client.post("/playground/providers", json=body)
    assert response.status_code == 422 and "cloud metadata address" in response.json()["detail"], response.text


def test_prompt_from_the_hub(api_url: str, server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    name = f"greet-{uuid.uuid4().hex[:6]}"
    prompt = ChatPromptTemplate.from_messages([("system", "You are {role}."), ("human", "Say hi to {who}")])
    client.push_prompt(name, object=prompt)
    answer = tenant.client.post(
        "/playground/invoke", json={"prompt": name, "variables": {"role": "kind", "who": "Ada"}}
    ).json()
    assert answer["message"]["content"] == "echo: Say hi to Ada"
    assert server.requests[-1]["body"]["messages"][0] == {"role": "system", "content": "You are kind."}
    missing = tenant.client.post("/playground/invoke", json={"prompt": name, "variables": {"role": "kind"}})
    assert missing.status_code == 400 and "who" in missing.json()["detail"]

    # Bound to a model: its name and parameters are the defaults.
    bound = f"bound-{uuid.uuid4().hex[:6]}"
    model = ChatOpenAI(model="echo-large", temperature=0.7, api_key="sk-unused")
    client.push_prompt(bound, object=prompt | model)
    answer = tenant.client.post(
        "/playground/invoke", json={"prompt": f"{bound}:latest", "variables": {"role": "r", "who": "Bo"}}
    ).json()
    assert answer["model"] == "echo-large"
    assert server.requests[-1]["body"]["temperature"] == 0.7
    run = traced_run(tenant, answer["run_id"])
    assert run["extra"]["metadata"]["prompt"] == f"{bound}:latest"


def test_openai_sdk_through_the_pass_through(stack: NativeStack, server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server, name="local")
    sdk = openai.OpenAI(base_url=f"{stack.url}/api/v1/playground/openai/v1", api_key=tenant.key, max_retries=0)
    completion = sdk.chat.completions.create(model="local/echo-small", messages=[{"role": "user", "content": "ping"}])
    assert completion.choices[0].message.content == "echo: ping"
    assert completion.usage.prompt_tokens == 1 and completion.model == "local/echo-small"
    run = traced_run(tenant, str(uuid.UUID(completion.id.removeprefix("chatcmpl-"))))
    assert run["run_type"] == "llm" and run["extra"]["metadata"]["via"] == "openai-compatible endpoint"

    chunks = list(
        sdk.chat.completions.create(
            model="echo-small",
            messages=[{"role": "user", "content": "a b c"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: a b c" and chunks[-1].usage.total_tokens == 7
    with sdk.chat.completions.stream(
        model="echo-small", messages=[{"role": "user", "content": "weather please"}], tools=[WEATHER_TOOL]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.arguments == TOOL_ARGUMENTS
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="local/missing-x", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(
            base_url=f"{stack.url}/api/v1/playground/openai/v1", api_key="th_wrong_key", max_retries=0
        ).chat.completions.create(model="echo-small", messages=[{"role": "user", "content": "x"}])
    assert [m.id for m in sdk.models.list()] == ["local/echo-small"]


def test_prompt_over_a_dataset(api_url: str, server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    dataset = client.create_dataset(f"pg-{uuid.uuid4().hex[:6]}")
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {"inputs": {"question": f"question {n}"}, "outputs": {"answer": f"echo: question {n}"}} for n in range(12)
        ]
        + [{"inputs": {"other": "no question here"}}],
    )
    body = {
        "dataset_id": str(dataset.id),
        "messages": [{"role": "system", "content": "answer"}, {"role": "user", "content": "{question}"}],
        "concurrency": 3,
        "experiment_name": f"pg-exp-{uuid.uuid4().hex[:6]}",
    }
    started = tenant.client.post("/playground/dataset-runs", json=body)
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "running" and run["total"] == 13

    def finished() -> dict | None:
        current = tenant.client.get(f"/playground/dataset-runs/{run['id']}").json()
        return current if current["status"] != "running" else None

    done = wait_for(finished, timeout=60, what="dataset run")
    assert done["status"] == "done" and done["completed"] == 13 and done["errors"] == 1
    assert [
        r["id"] for r in tenant.client.get("/playground/dataset-runs", params={"dataset_id": str(dataset.id)}).json()
    ] == [run["id"]]

    def compared() -> dict | None:
        page = tenant.client.post(
            f"/datasets/{dataset.id}/compare", json={"experiment_ids": [run["experiment_id"]], "limit": 50}
        ).json()
        return page if page["experiments"][0]["run_count"] == 13 else None

    page = wait_for(compared, timeout=60, what="experiment runs")
    for example in page["examples"]:
        cells = example["runs"][run["experiment_id"]]
        assert len(cells) == 1
        if "question" in example["inputs"]:
            assert cells[0]["outputs"]["choices"][0]["message"]["content"] == example["outputs"]["answer"]
        else:
            assert cells[0]["status"] == "error" and "question" in cells[0]["error"]
    project = client.read_project(project_id=run["experiment_id"])
    assert project.reference_dataset_id == dataset.id and project.metadata["model"] == "echo-small"


def test_cancelling_a_dataset_run(api_url: str, server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    dataset = client.create_dataset(f"pg-{uuid.uuid4().hex[:6]}")
    client.create_examples(dataset_id=dataset.id, examples=[{"inputs": {"q": str(n)}} for n in range(40)])
    body = {"dataset_id": str(dataset.id), "model": "slow", "messages": [{"role": "user", "content": "{q}"}]}
    server.slow_seconds = 1
    try:
        run = tenant.client.post("/playground/dataset-runs", json={**body, "concurrency": 1}).json()
        cancelled = tenant.client.post(f"/playground/dataset-runs/{run['id']}/cancel").json()
        assert cancelled["status"] == "cancelled"
        time.sleep(8)  # the runner notices at its next lease renewal (every 5 s)
        settled = tenant.client.get(f"/playground/dataset-runs/{run['id']}").json()["completed"]
        time.sleep(3)
        assert tenant.client.get(f"/playground/dataset-runs/{run['id']}").json()["completed"] == settled < 40
    finally:
        server.slow_seconds = 6


def test_bad_requests_are_clear(server: ModelServer, tenant: Tenant) -> None:
    add_provider(tenant, server)
    cases = [
        {},
        {"messages": [{"content": "no role"}]},
        {"messages": [{"role": "user", "content": "x"}], "prompt": "also-a-prompt"},
        {"messages": [{"role": "user", "content": "x"}], "temperature": 7},
        {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]},
    ]
    for body in cases:
        response = tenant.client.post("/playground/invoke", json=body)
        assert response.status_code == 400 and response.json()["detail"], (body, response.text)
    unknown = tenant.client.post(
        "/playground/invoke", json={"provider": "nope", "messages": [{"role": "user", "content": "x"}]}
    )
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    assert (
        tenant.client.post(
            "/playground/invoke", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    passthrough = tenant.client.post("/playground/openai/v1/chat/completions", content=b"[]")
    assert passthrough.status_code == 400 and passthrough.json()["error"]["message"]


def test_playground_is_tenant_scoped(server: ModelServer, tenant: Tenant, other_tenant: Tenant) -> None:
    provider = add_provider(tenant, server, name="private")
    assert other_tenant.client.get("/playground/providers").json() == []
    assert other_tenant.client.get(f"/playground/providers/{provider['id']}").status_code == 404
    assert (
        other_tenant.client.patch(f"/playground/providers/{provider['id']}", json={"api_key": "x"}).status_code == 404
    )
    use = other_tenant.client.post(
        "/playground/invoke", json={"provider": provider["id"], "messages": [{"role": "user", "content": "x"}]}
    )
    assert use.status_code == 404
    by_name = other_tenant.client.post(
        "/playground/invoke", json={"provider": "private", "messages": [{"role": "user", "content": "x"}]}
    )
    assert by_name.status_code == 404
    assert other_tenant.client.get("/playground/dataset-runs").json() == []


def test_a_dataset_run_resumes_after_the_playground_dies(
    stack: NativeStack, api_url: str, server: ModelServer, tenant: Tenant
) -> None:
    add_provider(tenant, server)
    client = Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)
    dataset = client.create_dataset(f"pg-{uuid.uuid4().hex[:6]}")
    client.create_examples(dataset_id=dataset.id, examples=[{"inputs": {"q": f"item {n}"}} for n in range(20)])
    server.token_delay = 0.02
    server.slow_seconds = 0.5
    try:
        body = {"dataset_id": str(dataset.id), "model": "slow", "messages": [{"role": "user", "content": "{q}"}]}
        run = tenant.client.post("/playground/dataset-runs", json={**body, "concurrency": 2}).json()
        wait_for(
            lambda: tenant.client.get(f"/playground/dataset-runs/{run['id']}").json()["completed"] >= 4,
            what="some progress",
        )
        stack.kill_unit("playground", signal.SIGKILL)  # mid-run, lease held
        stack.start_unit("playground")
        done = wait_for(
            lambda: (
                (r := tenant.client.get(f"/playground/dataset-runs/{run['id']}")).status_code == 200
                and r.json()["status"] == "done"
                and r.json()
            ),
            timeout=120,
            what="the run resumed and finished",
        )
    finally:
        server.slow_seconds = 6
    assert done["completed"] == 20 and done["errors"] == 0

    def all_runs() -> dict | None:
        page = tenant.client.post(
            f"/datasets/{dataset.id}/compare", json={"experiment_ids": [run["experiment_id"]], "limit": 50}
        ).json()
        return page if page["experiments"][0]["example_count"] == 20 else None

    page = wait_for(all_runs, timeout=60, what="every example's run")
    # One run per example: a call repeated after the crash is the same run id, not a second run.
    assert page["experiments"][0]["run_count"] == 20
    assert all(len(e["runs"][run["experiment_id"]]) == 1 for e in page["examples"])
