"""One line of text standing for a run's inputs, outputs or error, for table cells: the runs
table's `inputs_preview` / `outputs_preview` / `error_preview` and the threads' previews share it,
so a conversation reads the same in both. The worker stores them with each run at ingest (the
runs table reads them back instead of the payloads); the backend computes them for rows written
before that and for threads.

The work is bounded by the preview's length, not the value's: text is produced in small pieces
and clipping stops as soon as it has more than PREVIEW_CHARS, so a 10 MB input costs the worker
no more than a small one beyond its decode.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

PREVIEW_CHARS = 240
_TEXT_KEYS = ("content", "text", "output", "answer", "response", "result", "input", "question", "query", "prompt")
_USER_ROLES = {"user", "human", "HumanMessage", "HumanMessageChunk"}


def _role(message: dict[str, Any]) -> str:
    if isinstance(message.get("kwargs"), dict):  # a serialized LangChain message
        ids = message.get("id")
        return str(ids[-1]) if isinstance(ids, list) and ids else str(message["kwargs"].get("type", ""))
    return str(message.get("role") or message.get("type") or "")


def _text(value: Any, *, user: bool, depth: int = 0) -> str | None:
    """The text a person would call the gist of an input (`user`: the last user message) or an
    output (the last message or generation)."""
    if depth > 6 or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = [v for v in value if v is not None]
        if items and all(isinstance(v, list) for v in items):  # [[messages]] of chat model inputs
            items = [m for v in items for m in v]
        messages = [m for m in items if isinstance(m, dict)]
        if user:
            users = [m for m in messages if _role(m) in _USER_ROLES]
            if users:
                return _text(users[-1], user=user, depth=depth + 1)
        parts = [m["text"] for m in messages if m.get("type") == "text" and isinstance(m.get("text"), str)]
        if parts and len(parts) == len(items):  # content parts
            return " ".join(parts)
        return _text(items[-1], user=user, depth=depth + 1) if items else None
    if isinstance(value, dict):
        if isinstance(value.get("kwargs"), dict):
            return _text(value["kwargs"].get("content"), user=user, depth=depth + 1)
        for key in ("messages", "generations", "choices"):
            if key in value:
                return _text(value[key], user=user, depth=depth + 1)
        if isinstance(value.get("message"), dict):
            return _text(value["message"], user=user, depth=depth + 1)
        for key in _TEXT_KEYS:
            if isinstance(value.get(key), str | list | dict):
                found = _text(value[key], user=user, depth=depth + 1)
                if found:
                    return found
        if len(value) == 1:
            return _text(next(iter(value.values())), user=user, depth=depth + 1)
    return None


def preview(value: Any, *, user: bool) -> str:
    """One line of text for a table cell: the message text when there is one (`user`: the last
    user message of an input), else the object as compact `key: value` pairs, else compact JSON."""
    if value is None or value == {}:
        return ""
    text = _text(value, user=user)
    if text is not None:
        return _clip(_chunks(text))
    return _clip(_pairs(value) if isinstance(value, dict) else _json(value))


def error_preview(error: str | None) -> str | None:
    """An error's first non-blank line (the SDK sends `repr(exception)` and then the traceback)."""
    if not error:
        return None
    size = _PIECE
    while True:
        # A prefix's lines are the error's lines, except that its last may be cut short.
        lines = error[:size].splitlines()
        index = next((i for i, line in enumerate(lines) if line.strip()), None)
        whole = size >= len(error)
        if index is not None and (whole or index < len(lines) - 1):
            return _clip(_chunks(lines[index])) or None
        if index is not None and len(" ".join(lines[index].split())) > PREVIEW_CHARS:
            return _clip(_chunks(lines[index]))  # cut short, but already longer than a preview
        if whole:
            return None
        size *= 2


# Pieces are this long at most, so clipping overshoots a preview by little.
_PIECE = 4 * PREVIEW_CHARS
_encode = msgspec.json.encode


def _chunks(text: str) -> Iterator[str]:
    for start in range(0, len(text), _PIECE):
        yield text[start : start + _PIECE]


def _pairs(value: dict[str, Any]) -> Iterator[str]:
    # `question: why? · k: 3` reads better in a cell than {"question":"why?","k":3}.
    for n, (key, item) in enumerate(value.items()):
        yield f"{' · ' if n else ''}{key}: "
        yield from _chunks(item) if isinstance(item, str) else _json(item)


def _json(value: Any) -> Iterator[str]:
    """msgspec's compact JSON of a decoded JSON value, in pieces (a string's escaping is the
    concatenation of its pieces' escapings)."""
    if isinstance(value, str):
        yield '"'
        for piece in _chunks(value):
            yield _encode(piece).decode()[1:-1]
        yield '"'
    elif isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            if n:
                yield ","
            yield from _json(key)
            yield ":"
            yield from _json(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from _json(item)
        yield "]"
    else:  # a number, bool or null (or anything else msgspec encodes whole)
        yield _encode(value).decode()


def _clip(pieces: Iterable[str]) -> str:
    """The pieces' text with whitespace runs made single spaces, clipped to PREVIEW_CHARS.
    A prefix's collapsed text is a prefix of the whole's, so once it is longer than a preview
    the rest cannot change the result and is never produced."""
    parts: list[str] = []
    size, check = 0, 2 * PREVIEW_CHARS
    for piece in pieces:
        parts.append(piece)
        size += len(piece)
        if size >= check:
            text = " ".join("".join(parts).split())
            if len(text) > PREVIEW_CHARS:
                return text[: PREVIEW_CHARS - 1] + "…"
            check = 2 * size
    text = " ".join("".join(parts).split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
