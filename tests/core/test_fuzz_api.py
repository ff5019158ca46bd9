"""Schemathesis over the whole API, through nginx against the real stack: every operation of the
three services' merged OpenAPI schema, with valid and schema-violating inputs, must never answer
5xx nor put a store's message in a body. Once with a real API key (and the ids of seeded
objects, so the fuzzer gets past 404s), once without a key against the public routes.

Bounded and derandomized: a fixed number of examples per operation and a fixed seed, so CI runs
the same requests every time in a few minutes. Not fuzzed here, each for a reason:

- ingest (POST/PATCH /runs, /runs/batch, /runs/multipart) and OTLP intake (`api_schema.INGEST`)
  read raw bodies, so the schema gives the fuzzer nothing to build from: a test of their own
  generates runs (any field of any type) in a tenant of its own, and their parsers have property
  tests (test_ingest_fuzz);
- DELETE with the seeded ids: deleting the seeds would turn the rest of the run into 404s (the
  DELETE operations still run, with generated ids).
The playground's calls to a model provider may answer 502/504 `provider_*` by design (the
provider is unreachable from the test stack); that is the only 5xx accepted.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import Tenant, make_tenant
from tests.support.api_schema import INGEST, merged_schema, seed_shared_run
from tests.support.ingest_helpers import root_run, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

EXAMPLES_PER_OPERATION = 12
LEAKS = ("DB::Exception", "Stack trace", "Traceback", "psycopg", "SELECT ")
PUBLIC_PATHS = re.compile(
    r"^/api/v1/(public/|info$|auth/login$|setup$|invites/\{token\}/accept$|feedback/tokens/\{token\}$)"
)


@dataclass
class Seeds:
    tenant: Tenant
    path_values: dict[str, str]


@pytest.fixture(scope="module")
def schema(stack: NativeStack) -> Any:
    return schemathesis.openapi.from_dict(merged_schema(stack))


@pytest.fixture(scope="module")
def seeds(stack: NativeStack) -> Seeds:
    """A tenant with one object of each kind the path parameters name."""
    tenant = make_tenant(stack)
    client = tenant.client
    run, share_token = seed_shared_run(client)
    project = client.get("/sessions", params={"name": run["session_name"]}).json()[0]
    dataset = client.post("/datasets", json={"name": f"fuzz-{uuid.uuid4().hex[:8]}"}).json()
    example = client.post("/examples", json={"dataset_id": dataset["id"], "inputs": {"q": "x"}, "outputs": {"a": "y"}})
    assert example.status_code in (200, 201), example.text
    repo = client.post("/repos", json={"repo_handle": f"fuzz-{uuid.uuid4().hex[:8]}", "is_public": False})
    assert repo.status_code in (200, 201), repo.text
    return Seeds(
        tenant=tenant,
        path_values={
            "run_id": run["id"],
            "project_id": project["id"],
            "dataset_id": dataset["id"],
            "example_id": example.json()["id"],
            "token": share_token,
            "owner": "-",
            "repo": repo.json()["repo"]["repo_handle"],
        },
    )


def _strategy(operation: Any, path_values: dict[str, str]) -> st.SearchStrategy[Any]:
    generated = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    known = {k: v for k, v in path_values.items() if "{" + k + "}" in operation.path}
    if known and operation.method.upper() != "DELETE":
        generated.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
        generated.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known))
    return st.one_of(generated)


def _problem(operation: Any, response: Any) -> str | None:
    text = response.text[:300]
    for leak in LEAKS:
        if leak in response.text:
            return f"{response.status_code} body leaks {leak!r}: {text}"
    if response.status_code < 500:
        return None
    if operation.path.startswith("/api/v1/playground") and response.status_code in (502, 504):
        try:
            if str(response.json().get("error", "")).startswith("provider_"):
                return None
        except ValueError:
            pass
    return f"{response.status_code}: {text}"


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address. Logins are throttled per client address, and every
    other test logs in from 127.0.0.1: the fuzzer's hundreds of wrong logins must spend their own
    address's budget (its 429s are fine here), not theirs."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


def fuzz_operation(
    operation: Any,
    base_url: str,
    headers: dict[str, str],
    path_values: dict[str, str],
    statuses: list[int],
    *,
    session: requests.Session,
) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a request
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, path_values))
    def probe(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=60)
        statuses.append(response.status_code)
        problem = _problem(operation, response)
        if problem and len(found) < 2:
            found.append(f"{operation.label}: {problem}\n    {case.as_curl_command()}")

    probe()
    return found


def fuzz(
    schema: Any, base_url: str, headers: dict[str, str], path_values: dict[str, str], select: Any, *, address: str
) -> list[str]:
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in INGEST and select(op.path)]
    assert operations, "no operations selected"
    statuses: list[int] = []
    with session_from(address) as session:
        failures = [
            found
            for op in operations
            for found in fuzz_operation(op, base_url, headers, path_values, statuses, session=session)
        ]
    # The budget went into requests, and some got past validation (not all 4xx).
    assert len(statuses) >= len(operations) * EXAMPLES_PER_OPERATION // 2, (len(statuses), len(operations))
    assert sum(200 <= s < 300 for s in statuses) >= len(operations) // 4, sorted(set(statuses))
    return failures


def test_authenticated_api_never_answers_5xx(stack: NativeStack, schema: Any, seeds: Seeds) -> None:
    failures = fuzz(
        schema,
        stack.url,
        {"x-api-key": seeds.tenant.key},
        seeds.path_values,
        lambda path: path.startswith("/api/"),
        address="127.0.0.20",
    )
    assert not failures, "\n".join(failures)
    # The seeds survived the run, so later operations were not all 404s.
    assert seeds.tenant.client.get(f"/datasets/{seeds.path_values['dataset_id']}").status_code == 200


def test_public_api_never_answers_5xx(stack: NativeStack, schema: Any, seeds: Seeds, anonymous: httpx.Client) -> None:
    public = lambda path: bool(PUBLIC_PATHS.match(path))  # noqa: E731
    failures = fuzz(schema, stack.url, {}, seeds.path_values, public, address="127.0.0.21")
    assert not failures, "\n".join(failures)
    assert anonymous.get(f"/public/{seeds.path_values['token']}/run").status_code == 200


# --- ingest: its operations read raw bodies (no schema to generate from), so runs are generated here

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)
_TIMES = (
    st.sampled_from(
        ["2026-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59Z", "not a time", "", "1e18"]
    )
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
)


@st.composite
def _hostile_run(draw: Any) -> dict[str, Any]:
    """A run the SDK could have sent, with any field replaced by junk of any type."""
    run = root_run(name=draw(st.text(max_size=30)), project=f"fuzz-ingest-{draw(st.integers(0, 3))}")
    for field in draw(st.sets(st.sampled_from([*sorted(run), "end_time", "extra", "outputs", "error", "tags"]))):
        run[field] = draw(_TIMES if field.endswith("_time") else _JSON)
    return run


def test_ingest_api_never_answers_5xx(stack: NativeStack) -> None:
    """POST /runs, /runs/batch and PATCH /runs/{id} with generated runs (any field of any type,
    hostile times, nested junk), in a tenant of their own: never a 5xx, never a store's text, and
    the queue worker still takes a good run afterwards."""
    tenant = make_tenant(stack)
    statuses: list[int] = []
    found: list[str] = []

    @settings(
        max_examples=60,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(runs=st.lists(_hostile_run(), min_size=1, max_size=3), route=st.sampled_from(["single", "batch", "patch"]))
    def probe(runs: list[dict[str, Any]], route: str) -> None:
        if route == "single":
            response = tenant.client.post("/runs", json=runs[0])
        elif route == "batch":
            response = tenant.client.post("/runs/batch", json={"post": runs[:2], "patch": runs[2:]})
        else:
            run_id = runs[0].get("id")
            # Percent-encoded, as any HTTP client must send an id with control characters.
            path_id = quote(run_id, safe="") if isinstance(run_id, str) else uuid.uuid4()
            response = tenant.client.patch(f"/runs/{path_id}", json=runs[0])
        statuses.append(response.status_code)
        leaked = [leak for leak in LEAKS if leak in response.text]
        if (response.status_code >= 500 or leaked) and len(found) < 3:
            found.append(f"{route} {response.status_code} {leaked}: {response.text[:300]}\n    {runs!r:.600}")

    probe()
    assert not found, "\n".join(found)
    assert len(statuses) >= 40 and any(s == 202 for s in statuses) and any(400 <= s < 500 for s in statuses)
    good = root_run("after-the-fuzz", project="fuzz-ingest-good")
    assert tenant.client.post("/runs", json=good).status_code == 202
    wait_for(lambda: tenant.client.get(f"/runs/{good['id']}").status_code == 200, timeout=60, what="the good run")
    tenant.client.close()
