"""OpenTelemetry intake: OTLP/HTTP protobuf and JSON, each attribute convention, late parents."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, wait_for
from tooling.runner.stack import REPO_ROOT, NativeStack

pytestmark = pytest.mark.stack
COLUMNS = "name, run_type, status, parent_run_id, inputs, outputs, total_tokens, prompt_tokens, metadata, error, id"


def rows(stack: NativeStack, tenant: Tenant, count: int) -> dict[str, tuple[Any, ...]]:
    ch = clickhouse(stack)
    found = wait_for(
        lambda: (
            (r := ch.query(f"SELECT {COLUMNS} FROM runs FINAL WHERE workspace_id = %(w)s", {"w": tenant.workspace_id}))
            and len(r) >= count
            and r
        ),
        what=f"{count} spans as runs",
    )
    return {r[0]: r for r in found}


@pytest.fixture
def provider(stack: NativeStack, tenant: Tenant) -> Iterator[TracerProvider]:
    exporter = OTLPSpanExporter(
        endpoint=f"{stack.url}/otel/v1/traces", headers={"x-api-key": tenant.key, "Langsmith-Project": "otel-test"}
    )
    tp = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    tp.add_span_processor(BatchSpanProcessor(exporter))
    yield tp
    tp.shutdown()


def test_genai_spans_from_the_otel_sdk(stack: NativeStack, tenant: Tenant, provider: TracerProvider) -> None:
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("agent") as agent:
        agent.set_attribute("gen_ai.operation.name", "invoke_agent")
        with tracer.start_as_current_span("chat gpt-4o") as chat:
            chat.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.system": "openai",
                    "gen_ai.request.model": "gpt-4o",
                    "gen_ai.request.temperature": 0.3,
                    "gen_ai.request.max_tokens": 64,
                    "gen_ai.prompt.0.role": "system",
                    "gen_ai.prompt.0.content": "be brief",
                    "gen_ai.prompt.1.role": "user",
                    "gen_ai.prompt.1.content": "hi",
                    "gen_ai.completion.0.role": "assistant",
                    "gen_ai.completion.0.content": "hello",
                    "gen_ai.usage.input_tokens": 9,
                    "gen_ai.usage.output_tokens": 2,
                    "app.customer_tier": "gold",
                }
            )
        with tracer.start_as_current_span("lookup") as tool:
            tool.set_attribute("gen_ai.operation.name", "execute_tool")
            tool.set_status(Status(StatusCode.ERROR, "tool failed"))
            tool.record_exception(KeyError("sku-42"))
    provider.force_flush()
    runs = rows(stack, tenant, 3)
    agent_row, chat_row, tool_row = runs["agent"], runs["chat gpt-4o"], runs["lookup"]
    assert agent_row[1] == "chain" and agent_row[3] is None
    assert chat_row[1] == "llm" and chat_row[3] == agent_row[10]  # tree rebuilt from span parents
    assert msgspec.json.decode(chat_row[4]) == {
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    }
    assert msgspec.json.decode(chat_row[5]) == {"messages": [{"role": "assistant", "content": "hello"}]}
    assert (chat_row[6], chat_row[7]) == (11, 9)
    metadata = chat_row[8]
    assert metadata["ls_provider"] == "openai" and metadata["ls_model_name"] == "gpt-4o"
    assert metadata["app.customer_tier"] == "gold"  # unknown attributes are kept
    assert metadata["resource.service.name"] == "checkout"
    assert tool_row[1] == "tool" and tool_row[2] == "error"
    assert "tool failed" in tool_row[9] and "KeyError" in tool_row[9]
    project = httpx.get(
        f"{stack.url}/api/v1/sessions", params={"name": "otel-test"}, headers={"x-api-key": tenant.key}
    ).json()
    assert len(project) == 1  # the Langsmith-Project header named it


def test_deprecated_genai_names_events_and_openinference(
    stack: NativeStack, tenant: Tenant, provider: TracerProvider
) -> None:
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("legacy-llm") as span:
        span.set_attributes(
            {
                "gen_ai.system": "anthropic",
                "gen_ai.operation.name": "chat",
                "gen_ai.prompt": '{"messages": [{"role": "user", "content": "q"}]}',
                "gen_ai.completion": '{"text": "a"}',
                "gen_ai.usage.prompt_tokens": 5,
                "gen_ai.usage.completion_tokens": 6,
            }
        )
    with tracer.start_as_current_span("event-llm") as span:
        span.set_attribute("gen_ai.operation.name", "chat")
        span.add_event("gen_ai.user.message", {"content": "what time is it"})
        span.add_event("gen_ai.choice", {"index": 0, "message": '{"role": "assistant", "content": "noon"}'})
    with tracer.start_as_current_span("oi-llm") as span:
        span.set_attributes(
            {
                "openinference.span.kind": "LLM",
                "llm.model_name": "llama-3",
                "llm.input_messages.0.message.role": "user",
                "llm.input_messages.0.message.content": "hola",
                "output.value": "adios",
                "llm.token_count.prompt": 4,
                "llm.token_count.completion": 1,
                "llm.token_count.total": 5,
            }
        )
    with tracer.start_as_current_span("oi-retriever") as span:
        span.set_attributes({"openinference.span.kind": "RETRIEVER", "input.value": '{"query": "docs"}'})
    provider.force_flush()
    runs = rows(stack, tenant, 4)
    legacy = runs["legacy-llm"]
    assert msgspec.json.decode(legacy[4]) == {"messages": [{"role": "user", "content": "q"}]}
    assert msgspec.json.decode(legacy[5]) == {"text": "a"}
    assert (legacy[6], legacy[7]) == (11, 5)
    events = runs["event-llm"]
    assert msgspec.json.decode(events[4]) == {"messages": [{"role": "user", "content": "what time is it"}]}
    assert msgspec.json.decode(events[5]) == {"messages": [{"role": "assistant", "content": "noon"}]}
    oi = runs["oi-llm"]
    assert oi[1] == "llm" and oi[6] == 5 and oi[8]["ls_model_name"] == "llama-3"
    assert msgspec.json.decode(oi[4]) == {"messages": [{"role": "user", "content": "hola"}]}
    assert msgspec.json.decode(oi[5]) == {"output": "adios"}
    assert runs["oi-retriever"][1] == "retriever"
    assert msgspec.json.decode(runs["oi-retriever"][4]) == {"query": "docs"}


def test_otlp_json_and_a_parent_that_arrives_later(stack: NativeStack, tenant: Tenant) -> None:
    trace_hex, root_hex, child_hex = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "eee19b7ec3c1b175"
    now = time.time_ns()

    def export(spans: list[dict]) -> httpx.Response:
        body = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": spans}]}]}
        return httpx.post(
            f"{stack.url}/api/v1/otel/v1/traces",
            json=body,
            headers={"x-api-key": tenant.key, "Langsmith-Project": "otel-json"},
        )

    child = {
        "traceId": trace_hex,
        "spanId": child_hex,
        "parentSpanId": root_hex,
        "name": "json-child",
        "startTimeUnixNano": str(now + 1000),
        "endTimeUnixNano": str(now + 2000),
        "attributes": [{"key": "langsmith.span.kind", "value": {"stringValue": "TOOL"}}],
    }
    response = export([child])  # the child first, alone: its parent is not known yet
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    time.sleep(1)
    root = {
        "traceId": trace_hex,
        "spanId": root_hex,
        "name": "json-root",
        "startTimeUnixNano": str(now),
        "endTimeUnixNano": str(now + 5000),
    }
    assert export([root]).status_code == 200
    runs = rows(stack, tenant, 2)
    assert runs["json-child"][3] == runs["json-root"][10]
    assert runs["json-child"][1] == "tool"
    ch = clickhouse(stack)
    dotted = dict(
        ch.query("SELECT name, dotted_order FROM runs FINAL WHERE workspace_id = %(w)s", {"w": tenant.workspace_id})
    )
    assert dotted["json-child"].startswith(dotted["json-root"] + ".")


def test_the_sdk_providers_bare_otel_path(stack: NativeStack, tenant: Tenant) -> None:
    """The SDK's own OTLP provider (LANGSMITH_OTEL_ENABLED) posts to `{endpoint}/otel` itself, not
    to /otel/v1/traces; both that path and the bare-host one take the export."""
    for name, path in (("alias-api", "/api/v1/otel"), ("alias-bare", "/otel")):
        now = time.time_ns()
        span = {
            "traceId": uuid.uuid4().hex,
            "spanId": uuid.uuid4().hex[:16],
            "name": name,
            "startTimeUnixNano": str(now),
            "endTimeUnixNano": str(now + 1000),
        }
        body = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [span]}]}]}
        response = httpx.post(
            f"{stack.url}{path}", json=body, headers={"x-api-key": tenant.key, "Langsmith-Project": "otel-alias"}
        )
        assert response.status_code == 200, response.text
    assert set(rows(stack, tenant, 2)) == {"alias-api", "alias-bare"}


def test_langsmith_sdk_in_otel_mode(stack: NativeStack, tenant: Tenant) -> None:
    env = {
        **os.environ,
        "LANGSMITH_ENDPOINT": f"{stack.url}/api/v1",
        "LANGSMITH_API_KEY": tenant.key,
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_TRACING_MODE": "otel",
        "LANGSMITH_PROJECT": "otel-mode",
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tests" / "support" / "otel_langsmith_script.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    runs = rows(stack, tenant, 2)
    agent, lookup = runs["otel-agent"], runs["lookup"]
    assert lookup[3] == agent[10] and lookup[1] == "tool"
    assert msgspec.json.decode(agent[5])["answer"] == "sunny in Lisbon"
    assert lookup[8].get("source") == "otel-mode"
    sessions = httpx.get(
        f"{stack.url}/api/v1/sessions", params={"name": "otel-mode"}, headers={"x-api-key": tenant.key}
    ).json()
    assert len(sessions) == 1


def test_malformed_exports_are_400_and_partial_success(
    stack: NativeStack, tenant: Tenant, anonymous: httpx.Client
) -> None:
    url = f"{stack.url}/api/v1/otel/v1/traces"
    bad = httpx.post(
        url,
        content=b"\x0a\xff\xff\xff garbage",
        headers={"x-api-key": tenant.key, "content-type": "application/x-protobuf"},
    )
    assert bad.status_code == 400 and "protobuf" in bad.json()["detail"]
    assert (
        httpx.post(
            url, content=b"{nope", headers={"x-api-key": tenant.key, "content-type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        httpx.post(url, content=b"x", headers={"x-api-key": tenant.key, "content-type": "text/plain"}).status_code
        == 400
    )
    assert anonymous.post("/otel/v1/traces", content=b"").status_code == 401
    # A span without valid ids is rejected; the good one in the same export is accepted.
    body = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {"traceId": "", "spanId": "", "name": "no-ids"},
                            {
                                "traceId": "0af7651916cd43dd8448eb211c80319c",
                                "spanId": "b7ad6b7169203331",
                                "name": "fine",
                                "startTimeUnixNano": str(time.time_ns()),
                                "endTimeUnixNano": str(time.time_ns()),
                            },
                        ]
                    }
                ]
            }
        ]
    }
    response = httpx.post(url, json=body, headers={"x-api-key": tenant.key})
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] in (1, "1")
    assert "fine" in rows(stack, tenant, 1)


def test_tenant_isolation(stack: NativeStack, tenant: Tenant, other_tenant: Tenant) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{stack.url}/otel/v1/traces", headers={"x-api-key": tenant.key})
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    with tp.get_tracer("t").start_as_current_span("secret-span"):
        pass
    tp.shutdown()
    rows(stack, tenant, 1)
    assert other_tenant.client.post("/runs/query", json={"filter": 'eq(name, "secret-span")'}).json()["runs"] == []
    assert isinstance(ExportTraceServiceResponse(), ExportTraceServiceResponse)
