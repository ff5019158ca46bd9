"""Pricing in the writer without a stack: which runs are priced, the caller's costs winning, a
run losing its costs when its entry goes, and stage 1 reading the model name and token breakdowns
the way LangSmith does."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

from app.core.prices import Price, PriceList
from tests.support.ingest_helpers import root_run
from worker.merge import merge
from worker.normalize import normalize_run
from worker.pricing import price
from worker.records import RunRecord, RunState

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TABLE = PriceList(
    (),
    (
        Price(
            id="m",
            name="m",
            match_pattern="^m$",
            regex=re.compile("^m$"),
            prompt=Decimal("0.000001"),
            completion=Decimal("0.000002"),
            prompt_details={"cache_read": Decimal("0.0000001")},
        ),
    ),
)


def state(**kw: object) -> RunState:
    values: dict[str, object] = {
        "workspace_id": "w",
        "id": str(uuid.uuid4()),
        "run_type": "llm",
        "start_time": NOW,
        "model_name": "m",
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        **kw,
    }
    return RunState(**values)  # type: ignore[arg-type]


def test_an_llm_run_with_tokens_and_a_known_model_is_priced() -> None:
    s = state(prompt_token_details={"cache_read": 500})
    price(s, TABLE)
    assert (s.prompt_cost, s.completion_cost, s.total_cost) == (
        Decimal("0.00055"),
        Decimal("0.0002"),
        Decimal("0.00075"),
    )
    assert s.prompt_cost_details == {"cache_read": Decimal("0.00005")} and s.cost_source == "table"


def test_runs_that_are_not_priced() -> None:
    for s in (
        state(run_type="chain"),
        state(model_name=None),
        state(prompt_tokens=0, completion_tokens=0),
        state(model_name="x"),
    ):
        price(s, TABLE)
        assert s.total_cost is None and s.cost_source is None


def test_the_callers_costs_win_even_without_a_source() -> None:
    sent = state(prompt_cost=0.5, total_cost=0.5, cost_source="caller")
    old = state(prompt_cost=0.5, total_cost=0.5)  # stored before pricing existed
    for s in (sent, old):
        price(s, TABLE)
        assert s.total_cost == 0.5


def test_a_priced_run_whose_entry_is_gone_loses_its_costs() -> None:
    s = state()
    price(s, TABLE)
    assert s.total_cost is not None
    price(s, PriceList((), ()))
    assert s.total_cost is None and s.prompt_cost_details is None and s.cost_source is None


def test_stage_one_reads_the_model_name_and_breakdowns_like_langsmith() -> None:
    run = root_run()
    run["run_type"] = "llm"
    run["extra"] = {"invocation_params": {"model_name": "from-params"}}
    run["outputs"] = {
        "usage_metadata": {
            "input_tokens": 10,
            "output_tokens": 5,
            "total_tokens": 15,
            "input_token_details": {"cache_read": 4, "audio": -1, "bogus": "x"},
            "output_token_details": {"reasoning": 3},
        }
    }
    record = normalize_run(run, "post", 0)
    assert record.model_name == "from-params" and record.cost_source is None
    assert record.prompt_token_details == {"cache_read": 4} and record.completion_token_details == {"reasoning": 3}
    run["extra"]["metadata"] = {"ls_model_name": "from-metadata"}
    assert normalize_run(run, "post", 0).model_name == "from-metadata"
    run["outputs"]["usage_metadata"]["input_cost"] = 0.1
    assert normalize_run(run, "post", 0).cost_source == "caller"


def test_a_patch_without_costs_keeps_the_callers_source() -> None:
    post = RunRecord(kind="post", id="r", workspace_id="w", prompt_cost=0.1, total_cost=0.1, cost_source="caller")
    patch = RunRecord(kind="patch", id="r", workspace_id="w", prompt_tokens=5)
    merged = merge(merge(None, post), patch)
    assert merged.cost_source == "caller" and merged.total_cost == 0.1
