"""Datasets and examples through the real stack, with the official SDK as the client (wire §6):
CRUD, both example paths (multipart and JSON), versions and tags, splits, attachments, schemas,
CSV upload, exports, sharing, examples from runs, and tenant isolation."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import msgspec
import pytest
from langsmith import Client
from langsmith.schemas import DataType, ExampleCreate, ExampleUpdate
from langsmith.utils import LangSmithConflictError, LangSmithError, LangSmithNotFoundError

from tests.conftest import Tenant
from tests.support.ingest_helpers import json_part, multipart, root_run, wait_for

pytestmark = pytest.mark.stack


def sdk(api_url: str, tenant: Tenant) -> Client:
    return Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_info_advertises_multipart_examples(api_url: str, tenant: Tenant) -> None:
    flags = sdk(api_url, tenant).info.instance_flags or {}
    assert flags.get("dataset_examples_multipart_enabled") is True


def test_dataset_crud(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    name = unique("crud")
    created = client.create_dataset(name, description="qa pairs", data_type=DataType.llm, metadata={"team": "evals"})
    assert created.name == name and created.data_type.value == "llm"
    assert created.metadata["team"] == "evals"
    with pytest.raises(LangSmithConflictError):
        client.create_dataset(name)
    assert client.read_dataset(dataset_name=name).id == created.id
    assert client.read_dataset(dataset_id=created.id).description == "qa pairs"
    assert [d.name for d in client.list_datasets(dataset_name_contains=name[-8:])] == [name]
    assert name in [d.name for d in client.list_datasets(data_type="llm")]
    assert name not in [d.name for d in client.list_datasets(data_type="chat")]
    assert [d.name for d in client.list_datasets(metadata={"team": "evals"}) if d.name == name] == [name]
    assert client.has_dataset(dataset_name=name)

    renamed = tenant.client.patch(f"/datasets/{created.id}", json={"name": name + "-x", "description": None})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == name + "-x" and renamed.json()["description"] is None
    assert renamed.json()["data_type"] == "llm"  # untouched

    client.delete_dataset(dataset_id=created.id)
    with pytest.raises(LangSmithNotFoundError):
        client.read_dataset(dataset_id=created.id)


def test_examples_multipart_path_with_splits_metadata_and_filters(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("ex"))
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {"inputs": {"q": "2+2"}, "outputs": {"a": "4"}, "split": "train", "metadata": {"level": 1}},
            {"inputs": {"q": "3+3"}, "outputs": {"a": "6"}, "split": ["train", "hard"], "metadata": {"level": 3}},
            {"inputs": {"q": "capital of France"}, "outputs": {"a": "Paris"}, "metadata": {"topic": "geo"}},
        ],
    )
    examples = list(client.list_examples(dataset_id=dataset.id))
    assert sorted(e.inputs["q"] for e in examples) == ["2+2", "3+3", "capital of France"]
    assert all(e.dataset_id == dataset.id and e.modified_at for e in examples)
    assert client.read_dataset(dataset_id=dataset.id).example_count == 3

    assert sorted(e.inputs["q"] for e in client.list_examples(dataset_id=dataset.id, splits=["train"])) == [
        "2+2",
        "3+3",
    ]
    assert [e.inputs["q"] for e in client.list_examples(dataset_id=dataset.id, splits=["base"])] == [
        "capital of France"
    ]
    assert sorted(client.list_dataset_splits(dataset_id=dataset.id)) == ["base", "hard", "train"]
    assert [e.inputs["q"] for e in client.list_examples(dataset_id=dataset.id, metadata={"topic": "geo"})] == [
        "capital of France"
    ]
    by_filter = client.list_examples(
        dataset_id=dataset.id, filter='and(gt(metadata.level, 2), exists(metadata, "level"))'
    )
    assert [e.inputs["q"] for e in by_filter] == ["3+3"]
    assert [e.inputs["q"] for e in client.list_examples(dataset_id=dataset.id, filter='search("france")')] == [
        "capital of France"
    ]
    first = examples[0]
    assert [e.id for e in client.list_examples(example_ids=[first.id])] == [first.id]
    assert client.read_example(first.id).inputs == first.inputs

    # Moving examples between splits (0.15's bulk metadata route).
    client.update_dataset_splits(dataset_id=dataset.id, split_name="holdout", example_ids=[first.id])
    client.update_dataset_splits(dataset_id=dataset.id, split_name="train", example_ids=[first.id], remove=True)
    assert "holdout" in client.read_example(first.id).metadata["dataset_split"]
    # ... and the PUT fallback 0.14 uses.
    put = tenant.client.put(
        f"/datasets/{dataset.id}/splits", json={"split_name": "extra", "examples": [str(first.id)], "remove": False}
    )
    assert put.status_code == 200, put.text
    assert "extra" in client.read_example(first.id).metadata["dataset_split"]

    bad = tenant.client.get("/examples", params={"dataset": str(dataset.id), "filter": "gt(metadata.level"})
    assert bad.status_code == 400 and "filter" in bad.json()["detail"]


def test_versions_tags_diff_and_as_of(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("ver"))
    a, b = uuid.uuid4(), uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {"id": a, "inputs": {"x": 1}, "outputs": {"y": 1}},
            {"id": b, "inputs": {"x": 2}, "outputs": {"y": 2}},
        ],
    )
    v1 = max(e.modified_at for e in client.list_examples(dataset_id=dataset.id))
    client.update_example(a, inputs={"x": 10})
    c = client.create_example(inputs={"x": 3}, outputs={"y": 3}, dataset_id=dataset.id).id
    client.delete_example(b)
    v2 = max(e.modified_at for e in client.list_examples(dataset_id=dataset.id))
    assert v2 > v1

    now = {e.id: e.inputs["x"] for e in client.list_examples(dataset_id=dataset.id)}
    assert now == {a: 10, c: 3}
    then = {e.id: e.inputs["x"] for e in client.list_examples(dataset_id=dataset.id, as_of=v1)}
    assert then == {a: 1, b: 2}
    assert client.read_example(a, as_of=v1).inputs == {"x": 1}

    client.update_dataset_tag(dataset_id=dataset.id, as_of=v1, tag="prod")
    assert {e.id for e in client.list_examples(dataset_id=dataset.id, as_of="prod")} == {a, b}
    version = client.read_dataset_version(dataset_id=dataset.id, tag="prod")
    assert version.as_of == v1 and version.tags == ["prod"]
    latest = client.read_dataset_version(dataset_id=dataset.id, tag="latest").as_of
    assert latest > v2  # the delete is a version too, after the last example's modification
    versions = list(client.list_dataset_versions(dataset_id=dataset.id))
    assert versions[0].as_of == latest and len(versions) == 4  # create, update, create, delete
    assert [v.tags for v in client.list_dataset_versions(dataset_id=dataset.id, search="prod")] == [["prod"]]

    diff = client.diff_dataset_versions(dataset_id=dataset.id, from_version="prod", to_version="latest")
    assert diff.examples_added == [c] and diff.examples_removed == [b] and diff.examples_modified == [a]
    # Moving a tag re-points it.
    client.update_dataset_tag(dataset_id=dataset.id, as_of=latest, tag="prod")
    assert {e.id for e in client.list_examples(dataset_id=dataset.id, as_of="prod")} == {a, c}
    unknown = tenant.client.get("/examples", params={"dataset": str(dataset.id), "as_of": "no-such-tag"})
    assert unknown.status_code == 404


def test_update_and_delete_examples(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("upd"))
    ids = [uuid.uuid4() for _ in range(4)]
    client.create_examples(
        dataset_id=dataset.id, examples=[{"id": i, "inputs": {"n": n}, "outputs": {"m": n}} for n, i in enumerate(ids)]
    )
    client.update_examples(
        dataset_id=dataset.id,
        updates=[ExampleUpdate(id=ids[0], outputs={"m": 100}), ExampleUpdate(id=ids[1], metadata={"k": "v"})],
    )
    assert client.read_example(ids[0]).outputs == {"m": 100}
    assert client.read_example(ids[0]).inputs == {"n": 0}  # not sent, not changed
    assert client.read_example(ids[1]).metadata["k"] == "v"
    assert client.read_example(ids[1]).metadata["dataset_split"] == ["base"]

    # The JSON path (what 0.14 without the flag, and other clients, use).
    patched = tenant.client.patch(f"/examples/{ids[2]}", json={"inputs": {"n": 20}, "split": "test"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["inputs"] == {"n": 20} and patched.json()["metadata"]["dataset_split"] == ["test"]
    bulk = tenant.client.patch("/examples/bulk", json=[{"id": str(ids[3]), "outputs": {"m": 30}}])
    assert bulk.status_code == 200 and bulk.json()["count"] == 1

    client.delete_examples([ids[0]])  # soft
    assert ids[0] not in {e.id for e in client.list_examples(dataset_id=dataset.id)}
    with pytest.raises(LangSmithNotFoundError):
        client.read_example(ids[0])
    versions = [v.as_of for v in client.list_dataset_versions(dataset_id=dataset.id)]
    assert ids[0] in {e.id for e in client.list_examples(dataset_id=dataset.id, as_of=versions[1])}

    client.delete_examples([ids[1]], hard_delete=True)
    for version in versions:
        assert ids[1] not in {e.id for e in client.list_examples(dataset_id=dataset.id, as_of=version)}
    gone = tenant.client.delete("/examples", params={"example_ids": [str(ids[2]), str(uuid.uuid4())]})
    assert gone.status_code == 200
    assert [e.id for e in client.list_examples(dataset_id=dataset.id)] == [ids[3]]


def test_json_example_paths_and_idempotent_retries(tenant: Tenant) -> None:
    dataset = tenant.client.post("/datasets", json={"name": unique("json"), "data_type": "kv"}).json()
    one = {"id": str(uuid.uuid4()), "dataset_id": dataset["id"], "inputs": {"a": 1}, "outputs": {"b": 2}}
    for _ in range(2):  # the SDK retries POSTs: the same example twice is one example
        created = tenant.client.post("/examples", json=one)
        assert created.status_code == 200, created.text
        assert created.json()["id"] == one["id"]
    bulk = [{"dataset_id": dataset["id"], "inputs": {"a": n}, "id": str(uuid.uuid4())} for n in range(5)]
    for _ in range(2):
        response = tenant.client.post("/examples/bulk", json=bulk)
        assert response.status_code == 200 and len(response.json()) == 5
    listed = tenant.client.get("/examples", params={"dataset": dataset["id"]}).json()
    assert len(listed) == 6
    versions = tenant.client.get(f"/datasets/{dataset['id']}/versions").json()
    assert len(versions) == 2  # the retries made no new versions

    # Multipart retried: same ids, same result, no duplicates.
    example_id = str(uuid.uuid4())
    body, content_type = multipart(
        [json_part(example_id, {"split": "s"}), json_part(f"{example_id}.inputs", {"q": "x"})]
    )
    for _ in range(2):
        response = tenant.client.post(
            f"/platform/datasets/{dataset['id']}/examples", content=body, headers={"content-type": content_type}
        )
        assert response.status_code == 201, response.text
    assert len(tenant.client.get("/examples", params={"dataset": dataset["id"]}).json()) == 7


def test_malformed_example_input_is_a_clear_400(tenant: Tenant) -> None:
    dataset = tenant.client.post("/datasets", json={"name": unique("bad")}).json()
    path = f"/platform/datasets/{dataset['id']}/examples"
    cases = [
        multipart([("not-a-uuid", "application/json", b"{}")]),
        multipart([json_part(str(uuid.uuid4()), {}), (f"{uuid.uuid4()}.inputs", "application/json", b"{nope")]),
        multipart([(f"{uuid.uuid4()}.mystery", "application/json", b"{}")]),
    ]
    for body, content_type in cases:
        response = tenant.client.post(path, content=body, headers={"content-type": content_type})
        assert response.status_code == 400, response.text
        assert response.json()["detail"]
    assert tenant.client.post(path, content=b"junk", headers={"content-type": "text/plain"}).status_code == 400
    assert tenant.client.post("/examples/bulk", json=[{"inputs": {}}]).status_code == 400  # no dataset_id
    assert tenant.client.post("/examples/bulk", json={"not": "a list"}).status_code == 400
    assert tenant.client.post("/datasets", json={"name": "x", "data_type": "table"}).status_code == 400
    missing = tenant.client.post(f"/platform/datasets/{uuid.uuid4()}/examples", content=cases[0][0])
    assert missing.status_code in (400, 404)
    assert tenant.client.get(f"/datasets/{uuid.uuid4()}").status_code == 404
    # Nothing of the failed requests was written.
    assert tenant.client.get("/examples", params={"dataset": dataset["id"]}).json() == []


def test_schemas_validate_examples_all_or_nothing(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    schema = {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}
    dataset = client.create_dataset(unique("schema"), inputs_schema=schema)
    assert client.read_dataset(dataset_id=dataset.id).inputs_schema == schema
    with pytest.raises(LangSmithError) as raised:
        client.create_examples(
            dataset_id=dataset.id, examples=[{"inputs": {"question": "ok"}}, {"inputs": {"question": 42}}]
        )
    assert "schema" in str(raised.value)
    assert list(client.list_examples(dataset_id=dataset.id)) == []
    client.create_examples(dataset_id=dataset.id, examples=[{"inputs": {"question": "ok"}}])
    example = next(iter(client.list_examples(dataset_id=dataset.id)))
    with pytest.raises(LangSmithError):
        client.update_example(example.id, inputs={"nope": 1})
    assert client.read_example(example.id).inputs == {"question": "ok"}
    invalid = tenant.client.post("/datasets", json={"name": unique("s"), "inputs_schema_definition": {"type": 12}})
    assert invalid.status_code == 400 and "JSON Schema" in invalid.json()["detail"]


def test_attachments_round_trip_and_update(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("att"))
    image = bytes(range(256)) * 40
    example_id = uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            ExampleCreate(
                id=example_id,
                inputs={"q": "what is this"},
                attachments={"picture": ("image/png", image), "notes": ("text/plain", b"hello")},
            )
        ],
    )
    example = client.read_example(example_id)
    assert set(example.attachments) == {"picture", "notes"}
    assert example.attachments["picture"]["reader"].read() == image
    assert example.attachments["picture"]["mime_type"] == "image/png"
    listed = next(iter(client.list_examples(dataset_id=dataset.id)))
    assert listed.attachments["notes"]["reader"].read() == b"hello"
    v1 = example.modified_at

    client.update_examples(
        dataset_id=dataset.id,
        updates=[
            ExampleUpdate(
                id=example_id,
                attachments={"extra": ("text/plain", b"new")},
                attachments_operations={"rename": {"notes": "readme"}, "retain": []},
            )
        ],
    )
    updated = client.read_example(example_id)
    assert set(updated.attachments) == {"readme", "extra"}
    assert updated.attachments["readme"]["reader"].read() == b"hello"
    old = client.read_example(example_id, as_of=v1)
    assert set(old.attachments) == {"picture", "notes"}
    # The links are signed: tampering or guessing gets nothing.
    url = updated.attachments["extra"]["presigned_url"]
    assert httpx.get(f"{api_url}{url.removeprefix('/api/v1')}").content == b"new"
    assert httpx.get(f"{api_url}{url.removeprefix('/api/v1')[:-3]}xyz").status_code == 404


def test_csv_upload_and_exports(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    csv = b'question,context,answer\nWho wrote Hamlet?,plays,Shakespeare\n"2+2, please",math,4\n'
    dataset = client.upload_csv(
        csv_file=("qa.csv", csv),
        input_keys=["question", "context"],
        output_keys=["answer"],
        name=unique("csv"),
        description="from a file",
    )
    assert dataset.example_count == 2
    rows = sorted((e.inputs["question"], e.outputs["answer"]) for e in client.list_examples(dataset_id=dataset.id))
    assert rows == [("2+2, please", "4"), ("Who wrote Hamlet?", "Shakespeare")]

    exported = tenant.client.get(f"/datasets/{dataset.id}/jsonl")
    assert exported.status_code == 200
    lines = [msgspec.json.decode(line) for line in exported.text.splitlines()]
    assert sorted(line["outputs"]["answer"] for line in lines) == ["4", "Shakespeare"]

    chat = client.create_dataset(unique("chat"), data_type=DataType.chat)
    client.create_examples(
        dataset_id=chat.id,
        examples=[
            {
                "inputs": {"input": [{"role": "user", "content": "hi"}]},
                "outputs": {"output": {"role": "assistant", "content": "hello"}},
            }
        ],
    )
    assert client.read_dataset_openai_finetuning(dataset_id=chat.id) == [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    ]
    bad = httpx.post(
        f"{api_url}/datasets/upload",
        headers={"x-api-key": tenant.key},
        files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")},
        data={"input_keys": ["missing"], "name": unique("bad")},
    )
    assert bad.status_code == 400 and "missing" in bad.json()["detail"]


def test_sharing_a_dataset(api_url: str, tenant: Tenant, anonymous: httpx.Client) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(unique("share"))
    client.create_examples(dataset_id=dataset.id, examples=[{"inputs": {"q": "shared"}}])
    share = client.share_dataset(dataset_id=dataset.id)
    token = share["share_token"]
    assert client.read_dataset_shared_schema(dataset_id=dataset.id)["share_token"] == token
    assert anonymous.get(f"/public/{token}/datasets").json()["name"] == dataset.name
    assert [e.inputs for e in client.list_shared_examples(token)] == [{"q": "shared"}]
    assert anonymous.get(f"/public/{token}/datasets/sessions").json() == []
    client.unshare_dataset(dataset_id=dataset.id)
    assert anonymous.get(f"/public/{token}/datasets").status_code == 404
    assert anonymous.get(f"/public/{token}/examples").status_code == 404


def test_examples_from_runs(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    run = root_run("to-example", unique("src"), inputs={"question": "from a run"}, outputs={"answer": "42"})
    screenshot = b"\x89PNG\r\n" + bytes(range(200))
    body, content_type = multipart(
        [json_part(f"post.{run['id']}", run), (f"attachment.{run['id']}.screenshot", "image/png", screenshot)]
    )
    assert (
        tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type}).status_code == 202
    )
    wait_for(lambda: tenant.client.get(f"/runs/{run['id']}").status_code == 200, what="run stored")
    dataset = client.create_dataset(unique("fromrun"))
    # The run's attachment copied into the example, by name.
    with_file = str(uuid.uuid4())
    body, content_type = multipart(
        [
            json_part(
                with_file,
                {"source_run_id": run["id"], "use_source_run_io": True, "use_source_run_attachments": ["screenshot"]},
            )
        ]
    )
    response = tenant.client.post(
        f"/platform/datasets/{dataset.id}/examples", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 201, response.text
    copied_file = client.read_example(with_file)
    assert copied_file.attachments["screenshot"]["reader"].read() == screenshot
    assert copied_file.attachments["screenshot"]["mime_type"] == "image/png"
    client.delete_examples([with_file], hard_delete=True)
    client.create_examples(dataset_id=dataset.id, examples=[{"source_run_id": run["id"], "use_source_run_io": True}])
    example = next(iter(client.list_examples(dataset_id=dataset.id)))
    assert example.inputs == {"question": "from a run"} and example.outputs == {"answer": "42"}
    assert str(example.source_run_id) == run["id"]
    # create_example_from_run copies io client-side.
    stored = client.read_run(run["id"])
    copied = client.create_example_from_run(stored, dataset_id=dataset.id)
    assert copied.inputs == {"question": "from a run"}
    missing = tenant.client.post(
        "/examples",
        json={"dataset_id": str(dataset.id), "source_run_id": str(uuid.uuid4()), "use_source_run_io": True},
    )
    assert missing.status_code == 404


def test_dataset_tenant_isolation(api_url: str, tenant: Tenant, other_tenant: Tenant) -> None:
    mine, theirs = sdk(api_url, tenant), sdk(api_url, other_tenant)
    name = unique("iso")
    dataset = mine.create_dataset(name)
    example_id = uuid.uuid4()
    mine.create_examples(dataset_id=dataset.id, examples=[{"id": example_id, "inputs": {"secret": 1}}])
    assert name not in [d.name for d in theirs.list_datasets()]
    with pytest.raises(LangSmithNotFoundError):
        theirs.read_dataset(dataset_name=name)
    with pytest.raises(LangSmithNotFoundError):
        theirs.read_example(example_id)
    assert list(theirs.list_examples(example_ids=[example_id])) == []
    assert other_tenant.client.get("/examples", params={"dataset": str(dataset.id)}).status_code == 404
    # They can use the same name, and cannot write into, tag, share or delete ours.
    assert theirs.create_dataset(name).id != dataset.id
    claim = other_tenant.client.post(
        "/examples", json={"id": str(example_id), "dataset_id": str(dataset.id), "inputs": {"x": 1}}
    )
    assert claim.status_code == 404
    now = dt.datetime.now(dt.UTC).isoformat()
    assert other_tenant.client.put(f"/datasets/{dataset.id}/tags", json={"as_of": now, "tag": "t"}).status_code == 404
    assert other_tenant.client.put(f"/datasets/{dataset.id}/share").status_code == 404
    assert other_tenant.client.delete(f"/examples/{example_id}").status_code == 404
    other_tenant.client.delete("/examples", params={"example_ids": [str(example_id)]})
    assert other_tenant.client.delete(f"/datasets/{dataset.id}").status_code == 404
    assert mine.read_example(example_id).inputs == {"secret": 1}
