"""Compile a parsed filter into a ClickHouse WHERE fragment over `runs` (FINAL), with parameters.

Values only ever travel as clickhouse-driver `%(pN)s` parameters; identifiers come from the
FIELDS table below, never from the filter text. Paired keys (`metadata_key`+`metadata_value`,
`input_key`+`input_value`, `output_key`+`output_value`, `feedback_key`+`feedback_score`/
`feedback_value`) are matched inside the same `and(...)`, as LangSmith documents.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.backend.query.parser import Call, Field, FilterError, Literal
from app.core.clickhouse import MAX_TIME, MIN_TIME

# field -> (SQL expression, kind)
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("id", "uuid"),
    "trace_id": ("trace_id", "uuid"),
    "parent_run_id": ("parent_run_id", "uuid"),
    "reference_example_id": ("reference_example_id", "uuid"),
    "session_id": ("project_id", "uuid"),
    "name": ("name", "str"),
    "run_type": ("run_type", "str"),
    "status": ("status", "str"),
    "thread_id": ("thread_id", "str"),
    "error": ("error", "str"),
    "start_time": ("start_time", "time"),
    "end_time": ("end_time", "time"),
    "first_token_time": ("first_token_time", "time"),
    "latency": ("latency_seconds", "duration"),
    "total_tokens": ("total_tokens", "num"),
    "prompt_tokens": ("prompt_tokens", "num"),
    "completion_tokens": ("completion_tokens", "num"),
    "total_cost": ("total_cost", "num"),
    "prompt_cost": ("prompt_cost", "num"),
    "completion_cost": ("completion_cost", "num"),
    "is_root": ("is_root", "bool"),
    "tags": ("tags", "array"),
}
PAIRS = {
    "metadata_key": "metadata_value",
    "input_key": "input_value",
    "output_key": "output_value",
    "feedback_key": ("feedback_score", "feedback_value"),
}
PAIR_VALUES = {"metadata_value", "input_value", "output_value", "feedback_score", "feedback_value"}
COMPARATORS = {"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# What a value of each kind must look like, for the 400 that names a field's type. Every value is
# checked here: a mismatch that reached ClickHouse would be a 500 quoting our SQL.
KIND_NAMES = {
    "uuid": "a UUID string",
    "str": "a string",
    "time": "an ISO 8601 timestamp or epoch seconds",
    "duration": 'a number of seconds or a duration like "1.5s"',
    "num": "a number",
    "bool": "true or false",
    "array": "a string",
    "raw": "a string, number or boolean",
}


@dataclass
class Compiled:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class _Context:
    def __init__(self, workspace_id: str, prefix: str) -> None:
        self.params: dict[str, Any] = {"workspace_id": workspace_id}
        self.prefix = prefix

    def param(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def compile_filter(tree: Call, workspace_id: str, *, prefix: str = "f") -> Compiled:
    ctx = _Context(workspace_id, prefix)
    return Compiled(_expr(tree, ctx), ctx.params)


def _expr(node: Any, ctx: _Context) -> str:
    if not isinstance(node, Call):
        raise FilterError("expected an operator call here", getattr(node, "position", 0))
    if node.name in ("and", "or"):
        if not node.args:
            raise FilterError(f"{node.name}() needs at least one argument", node.position)
        parts = _and_parts(node, ctx) if node.name == "and" else [_expr(a, ctx) for a in node.args]
        return "(" + f" {node.name.upper()} ".join(parts) + ")"
    if node.name == "not":
        if len(node.args) != 1:
            raise FilterError("not() takes exactly one argument", node.position)
        return f"(NOT {_expr(node.args[0], ctx)})"
    return _comparison(node, ctx)


def _field_of(node: Call, index: int = 0) -> Field:
    if len(node.args) <= index or not isinstance(node.args[index], Field):
        raise FilterError(f"{node.name}() expects a field name as argument {index + 1}", node.position)
    return node.args[index]


def _and_parts(node: Call, ctx: _Context) -> list[str]:
    """Compile and(...) args, combining each *_key comparison with its *_value partner."""
    keys: dict[str, Call] = {}
    values: dict[str, list[Call]] = {}
    rest: list[Any] = []
    for arg in node.args:
        name = arg.args[0].name if isinstance(arg, Call) and arg.args and isinstance(arg.args[0], Field) else None
        if name in PAIRS and arg.name == "eq":
            keys[name] = arg
        elif name in PAIR_VALUES:
            values.setdefault(name, []).append(arg)
        else:
            rest.append(arg)
    parts = [_expr(a, ctx) for a in rest]
    for key_field, key_call in keys.items():
        partners = PAIRS[key_field]
        partner_names = partners if isinstance(partners, tuple) else (partners,)
        matched = [c for p in partner_names for c in values.pop(p, [])]
        parts.append(_pair(key_field, _value(key_call, 1), matched, ctx, key_call.position))
    for calls in values.values():
        for call in calls:
            parts.append(_comparison(call, ctx))
    return parts


def _value(node: Call, index: int) -> Any:
    if len(node.args) <= index or not isinstance(node.args[index], Literal):
        raise FilterError(f"{node.name}() expects a value as argument {index + 1}", node.position)
    return node.args[index].value


def _key(key_field: str, key: Any, position: int) -> str:
    if not isinstance(key, str):
        raise FilterError(f"{key_field} takes a string, not {_type_name(key)}", position)
    return key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _pair(key_field: str, key: Any, conditions: list[Call], ctx: _Context, position: int) -> str:
    key = _key(key_field, key, position)
    if key_field == "metadata_key":
        k = ctx.param(key)
        clauses = [f"mapContains(metadata, {k})"]
        for c in conditions:
            clauses.append(_compare(f"metadata[{k}]", "str", c, ctx))
        return "(" + " AND ".join(clauses) + ")"
    if key_field in ("input_key", "output_key"):
        column = "inputs" if key_field == "input_key" else "outputs"
        path = ", ".join(ctx.param(part) for part in key.split("."))
        clauses = [f"JSONHas({column}, {path})"]
        for c in conditions:
            value = _value(c, 1)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            extractor = "JSONExtractBool" if isinstance(value, bool) else "JSONExtractString"
            extractor = "JSONExtractFloat" if number else extractor
            clauses.append(_compare(f"{extractor}({column}, {path})", "num" if number else "raw", c, ctx))
        return "(" + " AND ".join(clauses) + ")"
    # feedback_key: runs with feedback of that key (and score/value conditions on the same rows).
    clauses = ["workspace_id = %(workspace_id)s", f"key = {ctx.param(key)}"]
    for c in conditions:
        column = "score" if c.args[0].name == "feedback_score" else "value"
        clauses.append(_compare(column, "num" if column == "score" else "str", c, ctx))
    return f"(id IN (SELECT run_id FROM feedback FINAL WHERE {' AND '.join(clauses)}))"


ARITY = {**dict.fromkeys(COMPARATORS, (2,)), "has": (2,), "in": (2,), "search": (1, 2), "exists": (1, 2)}


def _comparison(node: Call, ctx: _Context) -> str:
    op = node.name
    if op not in ARITY:
        raise FilterError(f"unknown operator {op!r}", node.position)
    if len(node.args) not in ARITY[op]:
        counts = " or ".join(map(str, ARITY[op]))
        raise FilterError(f"{op}() takes {counts} argument(s), got {len(node.args)}", node.position)
    if op == "search":
        return _search(node, ctx)
    target = _field_of(node)
    name = target.name
    if name in PAIRS or name in PAIR_VALUES:
        if name == "metadata_key" and op == "eq":
            return f"mapContains(metadata, {ctx.param(_key(name, _value(node, 1), node.position))})"
        if name == "metadata_key" and op == "exists":
            return "notEmpty(metadata)"
        if name == "feedback_key" and op == "eq":
            return _pair("feedback_key", _value(node, 1), [], ctx, node.position)
        if name in ("input_key", "output_key") and op == "eq":
            return _pair(name, _value(node, 1), [], ctx, node.position)
        if name == "metadata_value" and op == "eq":
            return f"has(mapValues(metadata), {ctx.param(_convert(_value(node, 1), 'str', node, name))})"
        if name in ("feedback_score", "feedback_value"):
            column = "score" if name == "feedback_score" else "value"
            inner = _compare(column, "num" if column == "score" else "str", node, ctx)
            return f"(id IN (SELECT run_id FROM feedback FINAL WHERE workspace_id = %(workspace_id)s AND {inner}))"
        raise FilterError(f"{op}({name}, …) is not supported; pair it inside and(...)", node.position)
    if name not in FIELDS:
        raise FilterError(f"unknown field {name!r}", target.position)
    column, kind = FIELDS[name]
    if op == "exists":
        wanted = _value(node, 1) if len(node.args) > 1 else True
        test = "notEmpty(tags)" if kind == "array" else f"isNotNull({column})"
        if kind == "str" and column not in {"error", "thread_id"}:
            test = f"{column} != ''"
        return test if wanted else f"NOT ({test})"
    if op == "has":
        if kind != "array":
            raise FilterError(f"has() applies to tags, not {name!r}", node.position)
        return f"has(tags, {ctx.param(str(_value(node, 1)))})"
    if op == "in":
        values = _value(node, 1)
        if not isinstance(values, list) or not values:
            raise FilterError('in() expects a non-empty list like ["a", "b"]', node.position)
        converted = tuple(_convert(v, kind, node, name) for v in values)
        if kind == "array":
            return f"hasAny(tags, {ctx.param(list(converted))})"
        return f"{column} IN {ctx.param(converted)}"
    if op in COMPARATORS:
        return _compare(column, kind, node, ctx)
    raise FilterError(f"unknown operator {op!r}", node.position)


def _compare(column: str, kind: str, node: Call, ctx: _Context) -> str:
    if node.name not in COMPARATORS:
        raise FilterError(f"{node.name}() cannot compare this field; use eq, neq, gt, gte, lt or lte", node.position)
    sql_op = COMPARATORS[node.name]
    value = _value(node, 1)
    if value is None:
        if node.name not in ("eq", "neq"):
            raise FilterError("null can only be compared with eq or neq", node.position)
        return f"{column} IS NULL" if node.name == "eq" else f"{column} IS NOT NULL"
    if kind == "array":
        if node.name not in ("eq", "neq"):
            raise FilterError("tags can only be compared with eq, neq, has or in", node.position)
        test = f"has(tags, {ctx.param(str(value))})"
        return test if node.name == "eq" else f"NOT {test}"
    field_name = node.args[0].name if node.args and isinstance(node.args[0], Field) else node.name
    return f"{column} {sql_op} {ctx.param(_convert(value, kind, node, field_name))}"


def _convert(value: Any, kind: str, node: Call, field_name: str | None = None) -> Any:
    what = field_name or f"{node.name}()"
    if isinstance(value, list) or (isinstance(value, bool) and kind not in ("bool", "raw")):
        raise FilterError(f"{what} takes {KIND_NAMES.get(kind, 'a scalar')}, not {_type_name(value)}", node.position)
    try:
        if kind == "uuid":
            return str(uuid.UUID(str(value)))
        if kind == "time":
            parsed: dt.datetime | None
            if isinstance(value, (int, float)):
                parsed = dt.datetime.fromtimestamp(value, dt.UTC)
            else:
                parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            try:
                parsed = parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
            except OverflowError:  # 0001-01-01T00:00:00+05:00 is in year 0 in UTC
                parsed = None
            if parsed is None or not MIN_TIME <= parsed <= MAX_TIME:
                raise FilterError(
                    f"{what}: {value!r} is outside the supported range 1900-01-01 to 2299-12-31 UTC", node.position
                )
            return parsed
        if kind == "duration":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            match = _DURATION.match(str(value))
            if not match:
                raise ValueError
            return float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        if kind == "num":
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if kind in ("str", "array"):
            if not isinstance(value, (str, int, float)):
                raise ValueError
            return str(value)
        if kind == "raw" and not isinstance(value, (str, bool)):
            raise ValueError
        return value
    except FilterError:
        raise
    except (ValueError, TypeError, OverflowError, OSError):
        # OSError: fromtimestamp() of an epoch past the platform's range (EOVERFLOW).
        raise FilterError(f"{what} takes {KIND_NAMES.get(kind, 'a scalar')}, not {value!r}", node.position) from None


def _search(node: Call, ctx: _Context) -> str:
    if len(node.args) == 1:
        term = ctx.param(str(_value(node, 0)))
        columns = ("name", "inputs", "outputs", "ifNull(error, '')")
        return "(" + " OR ".join(f"positionCaseInsensitive({c}, {term}) > 0" for c in columns) + ")"
    target = _field_of(node)
    column = {"inputs": "inputs", "outputs": "outputs", "input": "inputs", "output": "outputs"}.get(target.name)
    if column is None:
        if target.name not in FIELDS or FIELDS[target.name][1] != "str":
            raise FilterError(f"search() applies to text fields, not {target.name!r}", target.position)
        column = f"ifNull({FIELDS[target.name][0]}, '')"
    return f"positionCaseInsensitive({column}, {ctx.param(str(_value(node, 1)))}) > 0"
