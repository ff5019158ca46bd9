"""Realistic data for the browser tests (and for trying the UI by hand): a logged-in admin's API key,
a project of nested traces spread over the last day (chat LLM calls with tokens and costs, a
retriever, a tool, errors, tags, threads, feedback, an image attachment), a dataset with splits and
versions and two experiments where the second regresses on some examples, a hub prompt with two
commits, and a playground provider pointing at the test model server.

Everything goes through the public API with the official SDK, as a user's code would send it.

    python -m tests.support.ui_seed <url> <admin email> <password> <model server url> <out.json>
"""

from __future__ import annotations

import datetime as dt
import json
import random
import struct
import sys
import time
import zlib
from typing import Any

import httpx
from langsmith import Client, evaluate
from langsmith.run_trees import RunTree

PROJECT = "support-bot"
DATASET = "qa-golden"
PROMPT = "support-answer"
QUESTIONS = [
    ("How do I reset my password?", "Open Settings, then Security, then Reset password."),
    ("Which plans include SSO?", "SSO is included in the Business and Enterprise plans."),
    ("Can I export my data?", "Yes: Settings, then Export, as CSV or JSON."),
    ("How do I invite a teammate?", "Open Members and choose Invite."),
    ("What is the API rate limit?", "1,000 requests per minute per workspace."),
    ("Do you support webhooks?", "Yes, under Settings, then Webhooks."),
    ("How do I delete my account?", "Contact support from the Help menu."),
    ("Is there a mobile app?", "Yes, for iOS and Android."),
    ("Where are my invoices?", "Billing, then Invoices."),
    ("Can I change my email?", "Yes, in Profile settings."),
    ("How do I enable two-factor auth?", "Settings, then Security, then Two-factor."),
    ("What regions do you host in?", "US and EU."),
]
IMAGE_SIDE = 64


def _png(side: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (a real image for the attachment), built with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * side for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


IMAGE = _png(IMAGE_SIDE, (36, 87, 214))


def login(url: str, email: str, password: str) -> tuple[httpx.Client, str, dict[str, Any]]:
    browser = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
    answer = browser.post("/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    csrf = answer.json()["csrf_token"]
    browser.headers["x-csrf-token"] = csrf
    return browser, csrf, browser.get("/auth/me").json()


def admin_key(browser: httpx.Client) -> str:
    created = browser.post("/api-key", json={"name": "ui-seed", "role": "admin"})
    created.raise_for_status()
    return created.json()["key"]


def _messages(question: str, answer: str | None = None) -> list[dict[str, Any]]:
    messages = [
        {"role": "system", "content": "You are a helpful support agent. Answer in **one** sentence."},
        {"role": "user", "content": question},
    ]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return messages


def _trace(client: Client, index: int, start: dt.datetime, *, thread: str | None = None) -> RunTree:
    """One support-bot trace: chain → retriever, llm (chat, tokens, cost), tool; some fail."""
    question, answer = QUESTIONS[index % len(QUESTIONS)]
    failed = index % 9 == 4
    metadata: dict[str, Any] = {"user_tier": "pro" if index % 3 else "free", "app_version": "1.4.2"}
    if thread:
        metadata["session_id"] = thread
    root = RunTree(
        name="support_agent",
        run_type="chain",
        inputs={"question": question},
        start_time=start,
        project_name=PROJECT,
        client=client,
        tags=["prod", "v1.4"] if index % 4 else ["prod", "canary"],
        extra={"metadata": metadata},
    )
    retrieve = root.create_child(
        name="search_docs",
        run_type="retriever",
        inputs={"query": question},
        start_time=start + dt.timedelta(milliseconds=20),
    )
    retrieve.end(
        outputs={"documents": [{"page_content": answer, "metadata": {"source": "kb/faq.md"}}]},
        end_time=start + dt.timedelta(milliseconds=180 + index % 7 * 30),
    )
    llm_start = start + dt.timedelta(milliseconds=200 + index % 7 * 30)
    llm_seconds = 0.6 + (index % 11) * 0.17
    prompt_tokens, completion_tokens = 120 + index % 40, 18 + index % 25
    llm = root.create_child(
        name="ChatOpenAI",
        run_type="llm",
        inputs={"messages": _messages(question)},
        start_time=llm_start,
        extra={
            "metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
            "invocation_params": {"model": "gpt-4o-mini", "temperature": 0.2},
        },
    )
    llm.add_event({"name": "new_token", "time": (llm_start + dt.timedelta(milliseconds=240)).isoformat()})
    if failed:
        llm.end(
            error="RateLimitError: upstream returned 429 (retry after 1 s)",
            end_time=llm_start + dt.timedelta(seconds=0.4),
        )
        root.end(
            error="RateLimitError: upstream returned 429 (retry after 1 s)",
            end_time=llm_start + dt.timedelta(seconds=0.5),
        )
    else:
        llm.end(
            outputs={
                "messages": [{"role": "assistant", "content": answer}],
                "usage_metadata": {
                    "input_tokens": prompt_tokens,
                    "output_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                    "input_cost": prompt_tokens * 0.15e-6,
                    "output_cost": completion_tokens * 0.6e-6,
                },
            },
            end_time=llm_start + dt.timedelta(seconds=llm_seconds),
        )
        tool = root.create_child(
            name="create_ticket",
            run_type="tool",
            inputs={"summary": question},
            start_time=llm_start + dt.timedelta(seconds=llm_seconds + 0.01),
        )
        tool.end(outputs={"ticket": f"T-{1000 + index}"}, end_time=llm_start + dt.timedelta(seconds=llm_seconds + 0.09))
        root.end(outputs={"answer": answer}, end_time=llm_start + dt.timedelta(seconds=llm_seconds + 0.1))
    for run in (root, retrieve, llm, *root.child_runs[2:]):
        run.post()
    return root


def seed_traces(client: Client, now: dt.datetime) -> dict[str, Any]:
    rng = random.Random(7)
    roots = []
    for index in range(60):
        start = now - dt.timedelta(minutes=rng.randint(5, 24 * 60 - 10))
        roots.append(_trace(client, index, start))
    threads = [f"thread-{n}" for n in range(3)]
    for n, thread in enumerate(threads):
        for turn in range(3):
            start = now - dt.timedelta(minutes=60 * (n + 1) - turn * 4)
            roots.append(_trace(client, 100 + n * 3 + turn, start, thread=thread))
    # A trace with an image attachment on its root (attachments travel in the multipart batch).
    image = RunTree(
        name="describe_image",
        run_type="chain",
        inputs={"question": "What colour is this pixel?"},
        start_time=now - dt.timedelta(minutes=2),
        project_name=PROJECT,
        client=client,
        attachments={"pixel": ("image/png", IMAGE)},
    )
    image.end(outputs={"answer": "Blue."}, end_time=now - dt.timedelta(minutes=2) + dt.timedelta(seconds=1))
    image.post()
    image_run_id = image.id
    client.flush()
    ok = next(r for r in roots if r.error is None)
    errored = next(r for r in roots if r.error is not None)
    return {
        "trace_count": len(roots) + 1,
        "ok_root_id": str(ok.id),
        "ok_trace_id": str(ok.trace_id),
        "error_root_id": str(errored.id),
        "image_run_id": str(image_run_id),
        "threads": threads,
    }


def wait_for_runs(client: Client, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(list(client.list_runs(project_name=PROJECT, is_root=True, limit=count + 5))) >= count:
                return
        except Exception:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{count} traces did not arrive in {timeout:.0f}s")


def seed_feedback(client: Client, project_id: str, root_ids: list[str]) -> None:
    for n, run_id in enumerate(root_ids[:20]):
        comment = "seeded" if n % 3 == 0 else None
        client.create_feedback(run_id, key="helpfulness", score=(n % 5) / 4, comment=comment, session_id=project_id)
        if n % 2 == 0:
            client.create_feedback(run_id, key="correct", score=n % 4 != 0, session_id=project_id)


def seed_dataset(client: Client) -> dict[str, Any]:
    dataset = client.create_dataset(DATASET, description="Golden support questions")
    client.create_examples(
        inputs=[{"question": q} for q, _ in QUESTIONS[:8]],
        outputs=[{"answer": a} for _, a in QUESTIONS[:8]],
        metadata=[{"dataset_split": ["train"] if i % 4 else ["test"]} for i in range(8)],
        dataset_id=dataset.id,
    )
    client.create_examples(
        inputs=[{"question": q} for q, _ in QUESTIONS[8:]],
        outputs=[{"answer": a} for _, a in QUESTIONS[8:]],
        dataset_id=dataset.id,
    )
    # A third version: one answer edited.
    first = next(iter(client.list_examples(dataset_id=dataset.id, limit=1)))
    client.update_example(first.id, outputs={"answer": str(first.outputs["answer"]) + " (updated)"})
    answers = {q: a for q, a in QUESTIONS}
    answers[first.inputs["question"]] += " (updated)"

    def good(inputs: dict[str, Any]) -> dict[str, Any]:
        return {"answer": answers[inputs["question"]]}

    def worse(inputs: dict[str, Any]) -> dict[str, Any]:
        question = inputs["question"]
        return {"answer": answers[question] if len(question) % 3 else "I am not sure."}

    def exact(outputs: dict[str, Any], reference_outputs: dict[str, Any]) -> dict[str, Any]:
        return {"key": "correctness", "score": float(outputs["answer"] == reference_outputs["answer"])}

    def brevity(outputs: dict[str, Any]) -> dict[str, Any]:
        return {"key": "brevity", "score": 1.0 if len(outputs["answer"]) < 50 else 0.5}

    baseline = evaluate(good, data=DATASET, evaluators=[exact, brevity], experiment_prefix="baseline", client=client)
    candidate = evaluate(worse, data=DATASET, evaluators=[exact, brevity], experiment_prefix="candidate", client=client)
    client.flush()
    return {
        "dataset_id": str(dataset.id),
        "experiments": [str(baseline.experiment_id), str(candidate.experiment_id)],
        "experiment_names": [baseline.experiment_name, candidate.experiment_name],
    }


def seed_prompt(client: Client) -> dict[str, Any]:
    from langchain_core.prompts import ChatPromptTemplate

    v1 = ChatPromptTemplate.from_messages([("system", "You are a support agent."), ("human", "{question}")])
    v2 = ChatPromptTemplate.from_messages(
        [("system", "You are a concise support agent for {product}."), ("human", "Question: {question}")]
    )
    client.push_prompt(PROMPT, object=v1, description="Answers support questions")
    url = client.push_prompt(PROMPT, object=v2, commit_tags=["prod"])
    return {"prompt": PROMPT, "prompt_url": url}


def seed_provider(browser: httpx.Client, model_server_url: str) -> dict[str, Any]:
    body = {
        "name": "local-echo",
        "kind": "openai",
        "base_url": model_server_url.rstrip("/") + "/v1",
        "api_key": "sk-test-openai",
        "default_model": "echo-small",
    }
    created = browser.post("/playground/providers", json=body)
    created.raise_for_status()
    return {"provider_id": created.json()["id"]}


def seed(url: str, key: str, model_server_url: str) -> dict[str, Any]:
    """Seed the workspace of `key` (an admin key) on the stack at `url`; returns ids for tests."""
    api = httpx.Client(base_url=f"{url}/api/v1", headers={"x-api-key": key}, timeout=30)
    client = Client(api_url=f"{url}/api/v1", api_key=key)
    now = dt.datetime.now(dt.UTC)
    info: dict[str, Any] = {"url": url, "api_key": key, "project": PROJECT}
    info.update(seed_traces(client, now))
    wait_for_runs(client, info["trace_count"])
    project = client.read_project(project_name=PROJECT)
    info["project_id"] = str(project.id)
    roots = [str(r.id) for r in client.list_runs(project_name=PROJECT, is_root=True, limit=40)]
    info["workspace_id"] = str(project.tenant_id)
    seed_feedback(client, info["project_id"], roots)
    info.update(seed_dataset(client))
    info.update(seed_prompt(client))
    info.update(seed_provider(api, model_server_url))
    client.flush()
    api.close()
    return info


if __name__ == "__main__":
    url, email, password, model_server, out = sys.argv[1:6]
    browser, _, _ = login(url, email, password)
    info = seed(url, admin_key(browser), model_server)
    with open(out, "w") as file:
        json.dump(info, file, indent=2)
