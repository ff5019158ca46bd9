"""Wire schemas for examples, as the SDK sends them on its JSON path (`/examples`, `/examples/bulk`)
and its multipart path (`{platform}/datasets/{id}/examples`), and as it reads them back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

Split = str | list[str]


class ExampleCreate(msgspec.Struct, kw_only=True):
    dataset_id: uuid.UUID | None = None
    id: uuid.UUID | None = None
    inputs: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    split: Split | None = None
    created_at: dt.datetime | None = None
    source_run_id: uuid.UUID | None = None
    use_source_run_io: bool = False
    use_source_run_attachments: list[str] | None = None


class AttachmentsOperations(msgspec.Struct, kw_only=True):
    rename: dict[str, str] = msgspec.field(default_factory=dict)
    retain: list[str] = msgspec.field(default_factory=list)


class ExampleUpdate(msgspec.Struct, kw_only=True):
    """Keys left out stay as they are; the SDK sends only what the caller passed."""

    id: uuid.UUID | None = None
    dataset_id: uuid.UUID | None = None
    inputs: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    outputs: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    metadata: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    split: Split | msgspec.UnsetType | None = msgspec.UNSET
    attachments_operations: AttachmentsOperations | None = None


class MetadataOperation(msgspec.Struct, kw_only=True):
    key: str
    operation: str
    values: list[Any] = msgspec.field(default_factory=list)


class MetadataPatch(msgspec.Struct, kw_only=True):
    example_ids: list[uuid.UUID]
    operations: list[MetadataOperation]


class HardDelete(msgspec.Struct, kw_only=True):
    example_ids: list[uuid.UUID]
    hard_delete: bool = False


class AttachmentUrl(msgspec.Struct, kw_only=True):
    presigned_url: str
    mime_type: str | None


class Example(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    dataset_id: uuid.UUID
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None
    metadata: dict[str, Any]
    source_run_id: uuid.UUID | None
    created_at: dt.datetime
    modified_at: dt.datetime
    attachment_urls: dict[str, AttachmentUrl] | None = None


class UpsertResult(msgspec.Struct, kw_only=True):
    example_ids: list[uuid.UUID]
    count: int
    as_of: dt.datetime | None
