"""/api/v1/playground/dataset-runs: run a prompt over a dataset as a new experiment, and follow
its progress (the experiment itself compares like any other, POST /datasets/{id}/compare)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from psycopg.types.json import Jsonb

from app.backend.seam import count_examples, insert_project, own_dataset, resolve_as_of
from app.core.auth import Principal
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.postgres import Postgres
from playground.dataset_runs import queries as q
from playground.dataset_runs.runner import LEASE_SECONDS
from playground.dataset_runs.schemas import DatasetRun, DatasetRunCreate
from playground.model_providers.service import load_provider
from playground.prompts import fetch_prompt

BASE = "/api/v1/playground/dataset-runs"


def run_from_row(row: dict[str, Any]) -> DatasetRun:
    return DatasetRun(
        id=row["id"],
        experiment_id=row["experiment_id"],
        experiment_name=row["experiment_name"],
        dataset_id=row["dataset_id"],
        status=row["status"],
        total=row["total"],
        completed=row["completed"],
        errors=row["errors"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@post(BASE, status_code=202)
async def start_dataset_run(
    request: Request[Any, Any, Any],
    data: JSONBody[DatasetRunCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> DatasetRun:
    workspace_id = principal.workspace_id
    dataset = await own_dataset(postgres, workspace_id, data.dataset_id)
    # Fail here, not in the background: the provider, the prompt and the version must resolve.
    config, provider_row = await load_provider(request.app.state, postgres, workspace_id, data.provider)
    hub = await fetch_prompt(postgres, workspace_id, data.prompt) if data.prompt else None
    model = data.model or (hub.model_defaults.get("model") if hub else None) or provider_row["default_model"]
    if not model:
        raise BadRequest("name a model (the provider has no default_model)")
    as_of = await resolve_as_of(postgres, data.dataset_id, data.as_of) if data.as_of else None
    total = await count_examples(postgres, workspace_id, dataset_id=data.dataset_id, as_of=as_of, splits=data.splits)
    if total == 0:
        raise BadRequest("the dataset has no examples (in those splits, at that version)")

    experiment_id, run_id = uuid.uuid4(), uuid.uuid4()
    name = data.experiment_name or f"{dataset['name']}-{model.rsplit('/', 1)[-1]}-{run_id.hex[:6]}"
    metadata = {
        "playground": True,
        "provider": config.name,
        "model": model,
        **({"prompt": data.prompt, "prompt_commit": hub.commit_hash} if hub else {}),
        **({"dataset_version": data.as_of} if data.as_of else {}),
        **({"dataset_splits": data.splits} if data.splits else {}),
    }
    project = await insert_project(
        postgres,
        {
            "id": experiment_id,
            "workspace_id": workspace_id,
            "name": name,
            "description": f"{model} over {dataset['name']} from the playground",
            "extra": Jsonb({"metadata": metadata}),
            "reference_dataset_id": data.dataset_id,
            "start_time": None,
            "end_time": None,
        },
    )
    if project is None:
        raise Conflict(f"a project named {name!r} already exists; choose another experiment_name")
    spec = {k: v for k, v in msgspec.to_builtins(data).items() if v is not None}
    spec["model"] = model
    await postgres.execute(
        q.INSERT,
        {
            "id": run_id,
            "workspace_id": workspace_id,
            "experiment_id": experiment_id,
            "dataset_id": data.dataset_id,
            "spec": Jsonb(spec),
            "total": total,
            "lease": LEASE_SECONDS,
        },
    )
    row = await postgres.fetch_one(q.SELECT, {"workspace_id": workspace_id, "id": run_id})
    request.app.state.task_group.start_soon(request.app.state.dataset_runner.run, row)
    return run_from_row(row)


@get(BASE)
async def list_dataset_runs(
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    dataset_id: FromQuery[uuid.UUID | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[DatasetRun]:
    params = {"workspace_id": principal.workspace_id, "dataset_id": dataset_id, "limit": limit, "offset": offset}
    return [run_from_row(r) for r in await postgres.fetch_all(q.LIST, params)]


@get(BASE + "/{dataset_run_id:uuid}")
async def read_dataset_run(
    dataset_run_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> DatasetRun:
    row = await postgres.fetch_one(q.SELECT, {"workspace_id": principal.workspace_id, "id": dataset_run_id})
    if row is None:
        raise NotFound("dataset run not found")
    return run_from_row(row)


@post(BASE + "/{dataset_run_id:uuid}/cancel", status_code=200)
async def cancel_dataset_run(
    dataset_run_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> DatasetRun:
    """Stops calling models within a few seconds; runs already made stay in the experiment."""
    params = {"workspace_id": principal.workspace_id, "id": dataset_run_id}
    if await postgres.fetch_one(q.CANCEL, params) is None and await postgres.fetch_one(q.SELECT, params) is None:
        raise NotFound("dataset run not found")
    return run_from_row(await postgres.fetch_one(q.SELECT, params))


ROUTES = [start_dataset_run, list_dataset_runs, read_dataset_run, cancel_dataset_run]
