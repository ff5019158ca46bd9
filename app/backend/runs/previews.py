"""One line of text standing for a run's inputs, outputs or error, for table cells: the runs
table's `inputs_preview` / `outputs_preview` / `error_preview` and the threads' previews share it,
so a conversation reads the same in both."""

from __future__ import annotations

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
    if text is None:
        text = _pairs(value) if isinstance(value, dict) else _json(value)
    return _clip(text)


def error_preview(error: str | None) -> str | None:
    """An error's first non-blank line (the SDK sends `repr(exception)` and then the traceback)."""
    if not error:
        return None
    first = next((line for line in error.splitlines() if line.strip()), "")
    return _clip(first) or None


def _pairs(value: dict[str, Any]) -> str:
    # `question: why? · k: 3` reads better in a cell than {"question":"why?","k":3}.
    return " · ".join(f"{key}: {item if isinstance(item, str) else _json(item)}" for key, item in value.items())


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
