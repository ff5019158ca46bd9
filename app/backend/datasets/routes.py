"""/api/v1/datasets: create (409 on a duplicate name), list, read, update, delete; versions,
version tags and diffs; splits (wire §6)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
import psycopg
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.datasets import queries as q
from app.backend.datasets.listing import source_sql
from app.backend.datasets.schemas import (
    Dataset,
    DatasetCreate,
    DatasetUpdate,
    DatasetVersion,
    SplitsUpdate,
    VersionDiff,
    VersionTag,
    dataset_from_row,
)
from app.backend.datasets.service import dataset_row, insert_dataset, jsonb, own_dataset, state_at
from app.backend.datasets.versions import FAR_FUTURE, resolve_as_of, version_at
from app.backend.datasets.writes import check_schema, patch_metadata
from app.backend.params import json_object_param
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.postgres import Postgres


class DatasetsController(Controller):
    path = "/api/v1/datasets"

    @post("/", status_code=200)
    async def create_dataset(
        self, data: JSONBody[DatasetCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
    ) -> Dataset:
        return await insert_dataset(postgres, principal.workspace_id, data)

    @get("/")
    async def list_datasets(
        self,
        *,
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        name: FromQuery[str | None] = None,
        name_contains: FromQuery[str | None] = None,
        ids: Annotated[list[uuid.UUID] | None, QueryParameter(name="id")] = None,
        data_type: FromQuery[list[str] | None] = None,
        metadata: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[Dataset]:
        params = {
            "workspace_id": principal.workspace_id,
            "name": name,
            "name_contains": name_contains,
            "ids": ids or None,
            "data_types": data_type or None,
            "metadata": Jsonb(json_object_param(metadata, "metadata")) if metadata else None,
            "limit": limit,
            "offset": offset,
        }
        return [dataset_from_row(r) for r in await postgres.fetch_all(q.LIST_DATASETS, params)]

    @get("/{dataset_id:uuid}")
    async def read_dataset(
        self,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> Dataset:
        return dataset_from_row(await dataset_row(postgres, principal.workspace_id, dataset_id))

    @patch("/{dataset_id:uuid}")
    async def update_dataset(
        self,
        dataset_id: FromPath[uuid.UUID],
        data: JSONBody[DatasetUpdate],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> Dataset:
        fields = msgspec.structs.asdict(data)
        params: dict[str, Any] = {"workspace_id": principal.workspace_id, "id": dataset_id}
        for name, column in (
            ("name", "name"),
            ("description", "description"),
            ("inputs_schema_definition", "inputs_schema"),
            ("outputs_schema_definition", "outputs_schema"),
            ("metadata", "metadata"),
            ("transformations", "transformations"),
        ):
            value = fields[name]
            params[f"set_{column}"] = value is not msgspec.UNSET
            unset = value is msgspec.UNSET
            params[column] = None if unset else (value if column in ("name", "description") else jsonb(value))
        if params["set_name"] and params["name"] is None:
            raise BadRequest("name cannot be null")
        for column in ("inputs_schema_definition", "outputs_schema_definition"):
            if fields[column] is not msgspec.UNSET:
                check_schema(fields[column], column)
        try:
            row = await postgres.fetch_one(q.UPDATE_DATASET, params)
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"a dataset named {data.name!r} already exists") from None
        if row is None:
            raise NotFound("dataset not found")
        return dataset_from_row(await dataset_row(postgres, principal.workspace_id, dataset_id))

    @delete("/{dataset_id:uuid}", status_code=200)
    async def delete_dataset(
        self,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> dict[str, str]:
        row = await postgres.fetch_one(q.DELETE_DATASET, {"workspace_id": principal.workspace_id, "id": dataset_id})
        if row is None:
            raise NotFound("dataset not found")
        return {"message": "dataset deleted"}

    # --- versions ---------------------------------------------------------------------------

    @get("/{dataset_id:uuid}/versions")
    async def list_versions(
        self,
        *,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        search: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[DatasetVersion]:
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        params = {"dataset_id": dataset_id, "search": search or None, "limit": limit, "offset": offset}
        rows = await postgres.fetch_all(q.LIST_VERSIONS, params)
        return [DatasetVersion(as_of=r["version"], tags=list(r["tags"])) for r in rows]

    @get("/{dataset_id:uuid}/version")
    async def read_version(
        self,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        as_of: FromQuery[str | None] = None,
        tag: FromQuery[str | None] = None,
    ) -> DatasetVersion:
        """The version in effect at `as_of`, or the one a tag names ("latest" is the newest)."""
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        if (as_of is None) == (tag is None):
            raise BadRequest("pass exactly one of as_of and tag")
        point = await resolve_as_of(postgres, dataset_id, as_of if as_of is not None else tag)
        version = await version_at(postgres, dataset_id, point)
        if version is None:
            raise NotFound("the dataset had no version at that point")
        tags = await postgres.fetch_all(q.TAGS_OF_VERSION, {"dataset_id": dataset_id, "version": version})
        return DatasetVersion(as_of=version, tags=[t["tag"] for t in tags])

    @put("/{dataset_id:uuid}/tags")
    async def tag_version(
        self,
        dataset_id: FromPath[uuid.UUID],
        data: JSONBody[VersionTag],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> DatasetVersion:
        """Point a tag at the version in effect at `as_of` (moving it if it exists)."""
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        point = data.as_of if data.as_of.tzinfo else data.as_of.replace(tzinfo=FAR_FUTURE.tzinfo)
        version = await version_at(postgres, dataset_id, point)
        if version is None:
            raise BadRequest("the dataset has no version at or before as_of")
        await postgres.execute(q.UPSERT_TAG, {"dataset_id": dataset_id, "tag": data.tag, "version": version})
        tags = await postgres.fetch_all(q.TAGS_OF_VERSION, {"dataset_id": dataset_id, "version": version})
        return DatasetVersion(as_of=version, tags=[t["tag"] for t in tags])

    @get("/{dataset_id:uuid}/versions/diff")
    async def diff_versions(
        self,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        from_version: FromQuery[str | None] = None,
        to_version: FromQuery[str | None] = None,
    ) -> VersionDiff:
        """Examples added, removed and modified going from one version (timestamp or tag) to another."""
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        if from_version is None or to_version is None:
            raise BadRequest("pass from_version and to_version (timestamps, tags or 'latest')")
        before = await state_at(postgres, dataset_id, await resolve_as_of(postgres, dataset_id, from_version))
        after = await state_at(postgres, dataset_id, await resolve_as_of(postgres, dataset_id, to_version))
        return VersionDiff(
            examples_added=sorted(set(after) - set(before), key=str),
            examples_removed=sorted(set(before) - set(after), key=str),
            examples_modified=sorted((i for i in set(before) & set(after) if before[i] != after[i]), key=str),
        )

    # --- splits -----------------------------------------------------------------------------

    @get("/{dataset_id:uuid}/splits")
    async def list_splits(
        self,
        dataset_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
        as_of: FromQuery[str | None] = None,
    ) -> list[str]:
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        point = await resolve_as_of(postgres, dataset_id, as_of) if as_of else None
        sql = q.SPLITS_AT.format(source=source_sql(point))
        params = {"workspace_id": principal.workspace_id, "dataset_id": dataset_id, "as_of": point}
        return [r["split"] for r in await postgres.fetch_all(sql, params)]

    @put("/{dataset_id:uuid}/splits")
    async def update_splits(
        self,
        dataset_id: FromPath[uuid.UUID],
        data: JSONBody[SplitsUpdate],
        principal: NamedDependency[Principal],
        postgres: NamedDependency[Postgres],
    ) -> list[uuid.UUID]:
        await own_dataset(postgres, principal.workspace_id, dataset_id)
        if not data.split_name.strip():
            raise BadRequest("split_name must not be empty")
        operation = {
            "key": "dataset_split",
            "operation": "array_remove" if data.remove else "array_add",
            "values": [data.split_name],
        }
        if data.examples:
            await patch_metadata(postgres, principal.workspace_id, dataset_id, data.examples, [operation])
        return data.examples
