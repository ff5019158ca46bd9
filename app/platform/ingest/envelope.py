"""Turn a request body into an IngestBatch, setting aside the items that cannot be ingested.

Checks here are the cheap, envelope-level ones: part names, JSON syntax, ids that are UUIDs,
bodies that are objects, and what could not travel through the queue or be stored at all
(nesting, integer range, times ClickHouse cannot hold, project names Postgres cannot hold).
Integrity across fields (trace ids, dotted orders) is the worker's job. A bad item is reported
and dead-lettered; the good ones in its batch go on. The report lists at most REPORTED_REJECTIONS
rejections (with the full count), and a request's rejections become at most a few dead letters.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from app.core.errors import PayloadTooLarge
from app.core.ingest import (
    MAX_JSON_VALUES,
    MAX_PART_BYTES,
    Attachment,
    IngestBatch,
    Rejection,
    field_problem,
    json_problem,
    letters_for,
    parse_timestamp,
    project_name_problem,
    scan_json_text,
)
from app.core.multipart import Part

OUT_OF_BAND = frozenset({"inputs", "outputs", "events", "extra", "error", "serialized"})
RUN_KINDS = ("post", "patch")
REPORTED_REJECTIONS = 100
# A rejected item is kept in its dead letter up to this size (the reason says what was wrong).
_KEPT_BYTES = 65536
_decode_json = msgspec.json.Decoder().decode


def check_json_budget(values: int) -> None:
    if values > MAX_JSON_VALUES:
        raise PayloadTooLarge(f"the request's JSON holds more than {MAX_JSON_VALUES} values; send fewer per request")


def decode_json(data: bytes) -> Any:
    """JSON bytes → a value; ValueError (with a message for the client) for anything undecodable:
    bad syntax, invalid UTF-8 (UnicodeDecodeError), nesting deeper than the decoder recurses."""
    try:
        return _decode_json(data)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


@dataclass
class Envelope:
    workspace_id: str
    batch: IngestBatch = field(init=False)
    rejected: list[Rejection] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.batch = IngestBatch(workspace_id=self.workspace_id, received_at=time.time())

    def reject(self, part: str, kind: str, item_id: str | None, reason: str, item: Any) -> None:
        if json_problem(item) is not None:
            item = None  # what cannot be encoded for the queue cannot be kept in a letter either
        elif isinstance(item, bytes):
            item = item[:_KEPT_BYTES]
        self.rejected.append(Rejection(part, kind, item_id, reason, item))

    @property
    def dead_letters(self) -> list[bytes]:
        return letters_for(self.workspace_id, "api", self.rejected)

    def report(self) -> dict[str, Any]:
        b = self.batch
        return {
            "accepted": {
                "post": len(b.posts),
                "patch": len(b.patches),
                "feedback": len(b.feedback),
                "attachments": len(b.attachments),
            },
            "rejected": [
                {"part": r.part, "id": r.item_id, "reason": r.reason} for r in self.rejected[:REPORTED_REJECTIONS]
            ],
            "rejected_count": len(self.rejected),
        }


def _uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def add_run(
    env: Envelope, kind: str, run: Any, label: str, expected_id: str | None = None, *, walk: bool = True
) -> None:
    """`walk=False` when the run's JSON text was tame (`scan_json_text`): the walk would pass."""
    if not isinstance(run, dict):
        env.reject(label, kind, expected_id, "run must be a JSON object", run)
        return
    run_id = _uuid(run.get("id", expected_id))
    if run_id is None:
        env.reject(label, kind, None, f"run id {run.get('id', expected_id)!r} is not a UUID", run)
        return
    if expected_id is not None and run_id != expected_id:
        env.reject(label, kind, run_id, f"run id {run_id} does not match {expected_id} in the part name", run)
        return
    if problem := run_problem(run, walk=walk):
        env.reject(label, kind, run_id, problem, run)
        return
    run["id"] = run_id
    (env.batch.posts if kind == "post" else env.batch.patches).append(run)


def run_problem(run: dict[str, Any], *, walk: bool = True) -> str | None:
    """What would make this run fail later, in the queue, the worker or a store."""
    return (
        (json_problem(run) if walk else None)
        or field_problem(run)
        or project_name_problem(run.get("session_name"))
        or _time_problem(run, ("start_time", "end_time"))
    )


def _time_problem(item: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            parse_timestamp(item.get(name))
        except ValueError as exc:
            return f"{name} {str(item.get(name))[:100]!r} {exc}"
    return None


def _add_feedback(env: Envelope, item: Any, label: str, expected_id: str | None = None, *, walk: bool = True) -> None:
    if not isinstance(item, dict):
        env.reject(label, "feedback", expected_id, "feedback must be a JSON object", item)
        return
    feedback_id = _uuid(item.get("id", expected_id))
    if feedback_id is None:
        env.reject(label, "feedback", None, "feedback id is not a UUID", item)
        return
    if not isinstance(item.get("key"), str) or not item["key"]:
        env.reject(label, "feedback", feedback_id, "feedback needs a non-empty string `key`", item)
        return
    if problem := (json_problem(item) if walk else None) or _time_problem(
        item, ("start_time", "created_at", "modified_at")
    ):
        env.reject(label, "feedback", feedback_id, problem, item)
        return
    item["id"] = feedback_id
    env.batch.feedback.append(item)


def from_multipart(workspace_id: str, parts: list[Part]) -> Envelope:
    env = Envelope(workspace_id)
    mains: dict[tuple[str, str], dict[str, Any]] = {}
    extras: dict[tuple[str, str], list[tuple[str, str, bytes]]] = {}
    order: list[tuple[str, str, str]] = []
    values = 0  # the JSON budget is per request, summed over the JSON parts (not attachments)
    wild: set[tuple[str, str]] = set()  # runs with a part whose text was not tame: walk those
    for part in parts:
        name = part.name
        if len(part.data) > MAX_PART_BYTES:
            env.reject(name, "part", None, f"part exceeds {MAX_PART_BYTES} bytes", b"")
            continue
        head, _, rest = name.partition(".")
        if head == "attachment":
            run_id, _, attachment_name = rest.partition(".")
            if _uuid(run_id) is None or not attachment_name:
                env.reject(
                    name,
                    "attachment",
                    None,
                    "attachment parts are named attachment.<run uuid>.<name>",
                    part.data[:1024],
                )
                continue
            content_type = part.content_type.split(";")[0].strip() or "application/octet-stream"
            env.batch.attachments.append(Attachment(_uuid(run_id) or run_id, attachment_name, content_type, part.data))
            continue
        if head not in (*RUN_KINDS, "feedback"):
            env.reject(
                name,
                "part",
                None,
                "unknown part; expected post.*, patch.*, feedback.* or attachment.*",
                part.data[:1024],
            )
            continue
        item_id, _, field_name = rest.partition(".")
        scan = scan_json_text(part.data)
        values += scan.values
        check_json_budget(values)
        try:
            value = decode_json(part.data)
        except ValueError as exc:
            env.reject(name, head, _uuid(item_id), str(exc), part.data)
            continue
        if head == "feedback":
            if field_name:
                env.reject(name, "feedback", _uuid(item_id), "feedback parts have no sub-fields", value)
            else:
                _add_feedback(env, value, name, _uuid(item_id) or item_id, walk=not scan.tame)
            continue
        key = (head, item_id)
        if not scan.tame:
            wild.add(key)
        if not field_name:
            if key in mains:
                env.reject(name, head, _uuid(item_id), "duplicate part in this request", value)
                continue
            mains[key] = value
            order.append((head, item_id, name))
        elif field_name in OUT_OF_BAND:
            extras.setdefault(key, []).append((field_name, name, value))
        else:
            env.reject(name, head, _uuid(item_id), f"unknown run field part {field_name!r}", value)
    for head, item_id, name in order:
        run = mains.pop((head, item_id))
        if isinstance(run, dict):
            for field_name, _, value in extras.pop((head, item_id), []):
                run[field_name] = value
        add_run(env, head, run, name, _uuid(item_id) or item_id, walk=(head, item_id) in wild)
    for (head, item_id), leftovers in extras.items():
        for _, name, value in leftovers:
            env.reject(name, head, _uuid(item_id), f"no {head}.{item_id} part for this field in the request", value)
    return env


def from_batch(workspace_id: str, body: Any, *, walk: bool = True) -> Envelope:
    """`POST /runs/batch`: {"post": [run...], "patch": [run...]} with fields inline. `walk`:
    whether the body's text was not tame, so each run's JSON must be walked."""
    env = Envelope(workspace_id)
    for kind in RUN_KINDS:
        runs = body.get(kind) or []
        if not isinstance(runs, list):
            env.reject(kind, kind, None, f"`{kind}` must be a list of runs", runs)
            continue
        for index, run in enumerate(runs):
            add_run(env, kind, run, f"{kind}[{index}]", walk=walk)
    return env


def from_single(workspace_id: str, kind: str, run: Any, run_id: str | None = None, *, walk: bool = True) -> Envelope:
    env = Envelope(workspace_id)
    if isinstance(run, dict):
        run.pop("attachments", None)  # the SDK may send "attachments": {} here (wire §2.6)
    add_run(env, kind, run, kind, run_id, walk=walk)
    return env
