"""Experiment endpoints on a dataset: the comparison view (`POST /datasets/{id}/compare`), the
SDK's examples-with-runs (`POST /datasets/{id}/runs`), and comparative experiments
(`/datasets/comparative`), wire §6."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.datasets import listing
from app.backend.datasets.service import own_dataset
from app.backend.experiments import queries as q
from app.backend.experiments.compare import compare
from app.backend.experiments.schemas import (
    ComparativeCreate,
    ComparativeExperiment,
    CompareRequest,
    Comparison,
    ExamplesWithRunsQuery,
)
from app.backend.experiments.service import runs_by_example
from app.backend.runs.listing import DEFAULT_SELECT
from app.backend.signer import signer_of
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.postgres import Postgres
from app.core.user_content import link


async def _comparative(postgres: Postgres, row: dict[str, Any]) -> ComparativeExperiment:
    experiments = await postgres.fetch_all(
        q.EXPERIMENTS, {"workspace_id": row["workspace_id"], "ids": list(row["experiment_ids"])}
    )
    names = {e["id"]: e["name"] for e in experiments}
    return ComparativeExperiment(
        id=row["id"],
        tenant_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        reference_dataset_id=row["reference_dataset_id"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        extra=row["extra"],
        experiments_info=[{"id": i, "name": names.get(i)} for i in row["experiment_ids"]],
    )


@post("/api/v1/datasets/comparative", status_code=200)
async def create_comparative(
    data: JSONBody[ComparativeCreate], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> ComparativeExperiment:
    """A pairwise comparison of experiments on one dataset; idempotent on its id."""
    experiments = await postgres.fetch_all(
        q.EXPERIMENTS, {"workspace_id": principal.workspace_id, "ids": data.experiment_ids}
    )
    if len(experiments) != len(set(data.experiment_ids)):
        raise NotFound("experiment not found")
    datasets = {e["reference_dataset_id"] for e in experiments}
    if None in datasets or len(datasets) != 1:
        raise BadRequest("all experiments must be experiments on the same dataset")
    dataset_id = datasets.pop()
    if data.reference_dataset_id is not None and data.reference_dataset_id != dataset_id:
        raise BadRequest("reference_dataset_id is not the experiments' dataset")
    comparative_id = data.id or uuid.uuid4()
    params = {
        "id": comparative_id,
        "workspace_id": principal.workspace_id,
        "dataset_id": dataset_id,
        "name": data.name,
        "description": data.description,
        "experiment_ids": data.experiment_ids,
        "extra": Jsonb(data.extra) if data.extra is not None else None,
        "created_at": data.created_at or dt.datetime.now(dt.UTC),
    }
    row = await postgres.fetch_one(q.INSERT_COMPARATIVE, params)
    if row is None:
        row = await postgres.fetch_one(
            q.SELECT_COMPARATIVE, {"workspace_id": principal.workspace_id, "id": comparative_id}
        )
        if row is None or list(row["experiment_ids"]) != data.experiment_ids:
            raise Conflict("a comparative experiment with this id already exists")
    return await _comparative(postgres, row)


@get("/api/v1/datasets/comparative")
async def list_comparative(
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    reference_dataset_id: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[ComparativeExperiment]:
    params = {
        "workspace_id": principal.workspace_id,
        "dataset_id": reference_dataset_id,
        "limit": limit,
        "offset": offset,
    }
    return [await _comparative(postgres, r) for r in await postgres.fetch_all(q.LIST_COMPARATIVE, params)]


@get("/api/v1/datasets/comparative/{comparative_id:uuid}")
async def read_comparative(
    comparative_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> ComparativeExperiment:
    row = await postgres.fetch_one(q.SELECT_COMPARATIVE, {"workspace_id": principal.workspace_id, "id": comparative_id})
    if row is None:
        raise NotFound("comparative experiment not found")
    return await _comparative(postgres, row)


@delete("/api/v1/datasets/comparative/{comparative_id:uuid}", status_code=200)
async def delete_comparative(
    comparative_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, str]:
    params = {"workspace_id": principal.workspace_id, "id": comparative_id}
    if await postgres.fetch_one(q.DELETE_COMPARATIVE, params) is None:
        raise NotFound("comparative experiment not found")
    return {"message": "comparative experiment deleted"}


@post("/api/v1/datasets/{dataset_id:uuid}/compare", status_code=200, opt={"role": "viewer"})
async def compare_experiments(
    dataset_id: FromPath[uuid.UUID],
    data: JSONBody[CompareRequest],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> Comparison:
    await own_dataset(postgres, principal.workspace_id, dataset_id)
    return await compare(postgres, clickhouse, principal.workspace_id, dataset_id, data)


@post("/api/v1/datasets/{dataset_id:uuid}/runs", status_code=200, opt={"role": "viewer"})
async def examples_with_runs(
    request: Request[Any, Any, Any],
    *,
    dataset_id: FromPath[uuid.UUID],
    data: JSONBody[ExamplesWithRunsQuery],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> list[dict[str, Any]]:
    """A page of examples, each with the given experiments' root runs on it (full run objects)."""
    await own_dataset(postgres, principal.workspace_id, dataset_id)
    if not 1 <= data.limit <= 100:
        raise BadRequest("limit must be between 1 and 100")
    rows = await listing.list_examples(
        postgres, principal.workspace_id, dataset_id=dataset_id, limit=data.limit, offset=data.offset
    )
    if not rows:
        return []
    signer = await signer_of(request.app.state)
    workspace = str(principal.workspace_id)
    by_example = await runs_by_example(
        request,
        clickhouse,
        workspace,
        experiments=data.session_ids,
        examples=[r["id"] for r in rows],
        select=list(DEFAULT_SELECT),
    )
    out = []
    for row in rows:
        example = listing.example_from_row(row, signer, principal.workspace_id, link=partial(link, request))
        out.append({**msgspec.to_builtins(example), "runs": by_example.get(str(row["id"]), [])})
    return out


ROUTES = [
    create_comparative,
    list_comparative,
    read_comparative,
    delete_comparative,
    compare_experiments,
    examples_with_runs,
]
