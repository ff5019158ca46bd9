"""The API's OpenAPI schema for the fuzz and bad-input tests: the three services' schemas built
in-process (the same apps the stack runs) and merged, since nginx serves them as one API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from app.backend.main import create_app as create_backend
from app.core.settings import BackendSettings, PlatformSettings, PlaygroundSettings, load_settings
from app.platform.main import create_app as create_platform
from playground.main import create_app as create_playground
from tests.support.ingest_helpers import root_run, wait_for
from tooling.runner.stack import NativeStack

# Ingest (POST/PATCH /runs, /runs/batch, /runs/multipart) and OTLP intake read raw bodies, so
# their schema gives a fuzzer nothing to build from: test_fuzz_api generates runs for them itself,
# and test_ingest_fuzz / test_ingest_security cover their parsers and hostile values.
INGEST = {
    ("POST", "/api/v1/runs"),
    ("PATCH", "/api/v1/runs/{run_id}"),
    ("POST", "/api/v1/runs/batch"),
    ("POST", "/api/v1/runs/multipart"),
    ("POST", "/api/v1/otel/v1/traces"),
}


def merged_schema(stack: NativeStack) -> dict[str, Any]:
    env = stack.env()
    apps = [
        create_backend(load_settings(BackendSettings, env)),
        create_platform(load_settings(PlatformSettings, env)),
        create_playground(load_settings(PlaygroundSettings, env)),
    ]
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Tracehouse", "version": "test"},
        "paths": {},
        "components": {"schemas": {}},
    }
    for app in apps:
        schema = app.openapi_schema.to_schema()
        merged["paths"].update(schema["paths"])
        components = merged["components"]["schemas"]
        for name, definition in schema.get("components", {}).get("schemas", {}).items():
            # The services share structs (e.g. errors); a same-named, different one would make
            # the fuzzer generate the wrong shape for one of them.
            assert components.setdefault(name, definition) == definition, f"schema name clash: {name}"
    return merged


def json_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path template) of every operation that takes a JSON body, ingest excluded."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content and (method.upper(), path) not in INGEST:
                found.append((method.upper(), path))
    return found


def seed_shared_run(client: httpx.Client) -> tuple[dict[str, Any], str]:
    """A root run of the tenant, ingested and readable, and a public share token for it."""
    run = root_run("fuzz-seed", project=f"fuzz-{uuid.uuid4().hex[:6]}")
    run["extra"] = {"metadata": {"team": "evals"}}
    run["end_time"] = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
    assert client.post("/runs", json=run).status_code == 202
    wait_for(
        lambda: client.get(f"/runs/{run['id']}").status_code == 200, timeout=60, what="the seeded run to be readable"
    )
    share = client.put(f"/runs/{run['id']}/share", json={})
    assert share.status_code == 200, share.text
    return run, share.json()["share_token"]
