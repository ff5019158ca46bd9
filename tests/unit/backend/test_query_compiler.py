"""Snapshots of the SQL the filter compiler writes (app/backend/query/compiler.py): for each
operator and field kind, the exact WHERE fragment and its parameters. A change here changes which
runs a saved filter selects, so it must be deliberate: update the table with the compiler."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.backend.query.compiler import compile_filter
from app.backend.query.parser import FilterError, parse

U = "0B7E3C5A-1D2F-4A6B-8C9D-0E1F2A3B4C5D"  # upper case on purpose: UUIDs are normalised to the lower-case form stored
UL = U.lower()

# filter -> (SQL fragment, parameters besides workspace_id, which every compilation carries)
SNAPSHOTS: list[tuple[str, str, dict[str, Any]]] = [
    ('eq(name, "x")', "name = %(f1)s", {"f1": "x"}),
    ('neq(status, "error")', "status != %(f1)s", {"f1": "error"}),
    ("gt(total_tokens, 100)", "total_tokens > %(f1)s", {"f1": 100.0}),
    ("gte(prompt_tokens, 5)", "prompt_tokens >= %(f1)s", {"f1": 5.0}),
    ("lt(completion_tokens, 7)", "completion_tokens < %(f1)s", {"f1": 7.0}),
    ("lte(total_cost, 1)", "total_cost <= %(f1)s", {"f1": 1.0}),
    ("lt(prompt_cost, 0.5)", "prompt_cost < %(f1)s", {"f1": 0.5}),
    ("gt(completion_cost, 0)", "completion_cost > %(f1)s", {"f1": 0.0}),
    ("eq(name, 42)", "name = %(f1)s", {"f1": "42"}),
    (f'eq(id, "{U}")', "id = %(f1)s", {"f1": UL}),
    (f'eq(trace_id, "{U}")', "trace_id = %(f1)s", {"f1": UL}),
    (f'neq(parent_run_id, "{U}")', "parent_run_id != %(f1)s", {"f1": UL}),
    (f'eq(reference_example_id, "{U}")', "reference_example_id = %(f1)s", {"f1": UL}),
    (f'eq(session_id, "{U}")', "project_id = %(f1)s", {"f1": UL}),
    ('eq(thread_id, "t1")', "thread_id = %(f1)s", {"f1": "t1"}),
    (
        'gt(start_time, "2024-05-01T12:00:00Z")',
        "start_time > %(f1)s",
        {"f1": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)},
    ),
    ("lt(end_time, 1714564800)", "end_time < %(f1)s", {"f1": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)}),
    (
        'gte(first_token_time, "2024-05-01T12:00:00")',
        "first_token_time >= %(f1)s",
        {"f1": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)},
    ),
    (
        'lte(start_time, "2024-05-01T14:00:00+02:00")',
        "start_time <= %(f1)s",
        {"f1": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)},
    ),
    ("gt(latency, 2)", "latency_seconds > %(f1)s", {"f1": 2.0}),
    ('gt(latency, "1.5s")', "latency_seconds > %(f1)s", {"f1": 1.5}),
    ('lt(latency, "250ms")', "latency_seconds < %(f1)s", {"f1": 0.25}),
    ('gte(latency, "2m")', "latency_seconds >= %(f1)s", {"f1": 120.0}),
    ('lte(latency, "1h")', "latency_seconds <= %(f1)s", {"f1": 3600.0}),
    ('lt(latency, "1d")', "latency_seconds < %(f1)s", {"f1": 86400.0}),
    ('eq(latency, "3")', "latency_seconds = %(f1)s", {"f1": 3.0}),
    ("eq(is_root, true)", "is_root = %(f1)s", {"f1": True}),
    ("neq(is_root, false)", "is_root != %(f1)s", {"f1": False}),
    ("eq(error, null)", "error IS NULL", {}),
    ("neq(error, null)", "error IS NOT NULL", {}),
    ('eq(error, "boom")', "error = %(f1)s", {"f1": "boom"}),
    ('eq(run_type, "llm")', "run_type = %(f1)s", {"f1": "llm"}),
    ('in(run_type, ["llm", "chain"])', "run_type IN %(f1)s", {"f1": ("llm", "chain")}),
    (f'in(id, ["{U}"])', "id IN %(f1)s", {"f1": (UL,)}),
    ("in(total_tokens, [1, 2])", "total_tokens IN %(f1)s", {"f1": (1.0, 2.0)}),
    ('has(tags, "beta")', "has(tags, %(f1)s)", {"f1": "beta"}),
    ('eq(tags, "x")', "has(tags, %(f1)s)", {"f1": "x"}),
    ('neq(tags, "x")', "NOT has(tags, %(f1)s)", {"f1": "x"}),
    ('in(tags, ["a", "b"])', "hasAny(tags, %(f1)s)", {"f1": ["a", "b"]}),
    ("has(tags, 7)", "has(tags, %(f1)s)", {"f1": "7"}),
    ("exists(error)", "isNotNull(error)", {}),
    ("exists(thread_id, false)", "NOT (isNotNull(thread_id))", {}),
    ("exists(name)", "name != ''", {}),
    ("exists(run_type, false)", "NOT (run_type != '')", {}),
    ("exists(tags)", "notEmpty(tags)", {}),
    ("exists(first_token_time)", "isNotNull(first_token_time)", {}),
    ("exists(metadata_key)", "notEmpty(metadata)", {}),
    ('and(eq(name, "a"), eq(status, "success"))', "(name = %(f1)s AND status = %(f2)s)", {"f1": "a", "f2": "success"}),
    ('or(eq(name, "a"), eq(name, "b"))', "(name = %(f1)s OR name = %(f2)s)", {"f1": "a", "f2": "b"}),
    ('not(eq(name, "a"))', "(NOT name = %(f1)s)", {"f1": "a"}),
    (
        'and(or(eq(run_type, "llm"), eq(run_type, "tool")), not(has(tags, "skip")))',
        "((run_type = %(f1)s OR run_type = %(f2)s) AND (NOT has(tags, %(f3)s)))",
        {"f1": "llm", "f2": "tool", "f3": "skip"},
    ),
    ('eq(metadata_key, "k")', "mapContains(metadata, %(f1)s)", {"f1": "k"}),
    (
        'and(eq(metadata_key, "k"), eq(metadata_value, "v"))',
        "((mapContains(metadata, %(f1)s) AND metadata[%(f1)s] = %(f2)s))",
        {"f1": "k", "f2": "v"},
    ),
    ('eq(metadata_value, "v")', "has(mapValues(metadata), %(f1)s)", {"f1": "v"}),
    (
        'and(eq(metadata_key, "k"), neq(metadata_value, "v"), eq(name, "n"))',
        "(name = %(f1)s AND (mapContains(metadata, %(f2)s) AND metadata[%(f2)s] != %(f3)s))",
        {"f1": "n", "f2": "k", "f3": "v"},
    ),
    ('eq(input_key, "question")', "(JSONHas(inputs, %(f1)s))", {"f1": "question"}),
    ('eq(input_key, "a.b")', "(JSONHas(inputs, %(f1)s, %(f2)s))", {"f1": "a", "f2": "b"}),
    (
        'and(eq(input_key, "q"), eq(input_value, "hi"))',
        "((JSONHas(inputs, %(f1)s) AND JSONExtractString(inputs, %(f1)s) = %(f2)s))",
        {"f1": "q", "f2": "hi"},
    ),
    (
        'and(eq(output_key, "score"), gt(output_value, 0.5))',
        "((JSONHas(outputs, %(f1)s) AND JSONExtractFloat(outputs, %(f1)s) > %(f2)s))",
        {"f1": "score", "f2": 0.5},
    ),
    (
        'and(eq(output_key, "ok"), eq(output_value, true))',
        "((JSONHas(outputs, %(f1)s) AND JSONExtractBool(outputs, %(f1)s) = %(f2)s))",
        {"f1": "ok", "f2": True},
    ),
    (
        'eq(feedback_key, "acc")',
        "(id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s AND key = %(f1)s))",
        {"f1": "acc"},
    ),
    (
        'and(eq(feedback_key, "acc"), gte(feedback_score, 0.5))',
        (
            "((id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s"
            " AND key = %(f1)s AND score >= %(f2)s)))"
        ),
        {"f1": "acc", "f2": 0.5},
    ),
    (
        'and(eq(feedback_key, "label"), eq(feedback_value, "good"))',
        (
            "((id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s"
            " AND key = %(f1)s AND value = %(f2)s)))"
        ),
        {"f1": "label", "f2": "good"},
    ),
    (
        "gt(feedback_score, 0.9)",
        "(id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s AND score > %(f1)s))",
        {"f1": 0.9},
    ),
    (
        'eq(feedback_value, "good")',
        "(id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s AND value = %(f1)s))",
        {"f1": "good"},
    ),
    (
        'and(gte(feedback_score, 1), eq(name, "x"))',
        (
            "(name = %(f1)s"
            " AND (id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s"
            " AND score >= %(f2)s)))"
        ),
        {"f1": "x", "f2": 1.0},
    ),
    (
        'search("foo")',
        (
            "(positionCaseInsensitive(name, %(f1)s) > 0 OR positionCaseInsensitive(inputs, %(f1)s) > 0"
            " OR positionCaseInsensitive(outputs, %(f1)s) > 0"
            " OR positionCaseInsensitive(ifNull(error, ''), %(f1)s) > 0)"
        ),
        {"f1": "foo"},
    ),
    ('search(inputs, "x")', "positionCaseInsensitive(inputs, %(f1)s) > 0", {"f1": "x"}),
    ('search(output, "y")', "positionCaseInsensitive(outputs, %(f1)s) > 0", {"f1": "y"}),
    ('search(name, "z")', "positionCaseInsensitive(ifNull(name, ''), %(f1)s) > 0", {"f1": "z"}),
    ('search(error, "w")', "positionCaseInsensitive(ifNull(error, ''), %(f1)s) > 0", {"f1": "w"}),
]

# filter -> the 400's message (the position is 1-based, in characters)
REFUSED = [
    ('gt(metadata_key, "k")', "gt(metadata_key, …) is not supported; pair it inside and(...) (at character 1)"),
    ('has(name, "x")', "has() applies to tags, not 'name' (at character 1)"),
    ("gt(error, null)", "null can only be compared with eq or neq (at character 1)"),
    ('gt(tags, "x")', "tags can only be compared with eq, neq, has or in (at character 1)"),
    ('search(latency, "x")', "search() applies to text fields, not 'latency' (at character 8)"),
    ('eq(is_root, "yes")', "is_root takes true or false, not 'yes' (at character 1)"),
    (
        'gt(start_time, "1800-01-01T00:00:00Z")',
        (
            "start_time: '1800-01-01T00:00:00Z'"
            " is outside the supported range 1900-01-01 to 2299-12-31 UTC (at character 1)"
        ),
    ),
    ('eq(id, "nope")', "id takes a UUID string, not 'nope' (at character 1)"),
    (
        'gt(latency, "soon")',
        "latency takes a number of seconds or a duration like \"1.5s\", not 'soon' (at character 1)",
    ),
    ("eq(metadata_key, 1)", "metadata_key takes a string, not a number (at character 1)"),
    ("and()", "and() needs at least one argument (at character 1)"),
    ("in(run_type, [])", 'in() expects a non-empty list like ["a", "b"] (at character 1)'),
    ("eq(total_tokens, true)", "total_tokens takes a number, not a boolean (at character 1)"),
    ('not(eq(name, "a"), eq(name, "b"))', "not() takes exactly one argument (at character 1)"),
    ("eq(nonsense, 1)", "unknown field 'nonsense' (at character 4)"),
    ("frobnicate(name)", "unknown operator 'frobnicate' (at character 1)"),
    ("eq(name)", "eq() takes 2 argument(s), got 1 (at character 1)"),
]


@pytest.mark.parametrize(("text", "sql", "params"), SNAPSHOTS, ids=[s[0] for s in SNAPSHOTS])
def test_compiled_sql_and_parameters(text: str, sql: str, params: dict[str, Any]) -> None:
    compiled = compile_filter(parse(text), "ws")
    assert compiled.sql == sql
    assert compiled.params == {"workspace_id": "ws", **params}


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_filters_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(FilterError) as excinfo:
        compile_filter(parse(text), "ws")
    assert str(excinfo.value) == message


def test_parameter_names_take_the_prefix() -> None:
    # Two compiled filters can share one query (a run filter and a trace filter) when their
    # parameter names differ; workspace_id is shared on purpose.
    compiled = compile_filter(parse('and(eq(name, "a"), has(tags, "b"))'), "ws", prefix="trace_")
    assert compiled.sql == "(name = %(trace_1)s AND has(tags, %(trace_2)s))"
    assert compiled.params == {"workspace_id": "ws", "trace_1": "a", "trace_2": "b"}
