"""The contract between the ingest endpoints (platform) and the queue workers.

    platform ──RQ job "worker.jobs.ingest"(IngestBatch msgpack)──▶ stage 1 (any queue worker)
    stage 1  ──XADD th:ingest:records (normalised records)─────────▶ stage 2 (the one writer)
    stage 2  ──INSERT … (≈1000 rows or 1 s)───────────────────────▶ ClickHouse, then XACK

Both sides import these Structs, so they decode the same bytes. Items that cannot be ingested are
set aside in the dead-letter list (app/core/redis_keys.py) with their reason (`./tracehouse dead-letter list|replay`).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import msgspec

from app.core.logging import request_id_var
from app.core.queue import retry_policy

INGEST_JOB = "worker.jobs.ingest"

# Bounds checked on every item (the SDK's own batches stay far below them).
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
# Parts of one multipart body, runs of one /runs/batch body, spans of one OTLP export. The SDK
# sends at most `size_limit` (100) runs per batch, about 7 parts each plus attachments.
MAX_ITEMS_PER_REQUEST = 10_000
# JSON values decoded per request. Decoded JSON costs far more than its text: 25 MB of `{},`
# became 586 MB of dicts. Counted before decoding from the separators (`,` `:` `[` `{`), an
# upper bound on the values a text can hold. 20 MB of dense floats is ~1.5 M values.
MAX_JSON_VALUES = 4_000_000
# Nesting of a run's or feedback's JSON. msgspec, our msgpack/JSON encoders and every reader
# recurse per level and fail near Python's recursion limit (1000), wherever that happens to be
# reached: at the door it would be a 500, in a worker a job that fails on every retry.
MAX_JSON_DEPTH = 200
# msgpack (the queue's format) holds integers in [-2**63, 2**64).
MIN_INT, MAX_INT = -(2**63), 2**64 - 1
# Times ClickHouse's DateTime64 columns can hold (1900-01-01 .. 2299-12-31); anything outside is
# a bad item, not a failed insert that would stop the writer.
EARLIEST = dt.datetime(1900, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(2299, 12, 30, tzinfo=dt.UTC)
# Project names are unique per workspace through a Postgres btree index (at most ~2700 bytes an
# entry) and Postgres text cannot hold NUL.
MAX_PROJECT_NAME_BYTES = 1024

# Dead letters: up to LETTERS_PER_REQUEST items of one request or job are set aside one by one
# (each replayable); more than that becomes one summary letter, so a request of 10,000 bad parts
# cannot write 10,000 letters. The list itself is capped by count and bytes, oldest dropped.
LETTERS_PER_REQUEST = 10
SUMMARY_SAMPLE = 50
DEADLETTER_MAX_LETTERS = 10_000
DEADLETTER_MAX_BYTES = 64 * 1024 * 1024


class Attachment(msgspec.Struct, array_like=True):
    run_id: str
    name: str
    content_type: str
    data: bytes


class IngestBatch(msgspec.Struct, array_like=True):
    """One accepted request. Runs are JSON objects with their out-of-band fields folded in."""

    workspace_id: str
    received_at: float
    posts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    patches: list[dict[str, Any]] = msgspec.field(default_factory=list)
    feedback: list[dict[str, Any]] = msgspec.field(default_factory=list)
    attachments: list[Attachment] = msgspec.field(default_factory=list)
    # The X-Request-Id of the request that was accepted, so the queue worker's log lines about
    # this batch carry it too. Last and optional: batches queued by an older version decode.
    request_id: str | None = None

    def size(self) -> int:
        return len(self.posts) + len(self.patches) + len(self.feedback) + len(self.attachments)


class DeadLetter(msgspec.Struct, kw_only=True):
    id: str
    at: float
    workspace_id: str
    stage: str  # "api" (rejected at the door) or "worker" (failed integrity or processing)
    kind: str  # post | patch | feedback | attachment | batch
    item_id: str | None
    reason: str
    payload: bytes  # msgpack of the item as received, to inspect or replay


_batch_encoder = msgspec.msgpack.Encoder()
_batch_decoder = msgspec.msgpack.Decoder(IngestBatch)
_dead_decoder = msgspec.msgpack.Decoder(DeadLetter)


def encode_batch(batch: IngestBatch) -> bytes:
    return _batch_encoder.encode(batch)


def decode_batch(data: bytes) -> IngestBatch:
    return _batch_decoder.decode(data)


def dead_letter(*, workspace_id: str, stage: str, kind: str, item_id: str | None, reason: str, item: Any) -> bytes:
    letter = DeadLetter(
        id=str(uuid.uuid4()),
        at=time.time(),
        workspace_id=workspace_id,
        stage=stage,
        kind=kind,
        item_id=item_id,
        reason=reason[:2000],
        payload=_batch_encoder.encode(item),
    )
    return _batch_encoder.encode(letter)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An item set aside, before it becomes a dead letter."""

    part: str  # where it was in the request: a part name, `post[3]`, a span id
    kind: str
    item_id: str | None
    reason: str
    item: Any


def letters_for(workspace_id: str, stage: str, rejections: list[Rejection]) -> list[bytes]:
    """The dead letters of one request or job: one per item while they are few, else one
    summary letter with the count and a sample of reasons (without the items)."""
    if len(rejections) <= LETTERS_PER_REQUEST:
        return [
            dead_letter(
                workspace_id=workspace_id, stage=stage, kind=r.kind, item_id=r.item_id, reason=r.reason, item=r.item
            )
            for r in rejections
        ]
    sample = [
        {"part": r.part[:200], "kind": r.kind, "item_id": r.item_id, "reason": r.reason[:500]}
        for r in rejections[:SUMMARY_SAMPLE]
    ]
    reason = f"{len(rejections)} items rejected in one {'request' if stage == 'api' else 'batch'}; first: "
    return [
        dead_letter(
            workspace_id=workspace_id,
            stage=stage,
            kind="request",
            item_id=None,
            reason=reason + rejections[0].reason,
            item={"count": len(rejections), "sample": sample},
        )
    ]


def json_problem(value: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON value cannot travel through the queue, or None. Iterative: the point
    is to refuse what recursion would choke on."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return f"JSON is nested more than {max_depth} levels deep"
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif isinstance(child, int) and not MIN_INT <= child <= MAX_INT:
                return "an integer is outside [-2**63, 2**64); send it as a string"
    if isinstance(value, int) and not MIN_INT <= value <= MAX_INT:
        return "an integer is outside [-2**63, 2**64); send it as a string"
    return None


# Every digit becomes 0 and every other byte a space: a run of 19 digits is then one substring
# search, several times faster than a regex, which tries every position.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19


class TextScan(NamedTuple):
    values: int  # at most this many JSON values: the separators and brackets, plus one
    tame: bool  # certainly passes `json_problem`, even placed one level down


def scan_json_text(data: bytes) -> TextScan:
    """What C-speed scans of JSON text tell before anything is decoded or walked.

    `values` bounds the request's JSON budget. `tame`: with fewer than MAX_JSON_DEPTH opening
    brackets the text cannot nest that deep (even placed inside its run, as a multipart `inputs`
    part is), and without a run of 19 digits it holds no integer outside msgpack's range; on the
    ingest hot path that spares almost every item `json_problem`'s Python walk (an SDK run's parts
    hold a few brackets and no such digits)."""
    brackets = data.count(b"[") + data.count(b"{")
    values = brackets + data.count(b",") + data.count(b":") + 1
    tame = brackets < MAX_JSON_DEPTH and _NINETEEN_DIGITS not in data.translate(_DIGITS_AS_ZEROS)
    return TextScan(values, tame)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 (naive means UTC, wire §0) or epoch seconds (milliseconds when implausibly
    large) → an aware UTC datetime within what ClickHouse stores. Raises ValueError."""
    if value is None:
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parsed = dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, dt.UTC)
        else:
            parsed = dt.datetime.fromisoformat(str(value))
            # astimezone can overflow too: 0001-01-01T00:00:00+05:00 is before year 1 in UTC.
            parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except (ValueError, TypeError, OverflowError, OSError):
        raise ValueError("is not a timestamp") from None
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"is outside {EARLIEST.year}-{LATEST.year}")
    return parsed


RunType = Literal["tool", "chain", "llm", "retriever", "embedding", "prompt", "parser"]


class RunFields(msgspec.Struct):
    """The typed scalar fields of a run (LangSmith's RunCreate/RunUpdate), checked by msgspec's C
    converter over the already decoded run, no Python walk. Unknown fields pass; times are
    `parse_timestamp`'s (they also take epoch numbers)."""

    name: str | None = None
    run_type: RunType | None = None
    trace_id: uuid.UUID | None = None
    parent_run_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    reference_example_id: uuid.UUID | None = None
    dotted_order: str | None = None
    session_name: str | None = None


# Containers are checked by type only: converting them would copy (and, typed, walk) the heavy
# fields, which doubled the door's cost per run.
_CONTAINERS = (
    ("inputs", dict, "object"),
    ("outputs", dict, "object"),
    ("extra", dict, "object"),
    ("serialized", dict, "object"),
    ("tags", list, "array"),
    ("events", list, "array"),
)

# Named as msgspec names them, so every field message reads alike.
_JSON_KINDS = {dict: "object", list: "array", str: "str", int: "int", float: "float", bool: "bool"}


def field_problem(run: dict[str, Any]) -> str | None:
    """The first field of the run with the wrong type or value, named: `run_type: Invalid enum
    value 'agent'`."""
    for name, kind, label in _CONTAINERS:
        value = run.get(name)
        if value is not None and not isinstance(value, kind):
            got = _JSON_KINDS.get(type(value), type(value).__name__)
            return f"{name}: Expected `{label} | null`, got `{got}`"
    try:
        msgspec.convert(run, RunFields)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at `")
        if not message:
            return str(exc)
        return f"{path.rstrip('`').removeprefix('$.')}: {message}"
    return None


def project_name_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    if "\x00" in name:
        return "session_name must not contain NUL characters"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_PROJECT_NAME_BYTES:
        return f"session_name must be at most {MAX_PROJECT_NAME_BYTES} bytes"
    return None


def decode_dead_letter(data: bytes) -> DeadLetter:
    return _dead_decoder.decode(data)


JOB_TIMEOUT_SECONDS = 60


def enqueue_batch(queue: Any, batch: IngestBatch, *, pipeline: Any = None) -> None:
    """Hand an accepted batch to the queue workers (stage 1): the one way runs enter the pipeline,
    for the ingest endpoints and for the playground's own traces. Synchronous (rq); raises
    redis errors for the caller to turn into 503. With `pipeline`, the job is written when the
    caller executes it."""
    if batch.request_id is None:
        batch.request_id = request_id_var.get()
    queue.enqueue_call(
        INGEST_JOB,
        args=(encode_batch(batch),),
        timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=0,
        failure_ttl=30 * 86400,
        retry=retry_policy(),
        pipeline=pipeline,
    )
