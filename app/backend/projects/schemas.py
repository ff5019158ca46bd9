"""Wire schemas for /api/v1/sessions, as the LangSmith SDK sends and reads them (wire §4)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec


class ProjectCreate(msgspec.Struct, kw_only=True):
    name: str
    id: uuid.UUID | None = None
    description: str | None = None
    extra: dict[str, Any] | None = None
    reference_dataset_id: uuid.UUID | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name or len(self.name) > 400:
            raise ValueError("name must be 1 to 400 characters")


class Project(msgspec.Struct, kw_only=True):
    """TracerSession: `id`, `tenant_id` and the key `reference_dataset_id` are required by the SDK."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    description: str | None
    extra: dict[str, Any] | None
    reference_dataset_id: uuid.UUID | None
    start_time: dt.datetime
    end_time: dt.datetime | None


def project_from_row(row: dict[str, Any]) -> Project:
    """Storage row → wire object: the one mapping between the two layers."""
    return Project(
        id=row["id"],
        tenant_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        extra=row["extra"],
        reference_dataset_id=row["reference_dataset_id"],
        start_time=row["start_time"],
        end_time=row["end_time"],
    )
