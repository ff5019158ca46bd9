"""The SDK's multipart layout for examples (`{platform}/datasets/{id}/examples`, wire §6):

    {example_id}                       JSON: created_at, metadata, split, source_run_id, use_source_run_io, …
    {example_id}.inputs                JSON
    {example_id}.outputs               JSON
    {example_id}.attachment.{name}     bytes, Content-Type "<mime>; length=<n>"
    {example_id}.attachments_operations JSON {"rename": {…}, "retain": […]} (updates only)

Parts are grouped by example id; a part that does not fit is a 400 naming it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from app.backend.datasets.writes import Change, Draft, NewAttachment
from app.core.errors import BadRequest
from app.core.multipart import Part


@dataclass
class _Group:
    body: dict[str, Any] | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    attachments: list[NewAttachment] = field(default_factory=list)


def _json(part: Part, want: type = dict) -> Any:
    try:
        value = msgspec.json.decode(part.data)
    except msgspec.DecodeError as exc:
        raise BadRequest(f"part {part.name!r} is not valid JSON: {exc}") from None
    if not isinstance(value, want):
        raise BadRequest(f"part {part.name!r} must be a JSON {'object' if want is dict else want.__name__}")
    return value


def _group(parts: list[Part]) -> dict[uuid.UUID, _Group]:
    groups: dict[uuid.UUID, _Group] = {}
    for part in parts:
        head, _, rest = part.name.partition(".")
        try:
            example_id = uuid.UUID(head)
        except ValueError:
            raise BadRequest(f"part {part.name!r} must start with an example id (a UUID)") from None
        group = groups.setdefault(example_id, _Group())
        if not rest:
            group.body = _json(part)
        elif rest in ("inputs", "outputs"):
            group.fields[rest] = _json(part)
        elif rest == "attachments_operations":
            group.fields[rest] = _json(part)
        elif rest.startswith("attachment.") and len(rest) > len("attachment."):
            mime_type = part.content_type.split(";", 1)[0].strip() or "application/octet-stream"
            group.attachments.append(NewAttachment(rest[len("attachment.") :], mime_type, part.data))
        else:
            raise BadRequest(
                f"unknown part {part.name!r}; expected <id>, <id>.inputs, <id>.outputs or <id>.attachment.<name>"
            )
    return groups


def _created_at(value: Any, part: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"part {part!r}: created_at must be an ISO 8601 timestamp") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _uuid_or_none(value: Any, part: str, name: str) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadRequest(f"part {part!r}: {name} must be a UUID") from None


def drafts_from_parts(parts: list[Part]) -> list[Draft]:
    drafts = []
    for example_id, group in _group(parts).items():
        body = group.body or {}
        part = str(example_id)
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest(f"part {part!r}: metadata must be an object")
        run_attachments = body.get("use_source_run_attachments")
        drafts.append(
            Draft(
                id=example_id,
                inputs=group.fields.get("inputs"),
                outputs=group.fields.get("outputs"),
                metadata=metadata,
                split=body.get("split"),
                created_at=_created_at(body.get("created_at"), part),
                source_run_id=_uuid_or_none(body.get("source_run_id"), part, "source_run_id"),
                use_source_run_io=bool(body.get("use_source_run_io")),
                use_source_run_attachments=list(run_attachments) if isinstance(run_attachments, list) else None,
                attachments=group.attachments,
            )
        )
    return drafts


def changes_from_parts(parts: list[Part]) -> list[Change]:
    changes = []
    for example_id, group in _group(parts).items():
        body = group.body or {}
        change = Change(id=example_id, attachments=group.attachments)
        if "inputs" in group.fields:
            change.inputs = group.fields["inputs"]
        if "outputs" in group.fields:
            change.outputs = group.fields["outputs"]
        if "metadata" in body:
            change.metadata = body["metadata"]
        if "split" in body:
            change.split = body["split"]
        if "attachments_operations" in group.fields:
            change.attachments_operations = group.fields["attachments_operations"]
        changes.append(change)
    return changes
