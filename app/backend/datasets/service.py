"""Datasets and their examples as handlers and other resources use them: create a dataset, check
that a dataset or an example is the caller's, read examples back for the wire, and a dataset's
state at a version."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from litestar import Request
from psycopg.types.json import Jsonb

from app.backend.datasets import listing
from app.backend.datasets import queries as q
from app.backend.datasets.schemas import Dataset, DatasetCreate, Example, dataset_from_row
from app.backend.datasets.writes import check_schema
from app.backend.signer import signer_of
from app.core.errors import Conflict, NotFound
from app.core.postgres import Postgres
from app.core.user_content import link


def jsonb(value: Any) -> Jsonb | None:
    return Jsonb(value) if value is not None else None


async def insert_dataset(postgres: Postgres, workspace_id: uuid.UUID, data: DatasetCreate) -> Dataset:
    """Create a dataset; the same create sent again (same id and name) returns the existing one."""
    check_schema(data.inputs_schema_definition, "inputs_schema_definition")
    check_schema(data.outputs_schema_definition, "outputs_schema_definition")
    dataset_id = data.id or uuid.uuid4()
    metadata = data.metadata if data.metadata is not None else (data.extra or {}).get("metadata")
    params = {
        "id": dataset_id,
        "workspace_id": workspace_id,
        "name": data.name,
        "description": data.description,
        "data_type": data.data_type or "kv",
        "inputs_schema": jsonb(data.inputs_schema_definition),
        "outputs_schema": jsonb(data.outputs_schema_definition),
        "transformations": jsonb(data.transformations),
        "metadata": jsonb(metadata),
        "created_at": data.created_at,
    }
    row = await postgres.fetch_one(q.INSERT_DATASET, params)
    if row is None:
        existing = await postgres.fetch_one(q.SELECT_DATASET, {"workspace_id": workspace_id, "id": dataset_id})
        if existing is not None and existing["name"] == data.name:
            return dataset_from_row(existing)
        raise Conflict(f"a dataset named {data.name!r} already exists")
    return dataset_from_row(row)


async def own_dataset(postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID) -> dict[str, Any]:
    """The dataset's id and name, or 404 when it is not the caller's (no counts: see dataset_row)."""
    row = await postgres.fetch_one(q.SELECT_DATASET_REF, {"workspace_id": workspace_id, "id": dataset_id})
    if row is None:
        raise NotFound("dataset not found")
    return row


async def dataset_row(postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID) -> dict[str, Any]:
    """The whole dataset with its example and experiment counts, as the API returns it."""
    row = await postgres.fetch_one(q.SELECT_DATASET, {"workspace_id": workspace_id, "id": dataset_id})
    if row is None:
        raise NotFound("dataset not found")
    return row


async def state_at(postgres: Postgres, dataset_id: uuid.UUID, point: Any) -> dict[uuid.UUID, Any]:
    """Each live example's revision timestamp at a point in time: equal stamps, same content."""
    rows = await postgres.fetch_all(q.STATE_AT, {"dataset_id": dataset_id, "as_of": point})
    return {r["example_id"]: r["version"] for r in rows if not r["deleted"]}


async def dataset_of_example(postgres: Postgres, workspace_id: uuid.UUID, example_id: uuid.UUID) -> uuid.UUID:
    """The dataset the example belongs (or, deleted, belonged) to; 404 when it is not the caller's."""
    row = await postgres.fetch_one(q.DATASET_OF_EXAMPLE, {"workspace_id": workspace_id, "id": example_id})
    if row is None:
        raise NotFound("example not found")
    return row["dataset_id"]


async def read_examples(
    request: Request[Any, Any, Any], postgres: Postgres, workspace_id: uuid.UUID, ids: list[uuid.UUID]
) -> list[Example]:
    """The caller's examples with these ids, in that order, attachments as signed links."""
    rows = await listing.list_examples(postgres, workspace_id, ids=ids, limit=len(ids) or 1)
    signer = await signer_of(request.app.state)
    by_id = {r["id"]: listing.example_from_row(r, signer, workspace_id, link=partial(link, request)) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def experiments_of_dataset(postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID) -> list[Any]:
    """Every experiment (project) run against the caller's dataset, newest first; 404 when the
    dataset is not the caller's."""
    await own_dataset(postgres, workspace_id, dataset_id)
    params = {"workspace_id": workspace_id, "dataset_id": dataset_id, "limit": None, "offset": 0}
    return await postgres.fetch_all(q.LIST_DATASET_SESSIONS, params)
