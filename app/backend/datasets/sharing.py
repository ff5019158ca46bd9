"""Dataset sharing (wire §6): a share token grants read access to one dataset, its examples and
the experiments run against it, without a key. Unsharing clears the token; a new share mints a
new one, so an old link stays dead."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from litestar import Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from app.backend.datasets import listing
from app.backend.datasets import queries as q
from app.backend.datasets.schemas import Dataset, DatasetShare, Example, dataset_from_row
from app.backend.datasets.versions import resolve_as_of
from app.backend.projects.schemas import Project, project_from_row
from app.backend.signer import signer_of
from app.core.auth import Principal
from app.core.errors import NotFound
from app.core.postgres import Postgres
from app.core.user_content import link

PUBLIC = {"exclude_from_auth": True}


def _share(dataset_id: uuid.UUID, token: uuid.UUID) -> DatasetShare:
    return DatasetShare(dataset_id=dataset_id, share_token=token, url=f"/public/{token}/d")


@put("/api/v1/datasets/{dataset_id:uuid}/share")
async def share_dataset(
    dataset_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> DatasetShare:
    params = {"workspace_id": principal.workspace_id, "id": dataset_id, "token": uuid.uuid4()}
    row = await postgres.fetch_one(q.SHARE_DATASET, params)
    if row is None:
        raise NotFound("dataset not found")
    return _share(dataset_id, row["share_token"])


@get("/api/v1/datasets/{dataset_id:uuid}/share")
async def read_dataset_share(
    dataset_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> DatasetShare:
    row = await postgres.fetch_one(q.SELECT_SHARE, {"workspace_id": principal.workspace_id, "id": dataset_id})
    if row is None:
        raise NotFound("dataset not found")
    if row["share_token"] is None:
        raise NotFound("dataset is not shared")
    return _share(dataset_id, row["share_token"])


@delete("/api/v1/datasets/{dataset_id:uuid}/share", status_code=200)
async def unshare_dataset(
    dataset_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, str]:
    if await postgres.fetch_one(q.UNSHARE_DATASET, {"workspace_id": principal.workspace_id, "id": dataset_id}) is None:
        raise NotFound("dataset not found")
    return {"message": "dataset unshared"}


async def _shared(postgres: Postgres, token: uuid.UUID) -> dict[str, Any]:
    row = await postgres.fetch_one(q.SELECT_DATASET_BY_SHARE, {"token": token})
    if row is None:
        raise NotFound("shared dataset not found")
    return row


@get("/api/v1/public/{token:uuid}/datasets", opt=PUBLIC)
async def read_shared_dataset(token: FromPath[uuid.UUID], postgres: NamedDependency[Postgres]) -> Dataset:
    return dataset_from_row(await _shared(postgres, token))


@get("/api/v1/public/{token:uuid}/examples", opt=PUBLIC)
async def list_shared_examples(
    request: Request[Any, Any, Any],
    *,
    token: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    ids: Annotated[list[uuid.UUID] | None, QueryParameter(name="id")] = None,
    as_of: FromQuery[str | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[Example]:
    dataset = await _shared(postgres, token)
    point = await resolve_as_of(postgres, dataset["id"], as_of) if as_of else None
    rows = await listing.list_examples(
        postgres, dataset["workspace_id"], dataset_id=dataset["id"], ids=ids, as_of=point, limit=limit, offset=offset
    )
    signer = await signer_of(request.app.state)
    # Bound to the share: unsharing kills the attachment links it handed out.
    link_of = partial(link, request)
    return [listing.example_from_row(r, signer, dataset["workspace_id"], link=link_of, share_token=token) for r in rows]


@get("/api/v1/public/{token:uuid}/datasets/sessions", opt=PUBLIC)
async def list_shared_experiments(
    token: FromPath[uuid.UUID],
    postgres: NamedDependency[Postgres],
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[Project]:
    dataset = await _shared(postgres, token)
    params = {"workspace_id": dataset["workspace_id"], "dataset_id": dataset["id"], "limit": limit, "offset": offset}
    return [project_from_row(r) for r in await postgres.fetch_all(q.LIST_DATASET_SESSIONS, params)]


ROUTES = [
    share_dataset,
    read_dataset_share,
    unshare_dataset,
    read_shared_dataset,
    list_shared_examples,
    list_shared_experiments,
]
