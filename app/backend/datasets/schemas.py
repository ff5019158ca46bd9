"""Wire schemas for /api/v1/datasets and their examples, as the LangSmith SDK sends and reads them
(wire §6). Examples come on its JSON path (`/examples`, `/examples/bulk`) and its multipart path
(`{platform}/datasets/{id}/examples`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec

DataType = Literal["kv", "llm", "chat"]


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 400:
        raise ValueError("name must be 1 to 400 characters")
    return name


class DatasetCreate(msgspec.Struct, kw_only=True):
    name: str
    id: uuid.UUID | None = None
    description: str | None = None
    data_type: DataType | None = None
    inputs_schema_definition: dict[str, Any] | None = None
    outputs_schema_definition: dict[str, Any] | None = None
    transformations: list[dict[str, Any]] | None = None
    extra: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    created_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        self.name = _check_name(self.name)


class DatasetUpdate(msgspec.Struct, kw_only=True, omit_defaults=True):
    """PATCH body: only the keys sent change (the SDK sends what the caller passed)."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType | None = msgspec.UNSET
    inputs_schema_definition: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    outputs_schema_definition: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    metadata: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    transformations: list[dict[str, Any]] | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.name, str):
            self.name = _check_name(self.name)


class Dataset(msgspec.Struct, kw_only=True):
    """schemas.Dataset: `id`, `name`, `created_at` required; data_type must be kv/llm/chat."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    description: str | None
    data_type: DataType
    created_at: dt.datetime
    modified_at: dt.datetime
    example_count: int
    session_count: int
    last_session_start_time: dt.datetime | None
    inputs_schema_definition: dict[str, Any] | None
    outputs_schema_definition: dict[str, Any] | None
    transformations: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None


class DatasetVersion(msgspec.Struct, kw_only=True):
    as_of: dt.datetime
    tags: list[str]


class VersionTag(msgspec.Struct, kw_only=True):
    as_of: dt.datetime
    tag: str

    def __post_init__(self) -> None:
        self.tag = self.tag.strip()
        if not self.tag or len(self.tag) > 100:
            raise ValueError("tag must be 1 to 100 characters")
        if self.tag == "latest":
            raise ValueError("'latest' always means the newest version and cannot be a tag")


class VersionDiff(msgspec.Struct, kw_only=True):
    examples_modified: list[uuid.UUID]
    examples_added: list[uuid.UUID]
    examples_removed: list[uuid.UUID]


class SplitsUpdate(msgspec.Struct, kw_only=True):
    split_name: str
    examples: list[uuid.UUID]
    remove: bool = False


class DatasetShare(msgspec.Struct, kw_only=True):
    dataset_id: uuid.UUID
    share_token: uuid.UUID
    url: str


def dataset_from_row(row: dict[str, Any]) -> Dataset:
    """Storage row → wire object: the one mapping between the two layers."""
    return Dataset(
        id=row["id"],
        tenant_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        data_type=row["data_type"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        example_count=row.get("example_count") or 0,
        session_count=row.get("session_count") or 0,
        last_session_start_time=row.get("last_session_start_time"),
        inputs_schema_definition=row["inputs_schema"],
        outputs_schema_definition=row["outputs_schema"],
        transformations=row["transformations"],
        metadata=row["metadata"],
    )


# --- examples ---------------------------------------------------------------------------------

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
