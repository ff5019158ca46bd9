"""The filter language: parser errors say where, the compiler never formats values into SQL."""

from __future__ import annotations

import pytest

from app.backend.query.compiler import compile_filter
from app.backend.query.parser import Call, Field, FilterError, Literal, parse


def test_parse_nested_expression() -> None:
    tree = parse("and(eq(name, \"x\"), or(gt(latency, 2), has(tags, 'beta')), not(eq(error, null)))")
    assert tree.name == "and" and len(tree.args) == 3
    assert tree.args[0] == Call("eq", (Field("name", 7), Literal("x", 13)), 4)


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("and(", "unexpected end", 5),
        ('eq(name "x")', "expected ','", 9),
        ('eq(name, "x"))', "after the end", 14),
        ("eq(name, $)", "unexpected character '$'", 10),
        ("", "empty filter", 1),
        ('eq(name, "unterminated)', "unexpected character", 10),
    ],
)
def test_parse_errors_say_where(text: str, fragment: str, column: int) -> None:
    with pytest.raises(FilterError) as excinfo:
        parse(text)
    message = str(excinfo.value)
    assert fragment.replace("','", "")[:10].lower() in message.lower() or fragment.lower() in message.lower()
    assert f"character {column}" in message


@pytest.mark.parametrize(
    "text",
    [
        "eq(nonsense, 1)",
        'gt(latency, "soon")',
        'has(name, "x")',
        "in(run_type, [])",
        'eq(start_time, "yesterday")',
        "gt(total_tokens, true)",
        'not(eq(name, "a"), eq(name, "b"))',
        'eq(metadata_value, "x", 1)',
        "frobnicate(name)",
        "gt(error, null)",
        'eq("name", "x")',
    ],
)
def test_compile_errors(text: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(parse(text), "ws")


def test_values_are_parameters_never_sql() -> None:
    evil = "x') OR 1=1 --"
    compiled = compile_filter(parse(f'and(eq(name, "{evil}"), eq(metadata_key, "k\'"), search("{evil}"))'), "ws")
    assert evil not in compiled.sql and "k'" not in compiled.sql
    assert evil in compiled.params.values()


def test_pairs_and_durations() -> None:
    compiled = compile_filter(
        parse('and(eq(feedback_key, "acc"), gte(feedback_score, 0.5), gt(latency, "1.5s"))'), "ws"
    )
    assert "FROM feedback FINAL" in compiled.sql
    assert 1.5 in compiled.params.values() and 0.5 in compiled.params.values()
    ms = compile_filter(parse('lt(latency, "250ms")'), "ws")
    assert 0.25 in ms.params.values()
