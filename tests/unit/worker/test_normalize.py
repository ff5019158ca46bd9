"""Stage 1's normalisation: tree checks, what it derives (legacy roots, tokens, threads), feedback."""

from __future__ import annotations

import uuid

import pytest

from tests.support.ingest_helpers import child_run, root_run
from worker.normalize import IntegrityError, normalize_feedback, normalize_run


def test_normalize_checks_the_tree() -> None:
    root = root_run()
    child = child_run(root)
    record = normalize_run(dict(child), "post", 0)
    assert record.parent_run_id == root["id"] and record.trace_id == root["id"]
    assert not record.needs_parent
    for bad in (
        dict(child, parent_run_id=str(uuid.uuid4())),
        dict(child, trace_id=str(uuid.uuid4())),
        dict(child, dotted_order=child["dotted_order"][:-5]),
        dict(child, dotted_order=root["dotted_order"]),  # does not end with the child's id
        dict(root, parent_run_id=str(uuid.uuid4())),  # a parent needs a deeper dotted order
        dict(root, start_time="yesterday"),
        dict(root, end_time="2000-01-01T00:00:00Z"),
        dict(root, id="not-a-uuid"),
        {k: v for k, v in root.items() if k != "id"},
    ):
        with pytest.raises(IntegrityError):
            normalize_run(bad, "post", 0)


def test_a_root_without_dotted_order_must_be_its_own_trace() -> None:
    run_id = str(uuid.uuid4())
    with pytest.raises(IntegrityError, match="root run's trace_id"):
        normalize_run({"id": run_id, "trace_id": str(uuid.uuid4())}, "post", 0)


def test_normalize_derives_legacy_roots_tokens_and_threads() -> None:
    run_id = str(uuid.uuid4())
    record = normalize_run(
        {
            "id": run_id,
            "name": "x",
            "start_time": "2026-01-02T03:04:05.678901",
            "extra": {"metadata": {"conversation_id": "c-7", "ls_model_name": "m"}},
            "outputs": {"llm_output": {"token_usage": {"prompt_tokens": 3, "completion_tokens": 4}}},
        },
        "post",
        0,
    )
    assert record.trace_id == run_id
    assert record.dotted_order == "20260102T030405678901Z" + run_id
    assert record.start_time is not None and record.start_time.tzinfo is not None  # naive means UTC
    assert (record.prompt_tokens, record.completion_tokens, record.total_tokens) == (3, 4, 7)
    assert record.thread_id == "c-7" and record.model_name == "m"
    legacy_child = normalize_run({"id": str(uuid.uuid4()), "parent_run_id": run_id, "start_time": 1.7e9}, "post", 0)
    assert legacy_child.needs_parent and legacy_child.dotted_order is None


def test_a_legacy_root_post_without_a_start_time_starts_when_received() -> None:
    run_id = str(uuid.uuid4())
    record = normalize_run({"id": run_id}, "post", 1_767_323_045.0)
    assert record.start_time is not None and record.start_time.timestamp() == 1_767_323_045.0
    assert record.trace_id == run_id and record.dotted_order is not None
    # A patch says nothing about when the run started, so it gets no place of its own.
    patch = normalize_run({"id": run_id}, "patch", 1_767_323_045.0)
    assert patch.start_time is None and patch.dotted_order is None


def test_token_costs_and_usage_from_metadata() -> None:
    usage = {"input_tokens": 10, "output_tokens": 5, "input_cost": 0.25, "output_cost": 0.5}
    record = normalize_run(dict(root_run(), extra={"metadata": {"usage_metadata": usage}}), "post", 0)
    assert (record.prompt_tokens, record.completion_tokens, record.total_tokens) == (10, 5, 15)
    assert (record.prompt_cost, record.completion_cost, record.total_cost) == (0.25, 0.5, 0.75)
    # Nonsense counts are not counts.
    odd = normalize_run(dict(root_run(), outputs={"usage_metadata": {"input_tokens": -1}}), "post", 0)
    assert odd.prompt_tokens is None and odd.total_tokens is None


@pytest.mark.parametrize("key", ["session_id", "thread_id", "conversation_id"])
def test_each_thread_key_names_the_thread(key: str) -> None:
    record = normalize_run(dict(root_run(), extra={"metadata": {key: "t-1", "other": 1}}), "post", 0)
    assert record.thread_id == "t-1"
    assert record.metadata == {key: "t-1", "other": "1"}  # metadata values are text


@pytest.mark.parametrize(
    ("metadata", "thread"),
    [
        # A null or empty key is skipped, not a thread called "null" or "" shared by every such run.
        ({"session_id": None, "conversation_id": "c1"}, "c1"),
        ({"session_id": "", "conversation_id": None, "thread_id": "t1"}, "t1"),
        ({"session_id": None, "conversation_id": None, "thread_id": None}, None),
        ({"session_id": ""}, None),
        # LangSmith's precedence: session_id, then conversation_id, then thread_id.
        ({"thread_id": "t1", "conversation_id": "c1", "session_id": "s1"}, "s1"),
        ({"thread_id": "t1", "conversation_id": "c1"}, "c1"),
        # Other values name the thread by their JSON text, as metadata values are stored.
        ({"session_id": 42}, "42"),
    ],
)
def test_thread_id_takes_the_first_set_key(metadata: dict[str, object], thread: str | None) -> None:
    record = normalize_run(dict(root_run(), extra={"metadata": metadata}), "post", 0)
    assert record.thread_id == thread


def test_heavy_fields_leave_as_json_text() -> None:
    record = normalize_run(dict(root_run(), outputs={"a": [1, 2]}, error={"kind": "x"}), "post", 0)
    assert record.inputs is not None and record.inputs.startswith("{")
    assert record.outputs == '{"a":[1,2]}' and record.error == '{"kind":"x"}'


def test_feedback_normalisation() -> None:
    record = normalize_feedback(
        {"id": str(uuid.uuid4()), "key": "k", "score": True, "value": {"v": 1}, "feedback_source": {"type": "model"}}, 0
    )
    assert record.score == 1.0 and record.value == '{"v":1}' and record.source_type == "model"
    with pytest.raises(IntegrityError):
        normalize_feedback({"id": str(uuid.uuid4()), "key": "k", "score": "high"}, 0)
