"""Reading examples: now or as of any past version, filtered and paged in Postgres."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from app.backend.datasets import queries as q
from app.backend.datasets.filters import compile_example_filter
from app.backend.datasets.schemas import AttachmentUrl, Example
from app.core.postgres import Postgres
from app.core.signing import Purpose, Signer, reference

ATTACHMENT_URL_TTL = 3600
DOWNLOAD_PATH = "/api/v1/public/example-attachments/"


class AttachmentClaims(msgspec.Struct, frozen=True):
    """What an example-attachment link grants: one stored attachment (`xa`) of a workspace. A
    link handed out through a public dataset share carries `s`, a reference to the share token,
    and dies the moment the dataset is unshared."""

    w: str
    xa: str
    s: str | None = None


def source_sql(as_of: dt.datetime | None) -> str:
    return q.CURRENT_SOURCE if as_of is None else q.AS_OF_SOURCE


def _compose(
    workspace_id: uuid.UUID,
    *,
    dataset_id: uuid.UUID | None = None,
    ids: list[uuid.UUID] | None = None,
    as_of: dt.datetime | None = None,
    splits: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    filter_text: str | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """The source and the joined conditions to fill LIST_EXAMPLES or COUNT_EXAMPLES with, and the
    parameters."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "dataset_id": dataset_id, "as_of": as_of}
    conditions = ["TRUE"]
    if dataset_id is not None:
        conditions.append(q.BY_DATASET)
    if ids:
        conditions.append(q.BY_IDS)
        params["ids"] = ids
    if splits:
        conditions.append(q.BY_SPLITS)
        params["splits"] = splits
    if metadata:
        conditions.append(q.BY_METADATA)
        params["metadata"] = Jsonb(metadata)
    if filter_text:
        condition, filter_params = compile_example_filter(filter_text)
        conditions.append(condition)
        params.update(filter_params)
    return {"source": source_sql(as_of), "conditions": " AND ".join(conditions)}, params


async def list_examples(
    postgres: Postgres, workspace_id: uuid.UUID, *, limit: int = 100, offset: int = 0, **filters: Any
) -> list[dict[str, Any]]:
    """Example rows (filters as `_compose`); `as_of` None reads the current state, the fast path."""
    parts, params = _compose(workspace_id, **filters)
    return await postgres.fetch_all(q.LIST_EXAMPLES.format(**parts), {**params, "limit": limit, "offset": offset})


async def count_examples(postgres: Postgres, workspace_id: uuid.UUID, **filters: Any) -> int:
    parts, params = _compose(workspace_id, **filters)
    row = await postgres.fetch_one(q.COUNT_EXAMPLES.format(**parts), params)
    return int(row["n"]) if row else 0


def example_from_row(
    row: dict[str, Any],
    signer: Signer | None,
    workspace_id: uuid.UUID,
    *,
    link: Callable[[str], str] = str,
    share_token: uuid.UUID | None = None,
) -> Example:
    """Storage row → wire object; attachments become signed download links when a signer is given
    (`link` places them on the user-content origin; `share_token` binds them to a public share)."""
    urls = None
    attachments = row.get("attachments") or {}
    if signer is not None:
        bound = {"s": reference(str(share_token))} if share_token is not None else {}

        def url(attachment_id: str) -> str:
            claims = {"w": str(workspace_id), "xa": attachment_id, **bound}
            return link(DOWNLOAD_PATH + signer.sign(Purpose.EXAMPLE_ATTACHMENT, claims, ATTACHMENT_URL_TTL))

        urls = {
            f"attachment.{name}": AttachmentUrl(presigned_url=url(info["id"]), mime_type=info.get("mime_type"))
            for name, info in attachments.items()
        }
    return Example(
        id=row["id"],
        dataset_id=row["dataset_id"],
        inputs=row["inputs"] or {},
        outputs=row["outputs"],
        metadata=row["metadata"] or {},
        source_run_id=row["source_run_id"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        attachment_urls=urls,
    )
