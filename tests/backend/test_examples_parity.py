"""Examples and attachments as SDK 0.15 sends them (issue 17): the metadata filters of
list_examples, updates that span datasets, attachment operations on update, and attachments
given as file paths, for examples and for traced runs."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from langsmith import Client, traceable, tracing_context
from langsmith.schemas import Attachment, AttachmentsOperations, ExampleCreate, ExampleUpdate
from langsmith.utils import LangSmithConflictError, LangSmithError

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def sdk(api_url: str, tenant: Tenant) -> Client:
    return Client(api_url=api_url, api_key=tenant.key)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def names(client: Client, dataset_id: uuid.UUID, **kwargs: Any) -> list[str]:
    return sorted(e.inputs["q"] for e in client.list_examples(dataset_id=dataset_id, **kwargs))


def test_list_examples_metadata_filters(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("meta"))
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {"inputs": {"q": "a"}, "metadata": {"foo": "bar", "tenant_id": "t1", "n": 1}},
            {"inputs": {"q": "b"}, "metadata": {"foo": "baz", "tenant_id": "t2", "n": 5}},
            {"inputs": {"q": "c"}, "metadata": {"foo": "bar", "tags": ["x", "y"]}},
        ],
    )
    assert names(client, dataset.id, metadata={"foo": "bar"}) == ["a", "c"]
    assert names(client, dataset.id, metadata={"foo": "bar", "tenant_id": "t1"}) == ["a"]
    assert names(client, dataset.id, metadata={"foo": "nope"}) == []
    # The column quoted (as the SDK's own tests write it) or bare: both are the same filter.
    assert names(client, dataset.id, filter='has("metadata", \'{"foo": "bar"}\')') == ["a", "c"]
    assert names(client, dataset.id, filter='has(metadata, \'{"tags": ["y"]}\')') == ["c"]
    # The list_examples docstring's own example.
    docstring = 'and(not(has(metadata, \'{"foo": "bar"}\')), exists(metadata, "tenant_id"))'
    assert names(client, dataset.id, filter=docstring) == ["b"]
    assert names(client, dataset.id, filter='exists("metadata", "tags")') == ["c"]
    assert names(client, dataset.id, filter='eq(metadata.foo, "baz")') == ["b"]
    assert names(client, dataset.id, filter='neq(metadata.foo, "baz")') == ["a", "c"]
    assert names(client, dataset.id, filter="gte(metadata.n, 1)") == ["a", "b"]
    assert names(client, dataset.id, filter="lt(metadata.n, 5)") == ["a"]

    for bad, named in (
        ('has("tags", \'{"a": 1}\')', "metadata, inputs or outputs"),
        ('has(metadata, "not json")', "JSON object"),
        ('has(metadata, \'{"foo": "bar"}\'', "filter"),
    ):
        got = tenant.client.get("/examples", params={"dataset": str(dataset.id), "filter": bad})
        assert got.status_code == 400, (bad, got.text)
        assert named in got.json()["detail"], (bad, got.json())


def test_updates_across_datasets_are_a_conflict_and_write_nothing(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    first, second = client.create_dataset(unique("one")), client.create_dataset(unique("two"))
    id1, id2 = uuid.uuid4(), uuid.uuid4()
    client.create_examples(dataset_id=first.id, examples=[{"id": id1, "inputs": {"q": "1"}}])
    client.create_examples(dataset_id=second.id, examples=[{"id": id2, "inputs": {"q": "2"}}])
    updates = [ExampleUpdate(id=id1, inputs={"q": "1!"}), ExampleUpdate(id=id2, inputs={"q": "2!"})]

    # 0.15 sends both to PATCH {platform}/datasets/{first}/examples: one dataset per request.
    with pytest.raises(LangSmithConflictError):
        client.update_examples(dataset_id=first.id, updates=updates)
    # The legacy keyword form reads the first example's dataset and sends the same request.
    with pytest.raises(LangSmithConflictError):
        client.update_examples(example_ids=[id1, id2], inputs=[{"q": "1!"}, {"q": "2!"}])
    assert client.read_example(id1).inputs == {"q": "1"}  # all or nothing
    assert client.read_example(id2).inputs == {"q": "2"}

    # Each dataset's own updates go through, in one call per dataset.
    client.update_examples(dataset_id=first.id, updates=[updates[0]])
    client.update_examples(dataset_id=second.id, updates=[updates[1]])
    assert (client.read_example(id1).inputs, client.read_example(id2).inputs) == ({"q": "1!"}, {"q": "2!"})


def test_update_examples_is_scoped_to_the_workspace_and_role(
    api_url: str, stack: NativeStack, tenant: Tenant, other_tenant: Tenant
) -> None:
    from tooling.runner.keys import create_key

    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("own"))
    example_id = uuid.uuid4()
    client.create_examples(dataset_id=dataset.id, examples=[{"id": example_id, "inputs": {"q": "mine"}}])
    update = [ExampleUpdate(id=example_id, inputs={"q": "theirs"})]
    with pytest.raises(LangSmithError) as foreign:
        sdk(api_url, other_tenant).update_examples(dataset_id=dataset.id, updates=update)
    assert "404" in str(foreign.value) or "not found" in str(foreign.value).lower()

    viewer_key, _ = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], tenant.workspace, "viewer", role="viewer"))
    viewer = Client(api_url=api_url, api_key=viewer_key)
    with pytest.raises(LangSmithError) as refused:
        viewer.update_examples(dataset_id=dataset.id, updates=update)
    assert "403" in str(refused.value)
    assert client.read_example(example_id).inputs == {"q": "mine"}


def test_attachment_operations_on_update(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("ops"))
    example_id = uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            ExampleCreate(
                id=example_id,
                inputs={"q": "image"},
                attachments={"image1": ("image/png", b"one"), "image2": ("image/png", b"two")},
            )
        ],
    )

    def attachments() -> dict[str, bytes]:
        found = client.read_example(example_id).attachments or {}
        return {name: info["reader"].read() for name, info in found.items()}

    # An update that does not mention attachments keeps them.
    client.update_example(example_id=example_id, metadata={"k": "v"})
    assert attachments() == {"image1": b"one", "image2": b"two"}

    # Rename one, retain the other.
    client.update_example(
        example_id=example_id,
        attachments_operations=AttachmentsOperations(rename={"image1": "renamed"}, retain=["image2"]),
    )
    assert attachments() == {"renamed": b"one", "image2": b"two"}

    # Operations that name only one: the other is dropped.
    client.update_examples(
        dataset_id=dataset.id,
        updates=[ExampleUpdate(id=example_id, attachments_operations=AttachmentsOperations(retain=["image2"]))],
    )
    assert attachments() == {"image2": b"two"}

    # New files without operations replace the whole set (LangSmith's rule).
    client.update_example(example_id=example_id, dataset_id=dataset.id, attachments={"image3": ("image/png", b"3")})
    assert attachments() == {"image3": b"3"}

    # New files plus operations: the kept ones and the new ones.
    client.update_examples(
        dataset_id=dataset.id,
        updates=[
            ExampleUpdate(
                id=example_id,
                attachments={"image4": ("image/png", b"4")},
                attachments_operations=AttachmentsOperations(rename={"image3": "three"}),
            )
        ],
    )
    assert attachments() == {"three": b"3", "image4": b"4"}

    # Renaming what is not there is a 400 naming it, and nothing changes.
    with pytest.raises(LangSmithError) as missing:
        client.update_example(
            example_id=example_id, attachments_operations=AttachmentsOperations(rename={"ghost": "x"}, retain=[])
        )
    assert "ghost" in str(missing.value)
    assert attachments() == {"three": b"3", "image4": b"4"}


def test_example_attachments_from_file_paths(api_url: str, tenant: Tenant, tmp_path: Path) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("paths"))
    picture = tmp_path / "picture.png"
    picture.write_bytes(PNG)
    example_id = uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            ExampleCreate(
                id=example_id,
                inputs={"q": "file"},
                attachments={"inline": ("text/plain", b"inline"), "file": ("image/png", picture)},
            )
        ],
        dangerously_allow_filesystem=True,
    )
    example = client.read_example(example_id)
    assert example.attachments["file"]["reader"].read() == PNG
    assert example.attachments["file"]["mime_type"] == "image/png"
    assert example.attachments["inline"]["reader"].read() == b"inline"

    client.update_examples(
        dataset_id=dataset.id,
        updates=[
            ExampleUpdate(id=example_id, attachments={"new1": ("image/png", picture), "new2": ("image/png", picture)})
        ],
        dangerously_allow_filesystem=True,
    )
    updated = client.read_example(example_id).attachments
    assert set(updated) == {"new1", "new2"}
    assert updated["new2"]["reader"].read() == PNG


def test_run_attachments_from_file_paths(api_url: str, tenant: Tenant, tmp_path: Path) -> None:
    """A traced Path attachment is a multipart part read from the file ("<mime>; length=<n>", no
    Content-Length): stored and read back like inline bytes."""
    client = sdk(api_url, tenant)
    picture = tmp_path / "picture.png"
    picture.write_bytes(PNG)
    project, plain = unique("file-trace"), unique("plain")

    @traceable(dangerously_allow_filesystem=True)
    def look(foo: Attachment, bar: Attachment) -> str:
        return "seen"

    @traceable
    def nothing() -> str:
        return "x"

    with tracing_context(client=client, project_name=project, enabled=True):
        look(Attachment(mime_type="image/png", data=picture), Attachment(mime_type="image/png", data=picture))
    with tracing_context(client=client, project_name=plain, enabled=True):
        nothing()
    client.flush()

    def runs_of(name: str, **body: object) -> list[dict[str, Any]]:
        if not client.has_project(name):
            return []
        session = str(client.read_project(project_name=name).id)
        got = tenant.client.post("/runs/query", json={"session": [session], **body})
        assert got.status_code == 200, got.text
        runs: list[dict[str, Any]] = got.json()["runs"]
        return runs

    wait_for(lambda: len((runs_of(project) or [{}])[0].get("s3_urls") or {}) == 2, timeout=60, what="the files")
    # Read back through the SDK with s3_urls selected and, as 0.11's default select does, not.
    for select in (None, ["name", "inputs"]):
        run = next(iter(client.list_runs(project_name=project, select=select)))
        assert set(run.attachments) == {"foo", "bar"}, select
        assert run.attachments["foo"]["reader"].read() == PNG
        assert run.attachments["bar"]["reader"].read() == PNG
    # A run without attachments still answers exactly its selected fields.
    plain_runs = wait_for(lambda: runs_of(plain, select=["name"]), timeout=60, what="the plain run")
    assert set(plain_runs[0]) == {"id", "name", "run_type", "start_time", "trace_id", "dotted_order"}
