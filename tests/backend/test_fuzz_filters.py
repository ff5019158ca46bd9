"""Property tests of the filter language (wire §3.2): any text, grammatical or mangled, either
compiles to parameters ClickHouse accepts or is refused with our FilterError (a 400), never
another exception; and through nginx no filter is ever a 5xx.

Derandomized, so CI sees the same examples every run; the budgets keep the file to seconds
in-process and well under a minute against the stack."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.backend.datasets.filters import compile_example_filter
from app.backend.query.compiler import COMPARATORS, FIELDS, PAIR_VALUES, PAIRS, compile_filter
from app.backend.query.parser import MAX_DEPTH, FilterError, parse
from app.core.clickhouse import INT64_MAX, INT64_MIN, MAX_TIME, MIN_TIME
from app.core.errors import BadRequest
from tests.conftest import Tenant

# Runs' fields, and the examples filter's (GET /examples?filter=, the same language over Postgres).
FIELD_NAMES = [*FIELDS, *PAIRS, *PAIR_VALUES, "inputs", "outputs", "unknown_field", "a.b"]
FIELD_NAMES += ["metadata", "metadata.team", "inputs.q.x", "created_at", "modified_at", "source_run_id"]
OPERATORS = [*COMPARATORS, "has", "in", "search", "exists", "and", "or", "not", "like", "EQ"]

# Values: the interesting edges first (hypothesis draws them often), then anything.
timestamps = st.one_of(
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1900-01-01", "2024-02-30", "Z"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.floats(allow_nan=False),
    st.sampled_from([1e18, -1e18, 1e308, 0, -0.0, 2**64]),
)
scalars = st.one_of(
    st.text(max_size=12),
    timestamps,
    numbers,
    st.booleans(),
    st.none(),
    st.sampled_from(["1.5s", "10m", "-1h", "abc", "00000000-0000-0000-0000-000000000000", "\\ud800"]),
)


def literal_text(value: Any, single_quoted: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal_text(v, single_quoted) for v in value) + "]"
    if single_quoted:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(value, ensure_ascii=False)


literals = st.one_of(
    st.tuples(scalars, st.booleans()).map(lambda t: literal_text(*t)),
    st.lists(scalars, max_size=4).map(lambda v: literal_text(v, False)),
)


def _call(op: str, args: list[str]) -> str:
    return f"{op}({', '.join(args)})"


leaf = st.builds(
    _call,
    st.sampled_from(OPERATORS),
    st.lists(st.one_of(st.sampled_from(FIELD_NAMES), literals), max_size=3),
)
expressions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(_call, st.sampled_from(["and", "or"]), st.lists(inner, min_size=1, max_size=4)),
        st.builds(lambda e: f"not({e})", inner),
        # the *_key / *_value pairs, matched inside and(...)
        st.builds(
            lambda key, value, v1, v2: f"and(eq({key}, {v1}), eq({value}, {v2}))",
            st.sampled_from(list(PAIRS)),
            st.sampled_from(sorted(PAIR_VALUES)),
            literals,
            literals,
        ),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A grammatical filter with a few random edits: cuts, inserted punctuation, duplications."""
    text = draw(expressions)
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 8)))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(st.text(alphabet="()[],'\"\\ 0e.-_azZ\x00\ud800é", max_size=4)) + text[i:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


deep = st.integers(MAX_DEPTH - 2, 700).flatmap(
    lambda n: st.sampled_from(
        ["and(" * n + "eq(name, 'a')" + ")" * n, "not(" * n + "eq(name, 'a')" + ")" * n, "in(name, " + "[" * n]
    )
)
any_filter = st.one_of(expressions, mutated(), deep, st.text(max_size=40))

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def check_compiled(text: str) -> None:
    """Compiles, or raises FilterError; what compiles only carries values ClickHouse takes."""
    try:
        compiled = compile_filter(parse(text), "00000000-0000-0000-0000-000000000000")
    except FilterError:
        return
    for name in PLACEHOLDER.findall(compiled.sql):
        assert name in compiled.params, (text, name)
    for value in compiled.params.values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            assert isinstance(item, (str, int, float, bool, dt.datetime)), (text, item)
            if isinstance(item, str):
                item.encode("utf-8")  # no unpaired surrogates
            elif isinstance(item, int) and not isinstance(item, bool):
                assert INT64_MIN <= item <= INT64_MAX, (text, item)
            elif isinstance(item, dt.datetime):
                assert item.tzinfo is not None and MIN_TIME <= item <= MAX_TIME, (text, item)


IN_PROCESS = settings(
    max_examples=600,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@IN_PROCESS
@given(text=expressions)
def test_grammatical_filters_compile_or_raise_filter_error(text: str) -> None:
    check_compiled(text)


@IN_PROCESS
@given(text=any_filter)
def test_mangled_filters_compile_or_raise_filter_error(text: str) -> None:
    check_compiled(text)


@IN_PROCESS
@given(text=any_filter)
def test_example_filters_compile_or_raise_bad_request(text: str) -> None:
    try:
        condition, params = compile_example_filter(text)
    except BadRequest:
        return
    for name in PLACEHOLDER.findall(condition):
        assert name in params, (text, name)


@pytest.mark.stack
def test_no_filter_is_a_server_error_through_nginx(tenant: Tenant) -> None:
    seen: list[str] = []
    sent: list[int] = []
    dataset = tenant.client.post("/datasets", json={"name": "filters"}).json()["id"]
    example = {"dataset_id": dataset, "inputs": {"q": "x"}, "metadata": {"team": "evals"}}
    assert tenant.client.post("/examples", json=example).status_code in (200, 201)

    @settings(
        max_examples=120,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a request
        suppress_health_check=list(HealthCheck),
    )
    @given(text=any_filter, where=st.sampled_from(["filter", "trace_filter", "tree_filter", "examples"]))
    def probe(text: str, where: str) -> None:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # not sendable as JSON text; covered in-process above
            return
        if where == "examples":
            response = tenant.client.get("/examples", params={"dataset": dataset, "filter": text, "limit": 5})
        else:
            response = tenant.client.post("/runs/query", json={where: text, "select": ["name"], "limit": 5})
        sent.append(response.status_code)
        if response.status_code >= 500 or response.status_code not in (200, 400):
            seen.append(f"{where}={text!r} -> {response.status_code} {response.text[:200]}")
        elif response.status_code == 400:
            assert set(response.json()) >= {"error", "detail"}
            assert "SELECT" not in response.text and "DB::Exception" not in response.text

    probe()
    assert not seen, "\n".join(seen[:10])
    # The budget was spent on requests, and some filters got past the compiler to the stores.
    assert len(sent) >= 100 and sent.count(200) >= 5 and sent.count(400) >= 5, sent
