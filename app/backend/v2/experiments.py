"""POST /api/v2/datasets/{dataset_id}/experiment-runs (the SDK's `client.datasets.experiment_runs`):
a page of the dataset's examples, each with the experiments' runs on it in the v2 run shape;
read by experiments/service, as the v1 examples-with-runs is. Pages are by position (an opaque
offset cursor), as the examples listing pages."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.backend.datasets import listing
from app.backend.datasets.service import own_dataset
from app.backend.experiments.service import runs_by_example
from app.backend.signer import signer_of
from app.backend.v2 import service as v2
from app.backend.v2.schemas import ExperimentRunsQuery
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest
from app.core.postgres import Postgres
from app.core.user_content import link

MAX_PAGE = 100
EXAMPLE_FIELDS = ("id", "dataset_id", "name", "inputs", "outputs", "metadata", "created_at", "modified_at")


@post("/api/v2/datasets/{dataset_id:uuid}/experiment-runs", status_code=200, opt={"role": "viewer"})
async def experiment_runs(
    request: Request[Any, Any, Any],
    *,
    dataset_id: FromPath[uuid.UUID],
    data: JSONBody[ExperimentRunsQuery],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> dict[str, Any]:
    v2.unsupported(comparative_experiment_id=data.comparative_experiment_id, filters=data.filters, sort=data.sort)
    if not data.experiment_ids:
        raise BadRequest("experiment_ids is required (a non-empty list of experiment ids)")
    selects = v2.check_selects(data.selects)
    limit, offset = v2.page_size(data.page_size, MAX_PAGE), v2.decode_offset(data.cursor)
    await own_dataset(postgres, principal.workspace_id, dataset_id)
    # One more than the page: whether there is a next page, without counting.
    rows = await listing.list_examples(
        postgres, principal.workspace_id, dataset_id=dataset_id, ids=data.example_ids, limit=limit + 1, offset=offset
    )
    page = rows[:limit]
    runs = await runs_by_example(
        request,
        clickhouse,
        str(principal.workspace_id),
        experiments=data.experiment_ids,
        examples=[r["id"] for r in page],
        select=v2.v1_select(selects),
    )
    signer = await signer_of(request.app.state)
    items = []
    for row in page:
        example = msgspec.to_builtins(
            listing.example_from_row(row, signer, principal.workspace_id, link=partial(link, request))
        )
        item = {k: example.get(k) for k in EXAMPLE_FIELDS}
        item["source_run_id"] = example.get("source_run_id")
        urls = example.get("attachment_urls") or {}
        origin = v2.origin_of(request)
        item["attachment_urls"] = {name: v2.absolute(url["presigned_url"], origin) for name, url in urls.items()}
        item["runs"] = [v2.v2_run(r, selects, origin) for r in runs.get(str(row["id"]), [])]
        items.append(item)
    return {"items": items, "next_cursor": v2.encode_offset(offset + limit) if len(rows) > limit else None}


ROUTES = [experiment_runs]
