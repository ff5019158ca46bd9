"""Parse LangSmith's trace query syntax into a small AST (wire §3.2).

    expr    := NAME "(" [arg ("," arg)*] ")"
    arg     := expr | NAME | literal | "[" [literal ("," literal)*] "]"
    literal := string ('…' or "…", JSON escapes) | number | true | false | null

A NAME argument is a field (`name`, `latency`, `metadata_key` …). Errors carry the character
position, so a 400 can say where the filter went wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 20_000
MAX_DEPTH = 32


class FilterError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Any, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # str | int | float | bool | None | list
    position: int


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<dstring>"(?:[^"\\]|\\.)*")
      | (?P<sstring>'(?:[^'\\]|\\.)*')
      | (?P<punct>[(),\[\]])
    )""",
    re.X,
)


_TRAILING_SPACE = re.compile(r"\s*\Z")


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    out: list[tuple[str, Any, int]] = []
    position = 0
    while position < len(text):
        if _TRAILING_SPACE.match(text, position):  # not text[position:].strip(): that copies, O(n²)
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = position + (len(text[position:]) - len(text[position:].lstrip()))
            raise FilterError(f"unexpected character {text[start]!r}", start)
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        start = match.start(kind)
        raw = match.group(kind)
        if kind == "number":
            try:
                value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
            except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
                raise FilterError("number has too many digits", start) from None
        elif kind in ("dstring", "sstring"):
            body = raw if kind == "dstring" else '"' + raw[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'
            try:
                value = json.loads(body)
                # A `\ud800` escape decodes to an unpaired surrogate, which no store can encode.
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise FilterError("string contains an unpaired UTF-16 surrogate", start) from None
            except ValueError:
                raise FilterError("invalid string escape", start) from None
            kind = "dstring"
        else:
            value = raw
        out.append((kind, value, start))
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, Any, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, punct: str | None = None) -> tuple[str, Any, int]:
        token = self.peek()
        if token is None:
            raise FilterError(f"unexpected end of filter{f', expected {punct!r}' if punct else ''}", len(self.text))
        if punct is not None and not (token[0] == "punct" and token[1] == punct):
            raise FilterError(f"expected {punct!r}, found {token[1]!r}", token[2])
        self.i += 1
        return token

    def expr(self, depth: int) -> Call:
        kind, value, position = self.take()
        if kind != "name":
            raise FilterError(f"expected an operator such as eq(...) or and(...), found {value!r}", position)
        if depth > MAX_DEPTH:
            raise FilterError(f"filter nests deeper than {MAX_DEPTH} levels", position)
        self.take("(")
        args: list[Any] = []
        if not self._at(")"):
            args.append(self.arg(depth))
            while self._at(","):
                self.take(",")
                args.append(self.arg(depth))
        self.take(")")
        return Call(value.lower(), tuple(args), position)

    def _at(self, punct: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "punct" and token[1] == punct

    def arg(self, depth: int) -> Any:
        token = self.peek()
        if token is None:
            raise FilterError("unexpected end of filter, expected an argument", len(self.text))
        kind, value, position = token
        if kind == "name":
            following = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if following is not None and following[0] == "punct" and following[1] == "(":
                return self.expr(depth + 1)
            self.i += 1
            if value in ("true", "false"):
                return Literal(value == "true", position)
            if value == "null":
                return Literal(None, position)
            return Field(value, position)
        if kind in ("number", "dstring"):
            self.i += 1
            return Literal(value, position)
        if kind == "punct" and value == "[":
            self.take("[")
            items: list[Any] = []
            if not self._at("]"):
                items.append(self._literal())
                while self._at(","):
                    self.take(",")
                    items.append(self._literal())
            self.take("]")
            return Literal(items, position)
        raise FilterError(f"unexpected {value!r}", position)

    def _literal(self) -> Any:
        token = self.peek()
        if token is not None and token[0] == "punct" and token[1] == "[":
            # Lists hold scalars only; without this, `[[[[…` recursed until the interpreter gave up.
            raise FilterError("lists may not contain lists", token[2])
        item = self.arg(MAX_DEPTH)
        if not isinstance(item, Literal):
            position = getattr(item, "position", 0)
            raise FilterError("lists may only contain literal values", position)
        return item.value


def parse(text: str) -> Call:
    if len(text) > MAX_LENGTH:
        raise FilterError(f"filter is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text)
    if parser.peek() is None:
        raise FilterError("empty filter", 0)
    tree = parser.expr(0)
    leftover = parser.peek()
    if leftover is not None:
        raise FilterError(f"unexpected {leftover[1]!r} after the end of the filter", leftover[2])
    return tree
