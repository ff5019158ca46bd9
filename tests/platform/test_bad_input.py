"""Bad input answers 4xx with `{"error", "detail"}`, never a 5xx, and no answer carries SQL, a
stack trace or an internal id. Each test replays an attack found against the real stack, through
nginx; the error mapping's own guarantee for real 5xx is checked in-process at the end."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from app.core.clickhouse import ClickHouseError
from app.core.errors import EXCEPTION_HANDLERS, StoreUnavailable
from app.core.http import request_id_middleware
from tests.conftest import Tenant
from tests.support.api_schema import json_operations, merged_schema, seed_shared_run
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

# What a leaked store error looks like: ClickHouse quotes the query and its own stack trace,
# Postgres names constraints and columns, Python names its exception.
LEAKS = ("SELECT", "FROM runs", "DB::Exception", "Stack trace", "Traceback", "workspace_id", "psycopg", "constraint")


def assert_client_error(response: httpx.Response, status: int = 400, *, mentions: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert set(body) >= {"error", "detail"}, body
    for leak in LEAKS:
        assert leak.lower() not in response.text.lower(), (leak, response.text[:500])
    if mentions:
        assert mentions in body["detail"], body
    return body


@pytest.fixture(scope="module")
def shared(stack: NativeStack) -> tuple[Tenant, dict[str, Any], str]:
    """A tenant with one ingested run, shared publicly (module-scoped: ingest takes a while)."""
    from tests.conftest import make_tenant

    tenant = make_tenant(stack)
    run, token = seed_shared_run(tenant.client)
    return tenant, run, token


# --- finding 1: a store's error text (SQL, workspace id, stack trace) reached the client ------------


def test_filter_type_mismatch_is_a_400_naming_the_type_not_the_sql(
    shared: tuple[Tenant, dict[str, Any], str], anonymous: httpx.Client
) -> None:
    tenant, run, token = shared
    response = tenant.client.post("/runs/query", json={"filter": "eq(metadata_key, 1)"})
    body = assert_client_error(response, mentions="metadata_key takes a string")
    assert tenant.workspace_id not in json.dumps(body)
    # The same filter without a key, through a public share.
    public = anonymous.post(f"/public/{token}/runs/query", json={"filter": "eq(metadata_key, 1)"})
    assert_client_error(public, mentions="metadata_key takes a string")
    # The share still answers a good filter.
    good = anonymous.post(f"/public/{token}/runs/query", json={"filter": 'eq(metadata_key, "team")'})
    assert good.status_code == 200 and [r["id"] for r in good.json()["runs"]] == [run["id"]]


@pytest.mark.parametrize(
    ("filter_text", "mentions"),
    [
        ("eq(metadata_key, [1, 2])", "metadata_key takes a string, not a list"),
        ('and(eq(metadata_key, "team"), eq(metadata_value, [1]))', "metadata_value takes a string"),
        ("eq(metadata_value, null)", "metadata_value takes a string"),
        ('and(eq(input_key, "q"), eq(input_value, ["a"]))', "input_value takes a string, number or boolean"),
        ("eq(feedback_key, 3)", "feedback_key takes a string"),
        ("eq(latency, true)", "latency takes a number of seconds"),
        ('eq(total_tokens, "many")', "total_tokens takes a number"),
        ("eq(name, [1])", "name takes a string"),
        ("eq(id, 12)", "id takes a UUID"),
        ('eq(is_root, "yes")', "is_root takes true or false"),
        ("in(trace_id, [1.5])", "trace_id takes a UUID"),
        ("eq(total_tokens, " + "9" * 5000 + ")", "too many digits"),
    ],
)
def test_filter_values_of_the_wrong_type_are_400s(tenant: Tenant, filter_text: str, mentions: str) -> None:
    assert_client_error(tenant.client.post("/runs/query", json={"filter": filter_text}), mentions=mentions)


def test_health_is_not_public_and_names_no_exception_text(stack: NativeStack) -> None:
    # /health is for the runner and compose only: nginx routes /api/ to the services and
    # everything else to the UI's files, so the store checks never leave the host.
    response = httpx.get(f"{stack.url}/health", timeout=30)
    assert "checks" not in response.text and "clickhouse" not in response.text.lower()


# --- finding 2: every bad input is a 4xx ------------------------------------------------------------


def test_json_nested_past_the_decoder_limit_is_a_400_on_every_json_endpoint(stack: NativeStack, tenant: Tenant) -> None:
    operations = json_operations(merged_schema(stack))
    assert len(operations) >= 30  # the discovery works (a schema change cannot empty this test)
    deep = b"[" * 5000 + b"]" * 5000
    for method, template in operations:
        path = template.replace("{owner}", "me").replace("{repo}", "r").replace("{tag_name}", "t")
        path = path.replace("{token}", str(uuid.uuid4()))
        path = "/".join(str(uuid.uuid4()) if s.startswith("{") else s for s in path.split("/"))
        # The client's base is /api/v1; the v2 paths are addressed in full.
        url = path.removeprefix("/api/v1") if path.startswith("/api/v1/") else f"{stack.url}{path}"
        response = tenant.client.request(method, url, content=deep, headers={"content-type": "application/json"})
        assert response.status_code < 500, (method, template, response.status_code, response.text[:300])
        assert response.status_code in (400, 422), (method, template, response.status_code, response.text[:300])


def test_json_nested_just_under_the_decoder_limit_is_never_a_5xx(tenant: Tenant) -> None:
    # msgspec decodes ~990 levels; the Postgres and ClickHouse JSON encoders that come after it
    # hit the recursion limit on the way out. Either way the answer is 2xx or 400.
    headers = {"content-type": "application/json"}
    for depth in (400, 900, 990):
        nested = '{"k": ' * depth + '"leaf"' + "}" * depth  # built as text: json.dumps stops at ~990
        name = f"deep-{depth}-{uuid.uuid4().hex[:6]}"
        body = f'{{"name": "{name}", "metadata": {nested}}}'.encode()
        response = tenant.client.post("/datasets", content=body, headers=headers)
        assert response.status_code in (200, 201, 400), (depth, response.status_code, response.text[:300])
        body = f'{{"filter": "eq(name, \'x\')", "select": ["name"], "q": {nested}}}'.encode()
        response = tenant.client.post("/runs/query", content=body, headers=headers)
        assert response.status_code in (200, 400), (depth, response.status_code, response.text[:300])


def test_invalid_utf8_body_is_a_400(tenant: Tenant) -> None:
    for path in ("/runs/query", "/datasets", "/sessions", "/examples", "/feedback"):
        response = tenant.client.post(
            path, content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"}
        )
        assert_client_error(response)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/runs/query", {"limit": 2**70}),
        ("POST", "/runs/query", {"limit": -(2**65)}),
        ("GET", f"/sessions?offset={2**63}", None),
        ("GET", f"/sessions?limit=10&offset={2**200}", None),
        ("GET", f"/feedback?offset={2**100}", None),  # ClickHouse: OFFSET past UInt64
        ("GET", f"/feedback?offset={2**63}", None),
        ("GET", f"/datasets?offset={2**64}", None),
        ("GET", f"/examples?offset={2**64}", None),
        (
            "POST",
            "/feedback/tokens",
            {"run_id": str(uuid.uuid4()), "feedback_key": "k", "expires_in": {"minutes": 2**62}},
        ),
        ("POST", "/feedback/tokens", {"run_id": str(uuid.uuid4()), "feedback_key": "k", "expires_in": {"days": 2**70}}),
    ],
)
def test_integers_out_of_range_are_400s(tenant: Tenant, method: str, path: str, body: Any) -> None:
    response = tenant.client.request(method, path, json=body) if body is not None else tenant.client.get(path)
    assert_client_error(response)


def test_filters_nested_600_deep_are_400s_naming_the_limit(tenant: Tenant) -> None:
    nested_calls = "and(" * 600 + 'eq(name, "a")' + ")" * 600
    assert_client_error(tenant.client.post("/runs/query", json={"filter": nested_calls}), mentions="deeper than 32")
    nested_nots = "not(" * 600 + 'eq(name, "a")' + ")" * 600
    assert_client_error(
        tenant.client.post("/runs/query", json={"trace_filter": nested_nots}), mentions="deeper than 32"
    )
    nested_lists = "in(name, " + "[" * 600 + "]" * 600 + ")"
    assert_client_error(
        tenant.client.post("/runs/query", json={"filter": nested_lists}), mentions="may not contain lists"
    )


def _cursor(start: str) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([start, str(uuid.uuid4())])).decode()


def test_timestamps_outside_clickhouse_range_are_400s(tenant: Tenant) -> None:
    year_one = "0001-01-01T00:00:00+05:00"  # in year 0 once moved to UTC
    for body in (
        {"filter": "eq(start_time, 1e18)"},
        {"filter": "gt(start_time, 1e300)"},
        {"filter": f'gt(start_time, "{year_one}")'},
        {"filter": 'lt(end_time, "1800-01-01")'},
        {"filter": f'in(start_time, ["{year_one}"])'},
        {"start_time": year_one},
        {"end_time": "9999-12-31T23:59:59-05:00"},
        {"start_time": "1850-01-01T00:00:00Z"},
        {"cursor": _cursor(year_one)},
        {"cursor": _cursor("0001-01-01T00:00:00")},
    ):
        body_out = assert_client_error(tenant.client.post("/runs/query", json=body))
        assert "1900-01-01" in body_out["detail"] or "timestamp" in body_out["detail"], (body, body_out)
    assert_client_error(tenant.client.post("/runs/stats", json={"start_time": year_one}))
    # Inside the range a filter on time still works.
    ok = tenant.client.post("/runs/query", json={"filter": 'gt(start_time, "1900-01-01T00:00:00Z")'})
    assert ok.status_code == 200, ok.text


def test_dataset_and_example_timestamps_out_of_range_are_400s(tenant: Tenant) -> None:
    dataset = tenant.client.post("/datasets", json={"name": f"as-of-{uuid.uuid4().hex[:8]}"}).json()
    year_one = "0001-01-01T00:00:00+05:00"
    for path in (
        f"/examples?dataset={dataset['id']}&as_of={year_one}",
        f"/datasets/{dataset['id']}/version?as_of={year_one}",
        f"/datasets/{dataset['id']}/splits?as_of={year_one}",
        f"/datasets/{dataset['id']}/jsonl?as_of={year_one}",
    ):
        response = tenant.client.get(path.replace("+", "%2B"))
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
        assert_client_error(response, response.status_code if response.status_code in (400, 404) else 400)
    tag = tenant.client.put(f"/datasets/{dataset['id']}/tags", json={"as_of": year_one, "tag": "t"})
    assert tag.status_code < 500, tag.text


def test_unpaired_surrogates_are_400s_not_500s(tenant: Tenant) -> None:
    # JSON escapes are the only way to send one: a filter's string literal decodes its own.
    for filter_text in ('eq(name, "\\ud800")', "eq(name, '\\udfff')", 'search("a\\ud83d")'):
        response = tenant.client.post("/runs/query", json={"filter": filter_text})
        assert_client_error(response, mentions="surrogate")
    # A surrogate pair is an ordinary character.
    assert tenant.client.post("/runs/query", json={"filter": 'eq(name, "\\ud83d\\ude00")'}).status_code == 200
    # In a JSON body msgspec refuses them; in query and path parameters they arrive
    # percent-encoded (as the UTF-8 bytes of a surrogate, which no decoder accepts).
    body = b'{"name": "a\\ud800b"}'
    assert_client_error(tenant.client.post("/datasets", content=body, headers={"content-type": "application/json"}))
    for path in ("/sessions?name=%ED%A0%80", "/datasets?name=%ED%A0%80", "/repos/%ED%A0%80/x", "/commits/me/%ED%A0%80"):
        response = tenant.client.get(path)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])


def test_nul_in_text_for_postgres_is_a_400(tenant: Tenant) -> None:
    create = tenant.client.post("/datasets", json={"name": "a\x00b"})
    assert_client_error(create, mentions="NUL")
    assert_client_error(tenant.client.get("/datasets", params={"name": "a\x00b"}), mentions="NUL")
    assert_client_error(tenant.client.post("/sessions", json={"name": "p\x00"}), mentions="NUL")
    dataset = tenant.client.post("/datasets", json={"name": f"nul-{uuid.uuid4().hex[:8]}"}).json()
    example = tenant.client.post("/examples", json={"dataset_id": dataset["id"], "inputs": {"q": "a\x00b"}})
    assert_client_error(example, mentions="NUL")


def test_run_share_tokens_are_minted_by_the_server(
    shared: tuple[Tenant, dict[str, Any], str], tenant: Tenant, anonymous: httpx.Client
) -> None:
    _owner, run, existing = shared
    other_run = seed_shared_run(tenant.client)[0]
    tenant.client.delete(f"/runs/{other_run['id']}/share")
    # Another tenant proposes the token already in use: that clashed on the unique key (a 500)
    # and so told the caller the token exists. Proposals are ignored now.
    clash = tenant.client.put(
        f"/runs/{other_run['id']}/share", json={"run_id": other_run["id"], "share_token": existing}
    )
    assert clash.status_code == 200, clash.text
    minted = clash.json()["share_token"]
    assert minted != existing
    assert anonymous.get(f"/public/{existing}/run").json()["id"] == run["id"]
    assert anonymous.get(f"/public/{minted}/run").json()["id"] == other_run["id"]
    # A fresh proposal is not honoured either: the token is a capability, so the server picks it.
    tenant.client.delete(f"/runs/{other_run['id']}/share")
    chosen = str(uuid.uuid4())
    again = tenant.client.put(f"/runs/{other_run['id']}/share", json={"share_token": chosen})
    assert again.status_code == 200 and again.json()["share_token"] not in (chosen, minted)
    assert anonymous.get(f"/public/{chosen}/run").status_code == 404


def test_langsmith_sdk_share_run_works_with_a_server_token(
    shared: tuple[Tenant, dict[str, Any], str], stack: NativeStack
) -> None:
    from langsmith import Client

    tenant, run, token = shared
    client = Client(api_url=f"{stack.url}/api/v1", api_key=tenant.key)
    url = client.share_run(run["id"], share_id=str(uuid.uuid4()))  # the SDK's own proposal is ignored
    assert url.rstrip("/").split("/")[-2] == token


# --- the error mapping itself: what a real 5xx looks like ---------------------------------------------


def test_5xx_bodies_carry_the_request_id_only() -> None:
    sql_error = (
        "clickhouse error 386: DB::Exception: ... SELECT id FROM runs FINAL WHERE workspace_id = 'w-1'. Stack trace:"
    )

    @get("/ch", sync_to_thread=False)
    def clickhouse_fails() -> None:
        raise ClickHouseError(sql_error)

    @get("/down", sync_to_thread=False)
    def store_down() -> None:
        raise StoreUnavailable("postgres unavailable: connection to 10.0.0.5 port 5432 failed for user app")

    @get("/bug", sync_to_thread=False)
    def bug() -> None:
        raise KeyError("secret-internal-id")

    app = Litestar(
        [clickhouse_fails, store_down, bug],
        middleware=[request_id_middleware],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    with TestClient(app) as client:
        for path, status, leak in (("/ch", 500, "SELECT"), ("/down", 503, "10.0.0.5"), ("/bug", 500, "secret")):
            response = client.get(path, headers={"x-request-id": "rid-123"})
            assert response.status_code == status
            body = response.json()
            assert set(body) == {"error", "detail"} and leak not in response.text, body
            assert "rid-123" in body["detail"], body
        assert client.get("/down").json()["detail"].startswith("postgres is unavailable")
