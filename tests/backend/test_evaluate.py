"""`langsmith.evaluate()` end to end against the real stack (wire §6): experiments with
evaluators and summary evaluators over 150 examples, repetitions, test results, re-evaluating an
existing experiment, pairwise (comparative) evaluation, and the comparison endpoint."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langsmith import Client, evaluate
from langsmith.evaluation import evaluate_existing

from tests.conftest import Tenant
from tests.support.ingest_helpers import wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

N_EXAMPLES = 150


def target(inputs: dict[str, Any]) -> dict[str, Any]:
    # Right for even numbers only, so exact-match accuracy is exactly one half.
    n = inputs["n"]
    return {"answer": str(n * 2) if n % 2 == 0 else "wrong"}


def better_target(inputs: dict[str, Any]) -> dict[str, Any]:
    return {"answer": str(inputs["n"] * 2)}


def exact(outputs: dict[str, Any], reference_outputs: dict[str, Any]) -> dict[str, Any]:
    return {"key": "exact", "score": outputs["answer"] == reference_outputs["answer"]}


def length(outputs: dict[str, Any]) -> dict[str, Any]:
    return {"key": "length", "score": len(outputs["answer"])}


def accuracy(outputs: list[dict[str, Any]], reference_outputs: list[dict[str, Any]]) -> dict[str, Any]:
    right = sum(o["answer"] == r["answer"] for o, r in zip(outputs, reference_outputs, strict=True))
    return {"key": "accuracy", "score": right / len(outputs)}


def prefer_correct(runs: list[Any], example: Any) -> dict[str, Any]:
    expected = example.outputs["answer"]
    return {"key": "preferred", "scores": {run.id: int(run.outputs["answer"] == expected) for run in runs}}


@pytest.fixture(scope="module")
def evaluated(stack: NativeStack, api_url: str) -> Iterator[dict[str, Any]]:
    from tests.conftest import make_tenant

    tenant = make_tenant(stack)
    client = Client(api_url=api_url, api_key=tenant.key)
    dataset = client.create_dataset(f"eval-{uuid.uuid4().hex[:8]}")
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {"inputs": {"n": n}, "outputs": {"answer": str(n * 2)}, "split": "odd" if n % 2 else "even"}
            for n in range(N_EXAMPLES)
        ],
    )
    first = evaluate(
        target,
        data=dataset.name,
        evaluators=[exact, length],
        summary_evaluators=[accuracy],
        experiment_prefix="half-right",
        max_concurrency=4,
        client=client,
    )
    second = evaluate(
        better_target, data=dataset.name, evaluators=[exact], experiment_prefix="all-right", client=client
    )
    client.flush()
    yield {"tenant": tenant, "client": client, "dataset": dataset, "first": first, "second": second}
    tenant.client.close()


def _root_runs(client: Client, experiment: str) -> list[Any]:
    return list(client.list_runs(project_name=experiment, is_root=True))


def _arrived(client: Client, experiment: str, count: int, feedback_key: str) -> bool:
    runs = _root_runs(client, experiment)
    if len(runs) < count:
        return False
    return sum(1 for r in runs if feedback_key in (r.feedback_stats or {})) >= count


def test_evaluate_runs_the_whole_dataset(evaluated: dict[str, Any]) -> None:
    client, dataset, first = evaluated["client"], evaluated["dataset"], evaluated["first"]
    rows = list(first)
    assert len(rows) == N_EXAMPLES
    experiment = first.experiment_name
    wait_for(lambda: _arrived(client, experiment, N_EXAMPLES, "length"), timeout=120, what="runs and scores")

    project = client.read_project(project_name=experiment, include_stats=True)
    assert project.reference_dataset_id == dataset.id
    assert project.run_count == N_EXAMPLES
    assert project.feedback_stats["exact"]["avg"] == pytest.approx(0.5)
    # The summary evaluator's score is session-level feedback on the experiment.
    assert project.feedback_stats["accuracy"]["avg"] == pytest.approx(0.5)
    metadata = project.metadata
    assert metadata["dataset_version"] and sorted(metadata["dataset_splits"]) == ["even", "odd"]

    runs = _root_runs(client, experiment)
    examples = {e.id for e in client.list_examples(dataset_id=dataset.id)}
    assert {r.reference_example_id for r in runs} == examples

    results = client.get_test_results(project_name=experiment)
    assert len(results) == N_EXAMPLES
    assert results["feedback.exact"].mean() == pytest.approx(0.5)
    assert set(results["reference.answer"]) == {str(n * 2) for n in range(N_EXAMPLES)}


def test_comparison_endpoint_side_by_side(evaluated: dict[str, Any]) -> None:
    client, dataset, tenant = evaluated["client"], evaluated["dataset"], evaluated["tenant"]
    first, second = evaluated["first"].experiment_name, evaluated["second"].experiment_name
    wait_for(lambda: _arrived(client, first, N_EXAMPLES, "length"), timeout=120, what="first experiment")
    wait_for(lambda: _arrived(client, second, N_EXAMPLES, "exact"), timeout=120, what="second experiment")
    ids = [str(client.read_project(project_name=name).id) for name in (first, second)]

    seen: dict[str, dict[str, Any]] = {}
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = tenant.client.post(
            f"/datasets/{dataset.id}/compare", json={"experiment_ids": ids, "limit": 50, "offset": offset}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total"] == N_EXAMPLES
        for example in body["examples"]:
            seen[example["id"]] = example
        offset = body["next_offset"]
        pages += 1
    assert pages == 3 and len(seen) == N_EXAMPLES

    summaries = {e["id"]: e for e in body["experiments"]}
    assert summaries[ids[0]]["run_count"] == N_EXAMPLES and summaries[ids[0]]["example_count"] == N_EXAMPLES
    assert summaries[ids[0]]["feedback"]["exact"]["avg"] == pytest.approx(0.5)
    assert summaries[ids[0]]["session_feedback"]["accuracy"]["avg"] == pytest.approx(0.5)
    assert summaries[ids[1]]["feedback"]["exact"]["avg"] == pytest.approx(1.0)
    assert summaries[ids[0]]["latency_p50"] is not None and summaries[ids[0]]["error_rate"] == 0

    for example in seen.values():
        n = example["inputs"]["n"]
        left, right = example["runs"][ids[0]], example["runs"][ids[1]]
        assert len(left) == 1 and len(right) == 1
        assert right[0]["outputs"] == {"answer": str(n * 2)}
        assert left[0]["feedback"]["exact"]["avg"] == (1.0 if n % 2 == 0 else 0.0)
        assert right[0]["feedback"]["exact"]["avg"] == 1.0
        assert left[0]["status"] == "success" and left[0]["latency"] is not None

    odd = tenant.client.post(
        f"/datasets/{dataset.id}/compare", json={"experiment_ids": ids, "limit": 200, "splits": ["odd"]}
    ).json()
    assert odd["total"] == N_EXAMPLES // 2 and odd["next_offset"] is None
    assert all(e["inputs"]["n"] % 2 == 1 for e in odd["examples"])

    bad = tenant.client.post(f"/datasets/{dataset.id}/compare", json={"experiment_ids": [str(uuid.uuid4())]})
    assert bad.status_code == 400
    assert tenant.client.post(f"/datasets/{dataset.id}/compare", json={"experiment_ids": []}).status_code == 400


def test_experiment_results_through_the_sdk(evaluated: dict[str, Any]) -> None:
    client, first = evaluated["client"], evaluated["first"].experiment_name
    wait_for(lambda: _arrived(client, first, N_EXAMPLES, "length"), timeout=120, what="runs and scores")
    results = client.get_experiment_results(name=first)
    assert results["run_stats"]["run_count"] == N_EXAMPLES
    rows = list(results["examples_with_runs"])
    assert len(rows) == N_EXAMPLES
    assert all(len(row.runs) == 1 and row.runs[0].reference_example_id == row.id for row in rows)


def test_re_evaluating_an_existing_experiment(evaluated: dict[str, Any]) -> None:
    client, first = evaluated["client"], evaluated["first"].experiment_name
    wait_for(lambda: _arrived(client, first, N_EXAMPLES, "length"), timeout=120, what="runs and scores")

    def shouty(outputs: dict[str, Any]) -> dict[str, Any]:
        return {"key": "shouty", "score": outputs["answer"].isdigit()}

    evaluate_existing(first, evaluators=[shouty], client=client)
    client.flush()
    wait_for(lambda: _arrived(client, first, N_EXAMPLES, "shouty"), timeout=120, what="new scores")
    project = client.read_project(project_name=first, include_stats=True)
    assert project.feedback_stats["shouty"]["avg"] == pytest.approx(
        0.5
    )  # right answers are digits, wrong ones are "wrong"
    assert project.run_count == N_EXAMPLES  # scored in place: no new runs


def test_pairwise_comparative_evaluation(evaluated: dict[str, Any]) -> None:
    client, dataset, tenant = evaluated["client"], evaluated["dataset"], evaluated["tenant"]
    first, second = evaluated["first"].experiment_name, evaluated["second"].experiment_name
    wait_for(lambda: _arrived(client, first, N_EXAMPLES, "length"), timeout=120, what="first experiment")
    wait_for(lambda: _arrived(client, second, N_EXAMPLES, "exact"), timeout=120, what="second experiment")
    results = evaluate((first, second), evaluators=[prefer_correct], client=client, max_concurrency=4)
    client.flush()
    comparative = tenant.client.get("/datasets/comparative", params={"reference_dataset_id": str(dataset.id)}).json()
    assert len(comparative) == 1
    assert {e["name"] for e in comparative[0]["experiments_info"]} == {first, second}
    assert comparative[0]["id"] == str(results.comparative_experiment.id)

    def preferences() -> list[Any]:
        return [
            f
            for f in client.list_feedback(feedback_key=["preferred"])
            if f.comparative_experiment_id == results.comparative_experiment.id
        ]

    wait_for(lambda: len(preferences()) >= 2 * N_EXAMPLES, timeout=120, what="pairwise feedback")
    feedback = preferences()
    groups: dict[Any, list[Any]] = {}
    for f in feedback:
        groups.setdefault(f.feedback_group_id, []).append(f)
    assert len(groups) == N_EXAMPLES and all(len(g) == 2 for g in groups.values())
    second_id = client.read_project(project_name=second).id
    preferred_second = [f for f in feedback if f.score == 1]
    assert len(preferred_second) >= N_EXAMPLES
    assert {f.run_id for f in preferred_second} >= {r.id for r in _root_runs(client, second)}
    assert second_id


def test_repetitions(stack: NativeStack, api_url: str) -> None:
    from tests.conftest import make_tenant

    tenant = make_tenant(stack)
    client = Client(api_url=api_url, api_key=tenant.key)
    dataset = client.create_dataset(f"reps-{uuid.uuid4().hex[:8]}")
    client.create_examples(
        dataset_id=dataset.id, examples=[{"inputs": {"n": n}, "outputs": {"answer": str(2 * n)}} for n in range(10)]
    )
    results = evaluate(target, data=dataset.name, evaluators=[exact], num_repetitions=3, client=client)
    client.flush()
    assert len(list(results)) == 30
    experiment = results.experiment_name
    wait_for(lambda: _arrived(client, experiment, 30, "exact"), timeout=120, what="repeated runs")
    project = client.read_project(project_name=experiment)
    page = tenant.client.post(
        f"/datasets/{dataset.id}/compare", json={"experiment_ids": [str(project.id)], "limit": 10}
    ).json()
    assert all(len(e["runs"][str(project.id)]) == 3 for e in page["examples"])
    assert page["experiments"][0]["run_count"] == 30 and page["experiments"][0]["example_count"] == 10
    tenant.client.close()


def test_experiments_are_tenant_scoped(evaluated: dict[str, Any], other_tenant: Tenant) -> None:
    dataset, client = evaluated["dataset"], evaluated["client"]
    experiment = client.read_project(project_name=evaluated["first"].experiment_name)
    denied = other_tenant.client.post(f"/datasets/{dataset.id}/compare", json={"experiment_ids": [str(experiment.id)]})
    assert denied.status_code == 404
    assert other_tenant.client.get("/datasets/comparative").json() == []
    assert (
        other_tenant.client.post(f"/datasets/{dataset.id}/runs", json={"session_ids": [str(experiment.id)]}).status_code
        == 404
    )
    # Their own dataset cannot be compared against our experiments either.
    theirs = other_tenant.client.post("/datasets", json={"name": f"x-{uuid.uuid4().hex[:6]}"}).json()
    leak = other_tenant.client.post(f"/datasets/{theirs['id']}/compare", json={"experiment_ids": [str(experiment.id)]})
    assert leak.status_code == 400


def test_async_evaluate(stack: NativeStack, api_url: str) -> None:
    from langsmith import aevaluate

    from tests.conftest import make_tenant

    tenant = make_tenant(stack)
    client = Client(api_url=api_url, api_key=tenant.key)
    dataset = client.create_dataset(f"async-{uuid.uuid4().hex[:8]}")
    client.create_examples(
        dataset_id=dataset.id, examples=[{"inputs": {"n": n}, "outputs": {"answer": str(2 * n)}} for n in range(12)]
    )

    async def async_target(inputs: dict[str, Any]) -> dict[str, Any]:
        return better_target(inputs)

    async def run() -> Any:
        return await aevaluate(
            async_target, data=dataset.name, evaluators=[exact], summary_evaluators=[accuracy], client=client
        )

    results = asyncio.run(run())
    client.flush()
    experiment = results.experiment_name
    wait_for(lambda: _arrived(client, experiment, 12, "exact"), timeout=120, what="async experiment")
    project = client.read_project(project_name=experiment, include_stats=True)
    assert project.feedback_stats["exact"]["avg"] == 1.0 and project.feedback_stats["accuracy"]["avg"] == 1.0
    tenant.client.close()
