"""/api/v1/examples (the SDK's JSON path) and {platform}/datasets/{id}/examples (its multipart
path, used when /info advertises dataset_examples_multipart_enabled), wire §6."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.backend.datasets import listing, writes
from app.backend.datasets import queries as q
from app.backend.datasets.multipart import changes_from_parts, drafts_from_parts
from app.backend.datasets.schemas import (
    Example,
    ExampleCreate,
    ExampleUpdate,
    HardDelete,
    MetadataPatch,
    UpsertResult,
)
from app.backend.datasets.service import dataset_of_example, own_dataset, read_examples
from app.backend.datasets.versions import resolve_as_of
from app.backend.params import json_object_param
from app.backend.signer import signer_of
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.encoding import decode_body
from app.core.errors import BadRequest, NotFound
from app.core.multipart import MultipartError, Part, boundary_of, parse_multipart
from app.core.postgres import Postgres
from app.core.signing import Purpose, reference
from app.core.user_content import check_host, download_response, link

PLATFORM_EXAMPLES = "/api/v1/platform/datasets/{dataset_id:uuid}/examples"
MAX_IDS = 1000


def _draft(item: ExampleCreate, index: int | None = None) -> writes.Draft:
    return writes.Draft(
        id=item.id or uuid.uuid4(),
        inputs=item.inputs,
        outputs=item.outputs,
        metadata=item.metadata,
        split=item.split,
        created_at=item.created_at,
        source_run_id=item.source_run_id,
        use_source_run_io=item.use_source_run_io,
        use_source_run_attachments=item.use_source_run_attachments,
    )


def _change(item: ExampleUpdate, example_id: uuid.UUID) -> writes.Change:
    ops = item.attachments_operations
    return writes.Change(
        id=example_id,
        inputs=item.inputs,
        outputs=item.outputs,
        metadata=item.metadata,
        split=item.split,
        attachments_operations=msgspec.to_builtins(ops) if ops is not None else None,
    )


def _one_dataset(items: list[ExampleCreate]) -> uuid.UUID:
    datasets = {i.dataset_id for i in items}
    if None in datasets:
        raise BadRequest("every example needs a dataset_id")
    if len(datasets) != 1:
        raise BadRequest("examples of one request must belong to one dataset")
    return next(iter(datasets))  # type: ignore[return-value]  # None is refused above; mypy cannot narrow a set


@post("/api/v1/examples", status_code=200)
async def create_example(
    request: Request[Any, Any, Any],
    data: JSONBody[ExampleCreate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> Example:
    dataset_id = _one_dataset([data])
    draft = _draft(data)
    await writes.create_examples(
        postgres, clickhouse, principal.workspace_id, dataset_id, [draft], queue=request.app.state.default_queue
    )
    return (await read_examples(request, postgres, principal.workspace_id, [draft.id]))[0]


@post("/api/v1/examples/bulk", status_code=200)
async def create_examples_bulk(
    request: Request[Any, Any, Any],
    data: JSONBody[list[ExampleCreate]],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> list[Example]:
    if not data:
        return []
    dataset_id = _one_dataset(data)
    drafts = [_draft(item) for item in data]
    await writes.create_examples(
        postgres, clickhouse, principal.workspace_id, dataset_id, drafts, queue=request.app.state.default_queue
    )
    return await read_examples(request, postgres, principal.workspace_id, [d.id for d in drafts])


@get("/api/v1/examples")
async def list_examples(
    request: Request[Any, Any, Any],
    *,
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    dataset: FromQuery[uuid.UUID | None] = None,
    ids: Annotated[list[uuid.UUID] | None, QueryParameter(name="id")] = None,
    as_of: FromQuery[str | None] = None,
    splits: FromQuery[list[str] | None] = None,
    metadata: FromQuery[str | None] = None,
    filter_: Annotated[str | None, QueryParameter(name="filter")] = None,
    inline_s3_urls: FromQuery[bool] = True,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> list[Example]:
    point = None
    if as_of is not None and dataset is None:
        raise BadRequest("as_of needs a dataset")
    if dataset is not None:
        await own_dataset(postgres, principal.workspace_id, dataset)
        if as_of is not None:
            point = await resolve_as_of(postgres, dataset, as_of)
    rows = await listing.list_examples(
        postgres,
        principal.workspace_id,
        dataset_id=dataset,
        ids=ids,
        as_of=point,
        splits=splits,
        metadata=json_object_param(metadata, "metadata") if metadata else None,
        filter_text=filter_,
        limit=limit,
        offset=offset,
    )
    signer = await signer_of(request.app.state) if inline_s3_urls else None
    return [listing.example_from_row(r, signer, principal.workspace_id, link=partial(link, request)) for r in rows]


@get("/api/v1/examples/{example_id:uuid}")
async def read_example(
    request: Request[Any, Any, Any],
    example_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    as_of: FromQuery[str | None] = None,
) -> Example:
    if as_of is None:
        found = await read_examples(request, postgres, principal.workspace_id, [example_id])
        if not found:
            raise NotFound("example not found")
        return found[0]
    dataset_id = await dataset_of_example(postgres, principal.workspace_id, example_id)
    point = await resolve_as_of(postgres, dataset_id, as_of)
    rows = await listing.list_examples(
        postgres, principal.workspace_id, dataset_id=dataset_id, ids=[example_id], as_of=point, limit=1
    )
    if not rows:
        raise NotFound("example not found at that version")
    signer = await signer_of(request.app.state)
    return listing.example_from_row(rows[0], signer, principal.workspace_id, link=partial(link, request))


@patch("/api/v1/examples/{example_id:uuid}")
async def update_example(
    request: Request[Any, Any, Any],
    example_id: FromPath[uuid.UUID],
    data: JSONBody[ExampleUpdate],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> Example:
    if data.id is not None and data.id != example_id:
        raise BadRequest("the body's id differs from the example id in the path")
    await writes.update_examples(
        postgres, principal.workspace_id, [_change(data, example_id)], dataset_id=data.dataset_id
    )
    return (await read_examples(request, postgres, principal.workspace_id, [example_id]))[0]


@patch("/api/v1/examples/bulk")
async def update_examples_bulk(
    data: JSONBody[list[ExampleUpdate]],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> UpsertResult:
    if any(item.id is None for item in data):
        raise BadRequest("every update needs the example's id")
    changes = [_change(item, item.id) for item in data]  # type: ignore[arg-type]  # every id checked above
    version = await writes.update_examples(postgres, principal.workspace_id, changes) if changes else None
    return UpsertResult(example_ids=[c.id for c in changes], count=len(changes), as_of=version)


@delete("/api/v1/examples/{example_id:uuid}", status_code=200)
async def delete_example(
    example_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, str]:
    await dataset_of_example(postgres, principal.workspace_id, example_id)
    await writes.delete_examples(postgres, principal.workspace_id, [example_id], hard=False)
    return {"message": "example deleted"}


@delete("/api/v1/examples", status_code=200)
async def delete_examples(
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    example_ids: FromQuery[list[uuid.UUID]],
) -> dict[str, Any]:
    if len(example_ids) > MAX_IDS:
        raise BadRequest(f"delete at most {MAX_IDS} examples per request")
    await writes.delete_examples(postgres, principal.workspace_id, example_ids, hard=False)
    return {"message": "examples deleted", "count": len(example_ids)}


@post("/api/v1/platform/datasets/examples/delete", status_code=200)
async def delete_examples_platform(
    data: JSONBody[HardDelete], principal: NamedDependency[Principal], postgres: NamedDependency[Postgres]
) -> dict[str, Any]:
    if len(data.example_ids) > MAX_IDS:
        raise BadRequest(f"delete at most {MAX_IDS} examples per request")
    await writes.delete_examples(postgres, principal.workspace_id, data.example_ids, hard=data.hard_delete)
    return {"message": "examples deleted", "count": len(data.example_ids), "hard_delete": data.hard_delete}


async def _parts(request: Request[Any, Any, Any]) -> list[Part]:
    body = decode_body(await request.body(), request.headers.get("content-encoding"))
    try:
        return parse_multipart(body, boundary_of(request.headers.get("content-type", "")))
    except MultipartError as exc:
        raise BadRequest(f"malformed multipart body: {exc}") from None


@post(PLATFORM_EXAMPLES, status_code=201)
async def upload_examples_multipart(
    request: Request[Any, Any, Any],
    dataset_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> UpsertResult:
    await own_dataset(postgres, principal.workspace_id, dataset_id)  # before reading a large body
    drafts = drafts_from_parts(await _parts(request))
    if not drafts:
        raise BadRequest("the body has no examples")
    version = await writes.create_examples(
        postgres, clickhouse, principal.workspace_id, dataset_id, drafts, queue=request.app.state.default_queue
    )
    return UpsertResult(example_ids=[d.id for d in drafts], count=len(drafts), as_of=version)


@patch(PLATFORM_EXAMPLES)
async def update_examples_multipart(
    request: Request[Any, Any, Any],
    dataset_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> UpsertResult:
    await own_dataset(postgres, principal.workspace_id, dataset_id)  # before reading a large body
    changes = changes_from_parts(await _parts(request))
    if not changes:
        raise BadRequest("the body has no examples")
    version = await writes.update_examples(postgres, principal.workspace_id, changes, dataset_id=dataset_id)
    return UpsertResult(example_ids=[c.id for c in changes], count=len(changes), as_of=version)


@patch(PLATFORM_EXAMPLES + "/metadata")
async def patch_examples_metadata(
    dataset_id: FromPath[uuid.UUID],
    data: JSONBody[MetadataPatch],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
) -> UpsertResult:
    await own_dataset(postgres, principal.workspace_id, dataset_id)
    if len(data.example_ids) > MAX_IDS:
        raise BadRequest(f"update at most {MAX_IDS} examples per request")
    operations = [msgspec.to_builtins(op) for op in data.operations]
    version = await writes.patch_metadata(postgres, principal.workspace_id, dataset_id, data.example_ids, operations)
    return UpsertResult(example_ids=data.example_ids, count=len(data.example_ids), as_of=version)


@get(listing.DOWNLOAD_PATH + "{token:str}", opt={"exclude_from_auth": True})
async def download_example_attachment(
    request: Request[Any, Any, Any], token: FromPath[str], postgres: NamedDependency[Postgres]
) -> Response[bytes]:
    check_host(request)
    signer = await signer_of(request.app.state)
    claims = signer.verify(Purpose.EXAMPLE_ATTACHMENT, token, listing.AttachmentClaims)
    if claims is None:
        raise NotFound("attachment link is invalid or expired")
    row = await postgres.fetch_one(q.SELECT_ATTACHMENT, {"workspace_id": claims.w, "id": claims.xa})
    if row is None:
        raise NotFound("attachment not found")
    if claims.s is not None:
        # Bound to a public dataset share: unsharing (or sharing anew, with a new token) revokes it now.
        shared = await postgres.fetch_one(q.SELECT_SHARE, {"workspace_id": claims.w, "id": row["dataset_id"]})
        if shared is None or shared["share_token"] is None or reference(str(shared["share_token"])) != claims.s:
            raise NotFound("attachment link is invalid or expired")
    return download_response(bytes(row["content"]), row["mime_type"], row["name"])


ROUTES = [
    create_example,
    create_examples_bulk,
    list_examples,
    read_example,
    update_example,
    update_examples_bulk,
    delete_example,
    delete_examples,
    delete_examples_platform,
    upload_examples_multipart,
    update_examples_multipart,
    patch_examples_metadata,
    download_example_attachment,
]
