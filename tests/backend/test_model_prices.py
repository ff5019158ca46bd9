"""Costs from the model price map (issue 19): runs traced with the official SDK are priced by the
queue's writer from the shipped defaults and the workspace's own entries, exactly (Decimal), at
the price in force at their start; the caller's own costs win; another workspace's prices never
apply and its table is invisible; bad entries are refused with a 400 naming the field."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from langsmith import Client
from langsmith.run_trees import RunTree

from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def sdk(stack: NativeStack, tenant: Tenant) -> Client:
    return Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)


def llm_trace(
    client: Client,
    project: str,
    model: str,
    usage: dict[str, Any],
    *,
    provider: str | None = None,
    start: dt.datetime = NOW,
    split: bool = False,
) -> str:
    """A chain root with one LLM child; returns the child's id. `split`: the child is posted first
    (naming its model) and patched later with its usage, as a streamed call is."""
    root = RunTree(
        name="agent", run_type="chain", inputs={"q": model}, start_time=start, project_name=project, client=client
    )
    metadata = {"ls_model_name": model, **({"ls_provider": provider} if provider else {})}
    llm = root.create_child(name="llm", run_type="llm", start_time=start, extra={"metadata": metadata})
    if split:
        root.post()
        llm.post()
        client.flush()
    outputs = {"messages": [{"role": "assistant", "content": "ok"}], "usage_metadata": usage}
    llm.end(outputs=outputs, end_time=start + dt.timedelta(seconds=1))
    root.end(outputs={"a": "ok"}, end_time=start + dt.timedelta(seconds=1))
    if split:
        llm.patch()
        root.patch()
    else:
        root.post(exclude_child_runs=False)
    return str(llm.id)


def costs(stack: NativeStack, workspace_id: str, run_id: str) -> dict[str, Any] | None:
    rows = clickhouse(stack).query(
        "SELECT prompt_cost, completion_cost, total_cost, prompt_cost_details, completion_cost_details, cost_source,"
        " completion_tokens FROM runs FINAL WHERE workspace_id = %(w)s AND id = %(id)s",
        {"w": workspace_id, "id": run_id},
    )
    if not rows:
        return None
    p, c, t, pd, cd, source, completion_tokens = rows[0]
    return {"prompt": p, "completion": c, "total": t, "prompt_details": dict(pd), "completion_details": dict(cd),
            "source": source, "completion_tokens": completion_tokens}  # fmt: skip


def priced(stack: NativeStack, workspace_id: str, run_id: str, **expected: Any) -> dict[str, Any]:
    """The run's costs once the writer stored them as expected (polled: ingestion is asynchronous)."""
    found: dict[str, Any] = {}

    def probe() -> bool:
        nonlocal found
        found = costs(stack, workspace_id, run_id) or {}
        return bool(found) and all(found.get(k) == v for k, v in expected.items())

    try:
        wait_for(probe, what=f"run {run_id} priced as {expected}")
    except AssertionError:
        raise AssertionError(f"stored {found}, expected {expected}") from None
    return found


def usage(prompt: int, completion: int, **details: dict[str, int]) -> dict[str, Any]:
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion, **details}


def test_sdk_runs_are_priced_exactly_from_the_default_table(stack: NativeStack, tenant: Tenant) -> None:
    client = sdk(stack, tenant)
    project = f"priced-{uuid.uuid4().hex[:6]}"
    gpt = llm_trace(client, project, "gpt-4o", usage(1000, 500), provider="openai")
    claude = llm_trace(
        client,
        project,
        "claude-sonnet-4-5-20250929",
        usage(1000, 200, input_token_details={"cache_read": 400, "cache_creation": 100}),
        provider="anthropic",
    )
    cached = llm_trace(client, project, "gpt-4o-mini", usage(2000, 100, input_token_details={"cache_read": 1500}))
    reasoning = llm_trace(client, project, "o3", usage(100, 1000, output_token_details={"reasoning": 800}))
    client.flush()
    ws = tenant.workspace_id
    # gpt-4o: $2.50 / $10 per 1M tokens.
    priced(
        stack, ws, gpt, prompt=Decimal("0.0025"), completion=Decimal("0.005"), total=Decimal("0.0075"), source="table"
    )
    # claude-sonnet-4.5: 500 plain input at $3, 400 cache reads at $0.30, 100 cache writes at $3.75; 200 out at $15.
    found = priced(
        stack, ws, claude, prompt=Decimal("0.001995"), completion=Decimal("0.003"), total=Decimal("0.004995")
    )
    assert found["prompt_details"] == {"cache_read": Decimal("0.00012"), "cache_creation": Decimal("0.000375")}
    # gpt-4o-mini: 500 plain input at $0.15, 1500 cached at $0.075; 100 out at $0.60.
    priced(stack, ws, cached, prompt=Decimal("0.0001875"), completion=Decimal("0.00006"), total=Decimal("0.0002475"))
    # o3 since 2025-06-10: $2 / $8, reasoning tokens at the output price.
    found = priced(stack, ws, reasoning, prompt=Decimal("0.0002"), completion=Decimal("0.008"), total=Decimal("0.0082"))
    assert found["completion_details"] == {"reasoning": Decimal("0.0064")}
    # The SDK reads them back, the breakdown too; the root rolls up its trace's cost.
    run = client.read_run(claude)
    assert run.total_cost == Decimal("0.004995")
    assert run.prompt_cost_details == {"cache_read": Decimal("0.00012"), "cache_creation": Decimal("0.000375")}
    root = client.read_run(str(run.trace_id))
    roots = list(client.list_runs(project_name=project, is_root=True, select=["total_cost", "id"]))
    assert {r.id: r.total_cost for r in roots}[root.id] == Decimal("0.004995")

    # Monitoring shows the spend per model, and the project's stats the sum.
    project_id = tenant.client.get("/sessions", params={"name": project}).json()[0]["id"]
    series = tenant.client.get(f"/sessions/{project_id}/timeseries").json()
    spend = {m["model_name"]: (m["llm_calls"], m["total_cost"]) for m in series["cost_by_model"]}
    assert spend == {
        "o3": (1, 0.0082),
        "gpt-4o": (1, 0.0075),
        "claude-sonnet-4-5-20250929": (1, 0.004995),
        "gpt-4o-mini": (1, 0.0002475),
    }
    assert series["cost_by_model"][0]["model_name"] == "o3"  # most spent first
    assert series["unpriced_models"] == []
    stats = tenant.client.get("/sessions", params={"id": project_id, "include_stats": "true"}).json()[0]
    assert Decimal(str(stats["total_cost"])) == Decimal("0.0209425")


def test_a_patch_with_the_tokens_prices_the_model_named_by_the_post(stack: NativeStack, tenant: Tenant) -> None:
    client = sdk(stack, tenant)
    run = llm_trace(client, f"split-{uuid.uuid4().hex[:6]}", "gpt-4o", usage(1000, 500), split=True)
    client.flush()
    priced(stack, tenant.workspace_id, run, total=Decimal("0.0075"), completion_tokens=500)


def test_caller_costs_win(stack: NativeStack, tenant: Tenant) -> None:
    client = sdk(stack, tenant)
    sent = {**usage(1000, 500), "input_cost": 0.5, "output_cost": 0.25}
    run = llm_trace(client, f"caller-{uuid.uuid4().hex[:6]}", "gpt-4o", sent)
    client.flush()
    priced(stack, tenant.workspace_id, run, prompt=Decimal("0.5"), total=Decimal("0.75"), source="caller")


def price_body(name: str, pattern: str, prompt: str, completion: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "match_pattern": pattern, "prompt_cost": prompt, "completion_cost": completion, **more}


def test_workspace_prices_win_apply_by_start_time_and_stay_in_their_workspace(
    stack: NativeStack, tenant: Tenant, other_tenant: Tenant
) -> None:
    model = f"house-{uuid.uuid4().hex[:6]}"
    change = NOW - dt.timedelta(days=1)
    old = tenant.client.post("/model-price-map", json=price_body("house v1", f"^{model}$", "0.000001", "0.000002"))
    assert old.status_code == 200, old.text
    new = tenant.client.post(
        "/model-price-map",
        json=price_body("house v2", f"^{model}$", "0.000003", "0.000004", start_time=change.isoformat()),
    )
    assert new.status_code == 200, new.text
    # The other workspace prices the same model at 1000x; it must never reach this workspace.
    foreign = other_tenant.client.post("/model-price-map", json=price_body("x", f"^{model}$", "0.001", "0.001"))
    assert foreign.status_code == 200, foreign.text
    # A workspace entry beats the default: gpt-4o at $1 / $1 per 1M here.
    mine = tenant.client.post("/model-price-map", json=price_body("my gpt-4o", "^gpt-4o$", "0.000001", "0.000001"))
    assert mine.status_code == 200, mine.text

    client = sdk(stack, tenant)
    project = f"dated-{uuid.uuid4().hex[:6]}"
    before = llm_trace(client, project, model, usage(1000, 1000), start=change - dt.timedelta(hours=1))
    after = llm_trace(client, project, model, usage(1000, 1000), start=change + dt.timedelta(hours=1))
    gpt = llm_trace(client, project, "gpt-4o", usage(1000, 1000))
    client.flush()
    ws = tenant.workspace_id
    priced(stack, ws, before, prompt=Decimal("0.001"), completion=Decimal("0.002"), total=Decimal("0.003"))
    priced(stack, ws, after, prompt=Decimal("0.003"), completion=Decimal("0.004"), total=Decimal("0.007"))
    priced(stack, ws, gpt, total=Decimal("0.002"))

    listed = {e["id"]: e for e in tenant.client.get("/model-price-map").json()}
    assert old.json()["id"] in listed and foreign.json()["id"] not in listed
    assert listed[new.json()["id"]]["prompt_cost"] == "0.000003"
    assert any(e["is_default"] and e["name"] == "gpt-4o" for e in listed.values())
    others = {e["id"] for e in other_tenant.client.get("/model-price-map").json()}
    assert old.json()["id"] not in others
    # Another workspace cannot change or delete this one's entries (not found, not forbidden).
    assert other_tenant.client.put(f"/model-price-map/{old.json()['id']}", json=old.json()).status_code == 404
    assert other_tenant.client.delete(f"/model-price-map/{old.json()['id']}").status_code == 404
    # Which entry would price a model, as the settings page asks.
    match = tenant.client.get("/model-price-map/match", params={"model_name": model}).json()
    assert match["match"]["id"] == new.json()["id"]
    match = other_tenant.client.get("/model-price-map/match", params={"model_name": "gpt-4o"}).json()
    assert match["match"]["is_default"] is True


def test_a_default_can_be_overridden_and_disabled(stack: NativeStack, tenant: Tenant) -> None:
    entries = tenant.client.get("/model-price-map").json()
    gpt = next(e for e in entries if e["is_default"] and e["name"] == "gpt-4o")
    body = {**gpt, "prompt_cost": "0.000005"}
    override = tenant.client.put(f"/model-price-map/{gpt['id']}", json=body)
    assert override.status_code == 200, override.text
    assert override.json()["default_id"] == gpt["id"] and override.json()["prompt_cost"] == "0.000005"
    match = tenant.client.get("/model-price-map/match", params={"model_name": "gpt-4o"}).json()["match"]
    assert match["id"] == override.json()["id"]
    assert tenant.client.delete(f"/model-price-map/{override.json()['id']}").status_code == 204
    match = tenant.client.get("/model-price-map/match", params={"model_name": "gpt-4o"}).json()["match"]
    assert match["id"] == gpt["id"] and match["prompt_cost"] == "0.0000025"
    assert tenant.client.delete(f"/model-price-map/{gpt['id']}").status_code == 204
    assert tenant.client.get("/model-price-map/match", params={"model_name": "gpt-4o"}).json()["match"] is None
    listed = next(e for e in tenant.client.get("/model-price-map").json() if e.get("default_id") == gpt["id"])
    assert listed["disabled"] is True

    client = sdk(stack, tenant)
    run = llm_trace(client, f"disabled-{uuid.uuid4().hex[:6]}", "gpt-4o", usage(10, 10))
    client.flush()
    found = priced(stack, tenant.workspace_id, run, completion_tokens=10)
    assert found["total"] is None and found["source"] == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"match_pattern": "gpt-[4"}, "match_pattern is not a valid regular expression"),
        ({"match_pattern": "(a+)+$"}, "may not repeat a repeat"),
        ({"match_pattern": "(x)\\1"}, "backreferences"),
        ({"match_pattern": "a*b*c*"}, "unbounded repeats"),
        ({"match_pattern": "a" * 201}, "at most 200"),
        ({"prompt_cost": "-0.1"}, "prompt_cost must be a non-negative number"),
        ({"completion_cost": "lots"}, "completion_cost must be a number"),
        ({"prompt_cost": 2.5}, "price per token"),
        ({"name": "n" * 201}, "name must be at most 200"),
        ({"name": ""}, "name"),
        ({"prompt_cost_details": {"cache_read": -1}}, "prompt_cost_details.cache_read"),
        ({"completion_cost_details": {"sparkles": "0.1"}}, "completion_cost_details.sparkles"),
        ({"provider": "p" * 65}, "provider must be at most 64"),
    ],
)
def test_bad_entries_are_refused_with_a_400_naming_the_field(
    tenant: Tenant, change: dict[str, Any], message: str
) -> None:
    body = {**price_body("ok", "^ok$", "0.000001", "0.000001"), **change}
    response = tenant.client.post("/model-price-map", json=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"], response.json()


def test_bad_queries_and_missing_entries(tenant: Tenant, anonymous: httpx.Client) -> None:
    assert tenant.client.get("/model-price-map/match", params={"model_name": "m" * 300}).status_code == 400
    assert tenant.client.get("/model-price-map/match").status_code == 400
    body = price_body("dup", f"^dup-{uuid.uuid4().hex}$", "0", "0")
    assert tenant.client.post("/model-price-map", json=body).status_code == 200
    again = tenant.client.post("/model-price-map", json=body)
    assert again.status_code == 409 and "already has this entry" in again.json()["detail"]
    missing = f"/model-price-map/{uuid.uuid4()}"
    assert tenant.client.delete(missing).status_code == 404
    assert tenant.client.put(missing, json=price_body("x", "^x$", "0", "0")).status_code == 404
    assert anonymous.get("/model-price-map").status_code == 401


def test_costs_recompute_reprices_stored_runs_and_resumes(stack: NativeStack, tenant: Tenant) -> None:
    from app.core import redis_keys
    from app.core.redis import sync_redis
    from app.core.settings import QueueSettings, load_settings
    from tests.conftest import python_module

    client = sdk(stack, tenant)
    model = f"late-{uuid.uuid4().hex[:6]}"
    project = f"recompute-{uuid.uuid4().hex[:6]}"
    starts = [NOW - dt.timedelta(hours=h) for h in (3, 2, 1)]
    runs = [llm_trace(client, project, model, usage(1000, 0), start=s) for s in starts]
    caller = llm_trace(client, project, model, {**usage(1000, 0), "total_cost": 9}, start=NOW)
    client.flush()
    ws = tenant.workspace_id
    for run in runs:  # stored without a price: none matched at ingest
        priced(stack, ws, run, total=None, source="")
    priced(stack, ws, caller, total=Decimal(9), source="caller")

    created = tenant.client.post("/model-price-map", json=price_body("late", f"^{model}$", "0.000001", "0"))
    assert created.status_code == 200, created.text

    def cli(*more: str) -> str:
        result = python_module(
            "tooling.cli", "--data-dir", str(stack.data_dir), "costs", "recompute", "--project", project, *more
        )
        assert result.returncode == 0, result.stderr + result.stdout
        return result.stdout

    out = cli("--batch", "2")
    assert "3 run(s) to re-price" in out and "re-priced 2/3" in out and "done: 3 run(s) re-priced" in out
    for run in runs:  # the writer has written each batch before the command moved on
        assert costs(stack, ws, run)["total"] == Decimal("0.001")
    assert costs(stack, ws, caller)["total"] == Decimal(9)  # the caller's costs win

    # A new price; a checkpoint as an interrupted run leaves it after the first run: resuming
    # re-prices only the rest.
    entry = created.json()
    changed = tenant.client.put(f"/model-price-map/{entry['id']}", json={**entry, "prompt_cost": "0.000002"})
    assert changed.status_code == 200, changed.text
    first = clickhouse(stack).query(
        "SELECT start_time, id FROM runs FINAL WHERE workspace_id = %(w)s AND id = %(id)s", {"w": ws, "id": runs[0]}
    )[0]
    project_id = tenant.client.get("/sessions", params={"name": project}).json()[0]["id"]
    since = "2020-01-01T00:00:00+00:00"
    redis = sync_redis(load_settings(QueueSettings, stack.env()).redis)
    key = f"{redis_keys.COSTS_RECOMPUTE_PREFIX}{ws}:{project_id}:{since}"
    redis.hset(key, mapping={"after": first[0].isoformat(), "after_id": str(first[1]), "done": 1})
    out = cli("--since", since)
    assert "resuming after 1 run(s)" in out and "done: 3 run(s) re-priced" in out
    assert costs(stack, ws, runs[0])["total"] == Decimal("0.001")
    assert [costs(stack, ws, r)["total"] for r in runs[1:]] == [Decimal("0.002")] * 2
    assert not redis.exists(key)  # a finished run leaves no checkpoint


def test_costs_recompute_refuses_what_it_cannot_find(stack: NativeStack) -> None:
    from tests.conftest import python_module

    base = ("tooling.cli", "--data-dir", str(stack.data_dir), "costs", "recompute")
    missing = python_module(*base, "--project", f"nothing-{uuid.uuid4().hex}")
    assert missing.returncode == 1 and "no project" in missing.stderr
    bad = python_module(*base, "--project", "x", "--since", "yesterday")
    assert bad.returncode == 2 and "--since" in bad.stderr
