"""Wire schemas of /api/v1/sessions/{project_id}/threads, and the previews they carry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

PREVIEW_CHARS = 240
_TEXT_KEYS = ("content", "text", "output", "answer", "response", "result", "input", "question", "query", "prompt")
_USER_ROLES = {"user", "human", "HumanMessage", "HumanMessageChunk"}


class Thread(msgspec.Struct, kw_only=True):
    thread_id: str
    turn_count: int  # root runs (traces) of the thread
    first_start_time: dt.datetime
    last_start_time: dt.datetime
    latency_p50: float | None
    error_count: int
    # Over every run of the turns' traces.
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None
    first_input_preview: str  # the first turn's input, as one line of text
    last_output_preview: str  # the last turn's output, likewise


class ThreadPage(msgspec.Struct, kw_only=True):
    threads: list[Thread]
    total: int
    offset: int
    limit: int
    next_offset: int | None


class Turn(msgspec.Struct, kw_only=True):
    """One root run of a thread, with its trace's token and cost sums."""

    id: uuid.UUID
    trace_id: uuid.UUID
    name: str
    run_type: str
    status: str
    error: str | None
    start_time: dt.datetime
    end_time: dt.datetime | None
    latency: float | None  # seconds
    first_token_time: dt.datetime | None
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    tags: list[str]
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    total_cost: float | None


class ThreadDetail(msgspec.Struct, kw_only=True):
    thread: Thread
    turns: list[Turn]  # in order, one page of them
    offset: int
    limit: int
    next_offset: int | None


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
    """One line of text for a table cell: the message text when there is one, else compact JSON."""
    if value is None or value == {}:
        return ""
    text = _text(value, user=user)
    if text is None:
        text = msgspec.json.encode(value).decode()
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
