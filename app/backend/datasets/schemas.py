"""Wire schemas for /api/v1/datasets, as the LangSmith SDK sends and reads them (wire §6)."""

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
