"""Token and cost arithmetic of a run (worker/normalize.py): where the counts are read from, in
which order, what is derived (totals), and what is refused as no number at all. Costs are the
caller's (LangSmith's manual `input_cost`/`output_cost`/`total_cost`); Tracehouse prices nothing."""

from __future__ import annotations

from typing import Any

import pytest

from worker.normalize import normalize_run

RUN_ID = "0b7e3c5a-1d2f-4a6b-8c9d-0e1f2a3b4c5d"
FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens", "prompt_cost", "completion_cost", "total_cost")
NOTHING = (None,) * 6


def usage(outputs: Any = None, extra: Any = None) -> tuple[Any, ...]:
    record = normalize_run({"id": RUN_ID, "outputs": outputs, "extra": extra}, "post", 0)
    return tuple(getattr(record, f) for f in FIELDS)


def in_outputs(**fields: Any) -> dict[str, Any]:
    return {"usage_metadata": fields}


@pytest.mark.parametrize(
    ("outputs", "extra", "expected"),
    [
        # usage_metadata in the outputs; a missing total is the sum, a given one is kept as sent
        (in_outputs(input_tokens=10, output_tokens=5), None, (10, 5, 15, None, None, None)),
        (in_outputs(input_tokens=10, output_tokens=5, total_tokens=20), None, (10, 5, 20, None, None, None)),
        (in_outputs(total_tokens=9), None, (0, 0, 9, None, None, None)),
        (in_outputs(output_tokens=4), None, (0, 4, 4, None, None, None)),
        (in_outputs(input_tokens=2.9, output_tokens=1.2), None, (2, 1, 3, None, None, None)),
        # LangChain's llm_output.token_usage
        (
            {"llm_output": {"token_usage": {"prompt_tokens": 3, "completion_tokens": 4}}},
            None,
            (3, 4, 7, None, None, None),
        ),
        # usage_metadata in the metadata, when the outputs carry none
        (None, {"metadata": {"usage_metadata": {"input_tokens": 1, "output_tokens": 2}}}, (1, 2, 3, None, None, None)),
        # not counts: negative, boolean, text; the run then has no usage
        (in_outputs(input_tokens=-1, output_tokens=True, total_tokens="7"), None, NOTHING),
        ({"answer": 42}, {"metadata": {"k": "v"}}, NOTHING),
        (None, None, NOTHING),
    ],
)
def test_token_counts(outputs: Any, extra: Any, expected: tuple[Any, ...]) -> None:
    assert usage(outputs, extra) == expected


def test_the_first_source_with_a_count_wins() -> None:
    outputs = {
        "usage_metadata": {"input_tokens": 1, "output_tokens": 1},
        "llm_output": {"token_usage": {"prompt_tokens": 50, "completion_tokens": 50}},
    }
    extra = {"metadata": {"usage_metadata": {"input_tokens": 900, "output_tokens": 900}}}
    assert usage(outputs, extra)[:3] == (1, 1, 2)
    assert usage({"llm_output": outputs["llm_output"]}, extra)[:3] == (50, 50, 100)
    # a source without any count is passed over, not taken as zeros
    assert usage({"usage_metadata": {"note": "none"}, "llm_output": outputs["llm_output"]})[:3] == (50, 50, 100)


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        # a missing total is the sum of the parts; a given total is kept as sent
        ({"input_cost": 0.001, "output_cost": 0.002}, (0.001, 0.002, 0.003)),
        ({"input_cost": 1, "output_cost": 2, "total_cost": 5}, (1.0, 2.0, 5.0)),
        ({"output_cost": 0.5}, (None, 0.5, 0.5)),
        ({"total_cost": 0.25}, (None, None, 0.25)),
        # dollars to nine decimals (what the column holds), the derived total too
        ({"input_cost": 0.1234567891234, "output_cost": 0.0000000004}, (0.123456789, 0.0, 0.123456789)),
        ({"input_cost": 0.1, "output_cost": 0.2}, (0.1, 0.2, 0.3)),
        # not costs: negative, a billion dollars or more, boolean, text
        ({"input_cost": -1, "output_cost": 1e9, "total_cost": True}, (None, None, None)),
        ({"input_cost": "0.5", "output_cost": 0.5}, (None, 0.5, 0.5)),
        ({}, (None, None, None)),
    ],
)
def test_costs(costs: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert usage(in_outputs(input_tokens=1, output_tokens=1, **costs)) == (1, 1, 2, *expected)


def test_costs_without_token_counts_are_not_recorded() -> None:
    assert usage(in_outputs(input_cost=1.0, output_cost=2.0, total_cost=3.0)) == NOTHING
