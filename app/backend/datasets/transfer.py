"""Moving datasets in and out: CSV upload (`/datasets/upload`), JSONL export, and the OpenAI
fine-tuning JSONL (`/datasets/{id}/openai_ft`), wire §6."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Stream

from app.backend.datasets import listing, writes
from app.backend.datasets.schemas import Dataset, DatasetCreate, dataset_from_row
from app.backend.datasets.service import dataset_row, insert_dataset, own_dataset
from app.backend.datasets.versions import resolve_as_of
from app.core.auth import Principal
from app.core.clickhouse import ClickHouse
from app.core.errors import BadRequest
from app.core.multipart import MultipartError, boundary_of, parse_multipart
from app.core.postgres import Postgres

EXPORT_PAGE = 500
MAX_CSV_ROWS = 100_000


def _form(parts: list[Any]) -> tuple[dict[str, list[str]], bytes | None, str | None]:
    fields: dict[str, list[str]] = {}
    file_data, file_name = None, None
    for part in parts:
        if part.name == "file":
            file_data = part.data
            file_name = part.name
            continue
        try:
            fields.setdefault(part.name, []).append(part.data.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadRequest(f"form field {part.name!r} is not UTF-8 text") from None
    return fields, file_data, file_name


def _rows(data: bytes, input_keys: list[str], output_keys: list[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the CSV file must be UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [k for k in (*input_keys, *output_keys) if k not in header]
    if missing:
        raise BadRequest(f"CSV has no column {missing[0]!r}; its columns are {', '.join(header) or '(none)'}")
    out = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_CSV_ROWS + 1:
            raise BadRequest(f"CSV has more than {MAX_CSV_ROWS} rows; split it")
        if None in row:
            raise BadRequest(f"CSV line {number} has more fields than the header")
        out.append(({k: row[k] for k in input_keys}, {k: row[k] for k in output_keys}))
    return out


@post("/api/v1/datasets/upload", status_code=200)
async def upload_csv(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    clickhouse: NamedDependency[ClickHouse],
) -> Dataset:
    """A dataset from a CSV: `input_keys` columns become inputs, `output_keys` outputs."""
    try:
        parts = parse_multipart(await request.body(), boundary_of(request.headers.get("content-type", "")))
    except MultipartError as exc:
        raise BadRequest(f"expected a multipart form with a CSV `file`: {exc}") from None
    fields, data, _ = _form(parts)
    if data is None:
        raise BadRequest("the form has no `file` part")
    input_keys, output_keys = fields.get("input_keys", []), fields.get("output_keys", [])
    if not input_keys:
        raise BadRequest("name at least one input_keys column")
    rows = _rows(data, input_keys, output_keys)
    name = (fields.get("name") or [""])[0] or f"csv-upload-{uuid.uuid4().hex[:8]}"
    try:
        spec = DatasetCreate(
            name=name,
            id=uuid.UUID(fields["id"][0]) if fields.get("id") else None,
            description=fields["description"][0] if fields.get("description") else None,
            data_type=(fields.get("data_type") or ["kv"])[0],  # type: ignore[arg-type]  # msgspec.convert checks it next
        )
        spec = msgspec.convert(msgspec.to_builtins(spec), DatasetCreate)
    except (ValueError, msgspec.ValidationError) as exc:
        raise BadRequest(f"invalid dataset fields: {exc}") from None
    dataset = await insert_dataset(postgres, principal.workspace_id, spec)
    drafts = [writes.Draft(id=uuid.uuid4(), inputs=i, outputs=o or None, metadata=None) for i, o in rows]
    if drafts and dataset.example_count == 0:
        await writes.create_examples(postgres, clickhouse, principal.workspace_id, dataset.id, drafts)
    return dataset_from_row(await dataset_row(postgres, principal.workspace_id, dataset.id))


async def _pages(
    postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID, as_of: Any
) -> AsyncIterator[list[dict[str, Any]]]:
    offset = 0
    while True:
        rows = await listing.list_examples(
            postgres, workspace_id, dataset_id=dataset_id, as_of=as_of, limit=EXPORT_PAGE, offset=offset
        )
        if rows:
            yield rows
        if len(rows) < EXPORT_PAGE:
            return
        offset += EXPORT_PAGE


@get("/api/v1/datasets/{dataset_id:uuid}/jsonl")
async def export_jsonl(
    dataset_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    as_of: FromQuery[str | None] = None,
) -> Stream:
    """Every example as one JSON line (id, inputs, outputs, metadata), streamed page by page."""
    dataset = await own_dataset(postgres, principal.workspace_id, dataset_id)
    point = await resolve_as_of(postgres, dataset_id, as_of) if as_of else None

    async def lines() -> AsyncIterator[bytes]:
        async for rows in _pages(postgres, principal.workspace_id, dataset_id, point):
            yield b"".join(
                msgspec.json.encode(
                    {
                        "id": r["id"],
                        "inputs": r["inputs"],
                        "outputs": r["outputs"],
                        "metadata": r["metadata"],
                        "created_at": r["created_at"],
                        "modified_at": r["modified_at"],
                    }
                )
                + b"\n"
                for r in rows
            )

    filename = f"{dataset['name']}.jsonl".replace('"', "")
    return Stream(
        lines(),
        media_type="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _openai_line(inputs: dict[str, Any], outputs: dict[str, Any] | None) -> dict[str, Any]:
    """Chat/LLM examples as OpenAI fine-tuning records: the prompt messages plus the answer."""
    messages = inputs.get("input", inputs.get("messages"))
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, list):
        messages = [{"role": "user", "content": msgspec.json.encode(inputs).decode()}]
    answer = (outputs or {}).get("output", outputs)
    if isinstance(answer, dict) and "content" in answer:
        reply = {"role": answer.get("role") or "assistant", "content": answer["content"]}
    elif isinstance(answer, str):
        reply = {"role": "assistant", "content": answer}
    else:
        reply = {"role": "assistant", "content": msgspec.json.encode(answer).decode() if answer else ""}
    return {"messages": [*messages, reply]}


@get("/api/v1/datasets/{dataset_id:uuid}/openai_ft")
async def export_openai_ft(
    dataset_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    postgres: NamedDependency[Postgres],
    as_of: FromQuery[str | None] = None,
) -> Response[bytes]:
    await own_dataset(postgres, principal.workspace_id, dataset_id)
    point = await resolve_as_of(postgres, dataset_id, as_of) if as_of else None
    out = bytearray()
    async for rows in _pages(postgres, principal.workspace_id, dataset_id, point):
        for r in rows:
            out += msgspec.json.encode(_openai_line(r["inputs"] or {}, r["outputs"])) + b"\n"
    return Response(bytes(out), media_type="application/jsonl")


ROUTES = [upload_csv, export_jsonl, export_openai_ft]
