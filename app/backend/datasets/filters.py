"""The `filter` of GET /examples: the same filter language as runs (app/backend/query/parser.py),
compiled to a Postgres condition over one example row `e`.

    and(...), or(...), not(x)
    eq|neq|gt|gte|lt|lte(field, value)   field: id, created_at, modified_at, source_run_id,
                                         or a path into metadata / inputs / outputs, e.g. metadata.team
    has(metadata, '{"team": "evals"}')   JSON containment (also inputs, outputs)
    exists(metadata, "key")              the top-level key is present
    search("text")                       substring of inputs, outputs or metadata

Values are always driver parameters; only fixed column names are written into the SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from app.backend.query.parser import Call, Field, FilterError, Literal, parse
from app.core.errors import BadRequest

JSON_COLUMNS = ("metadata", "inputs", "outputs")
PLAIN_COLUMNS = {"id": "uuid", "source_run_id": "uuid", "created_at": "timestamptz", "modified_at": "timestamptz"}
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Compiler:
    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"xf{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def expr(self, node: Any) -> str:
        if not isinstance(node, Call):
            raise FilterError("expected an operator such as eq(...)", getattr(node, "position", 0))
        if node.name in ("and", "or"):
            if not node.args:
                raise FilterError(f"{node.name}() needs arguments", node.position)
            return "(" + f" {node.name.upper()} ".join(self.expr(a) for a in node.args) + ")"
        if node.name == "not":
            self._arity(node, 1)
            return f"(NOT {self.expr(node.args[0])})"
        if node.name in OPERATORS:
            self._arity(node, 2)
            return self.comparison(node)
        if node.name == "has":
            self._arity(node, 2)
            column = self._json_column(node.args[0])
            return f"(e.{column} @> {self.param(Jsonb(self._json_value(node.args[1])))})"
        if node.name == "exists":
            self._arity(node, 2)
            column = self._json_column(node.args[0])
            return f"(e.{column} ? {self.param(str(self._literal(node.args[1])))})"
        if node.name == "search":
            self._arity(node, 1)
            needle = self.param(f"%{_escape_like(str(self._literal(node.args[0])))}%")
            return (
                f"(e.inputs::text ILIKE {needle} OR e.outputs::text ILIKE {needle} OR e.metadata::text ILIKE {needle})"
            )
        raise FilterError(f"unknown operator {node.name!r} for examples", node.position)

    def comparison(self, node: Call) -> str:
        field, literal = node.args
        if not isinstance(field, Field):
            raise FilterError("the first argument must be a field, e.g. metadata.team", node.position)
        value = self._literal(literal)
        op = OPERATORS[node.name]
        if field.name in PLAIN_COLUMNS:
            kind = PLAIN_COLUMNS[field.name]
            return f"(e.{field.name} {op} {self.param(_convert(value, kind, node))}::{kind})"
        column, _, path = field.name.partition(".")
        if column not in JSON_COLUMNS or not path:
            raise FilterError(
                f"unknown field {field.name!r}; use id, created_at, modified_at, source_run_id or metadata.<key>",
                field.position,
            )
        target = f"(e.{column} #> {self.param(path.split('.'))})"
        if node.name in ("eq", "neq"):
            # JSON equality, so 3 matches 3 and "3" matches "3" (and not each other).
            return f"({target} {op} {self.param(Jsonb(value))})"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"(jsonb_typeof({target}) = 'number' AND ({target})::numeric {op} {self.param(value)})"
        return f"(({target} #>> '{{}}') {op} {self.param(str(value))})"

    def _arity(self, node: Call, n: int) -> None:
        if len(node.args) != n:
            raise FilterError(f"{node.name}() takes {n} argument{'s' if n > 1 else ''}", node.position)

    def _json_column(self, node: Any) -> str:
        if isinstance(node, Field) and node.name in JSON_COLUMNS:
            return node.name
        # The SDK's own tests quote the column (has("metadata", '{...}')); LangSmith accepts both.
        if isinstance(node, Literal) and node.value in JSON_COLUMNS:
            return str(node.value)
        raise FilterError("the first argument must be metadata, inputs or outputs", getattr(node, "position", 0))

    def _literal(self, node: Any) -> Any:
        if not isinstance(node, Literal):
            raise FilterError("expected a value", getattr(node, "position", 0))
        return node.value

    def _json_value(self, node: Any) -> Any:
        value = self._literal(node)
        if isinstance(value, str):
            try:
                value = msgspec.json.decode(value)
            except msgspec.DecodeError:
                raise FilterError('has() takes a JSON object, e.g. \'{"team": "evals"}\'', node.position) from None
        return value


def _convert(value: Any, kind: str, node: Call) -> Any:
    if kind == "timestamptz":
        if not isinstance(value, str):
            raise FilterError("timestamps are compared with ISO 8601 strings", node.position)
        try:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise FilterError(f"{value!r} is not an ISO 8601 timestamp", node.position) from None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    try:
        # Checked here so a bad id is a 400 naming the field, not Postgres's cast error.
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise FilterError(f"{value!r} is not a UUID", node.position) from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_example_filter(text: str) -> tuple[str, dict[str, Any]]:
    """The SQL condition and its parameters; a malformed filter is a 400 naming the problem."""
    compiler = _Compiler()
    try:
        condition = compiler.expr(parse(text))
    except FilterError as exc:
        raise BadRequest(f"invalid filter: {exc}") from None
    return condition, compiler.params
