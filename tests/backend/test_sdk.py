"""The official langsmith SDK against Tracehouse: the client is the judge of compatibility."""

from __future__ import annotations

import uuid

import pytest
from langsmith import Client
from langsmith.utils import LangSmithAuthError, LangSmithConflictError, LangSmithNotFoundError

from tests.conftest import Tenant

pytestmark = pytest.mark.stack


def sdk(api_url: str, key: str | None) -> Client:
    # auto_batch_tracing off: these tests make synchronous calls only.
    return Client(api_url=api_url, api_key=key, auto_batch_tracing=False)


def test_sdk_reads_info(api_url: str, tenant: Tenant) -> None:
    info = sdk(api_url, tenant.key).info
    assert info.version
    assert info.batch_ingest_config is not None
    assert info.batch_ingest_config["size_limit"] == 100


def test_sdk_projects_round_trip(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    name = f"sdk-{uuid.uuid4().hex[:8]}"
    created = client.create_project(name, description="from the SDK", metadata={"team": "evals"})
    assert created.name == name
    read = client.read_project(project_name=name)
    assert read.id == created.id
    assert read.description == "from the SDK"
    assert read.extra == {"metadata": {"team": "evals"}}
    assert client.read_project(project_id=created.id).name == name
    assert name in [p.name for p in client.list_projects()]
    assert [p.name for p in client.list_projects(name_contains=name[-8:])] == [name]
    assert client.has_project(name)
    with pytest.raises(LangSmithConflictError):
        client.create_project(name)


def test_sdk_missing_project_is_not_found(api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant.key)
    with pytest.raises(LangSmithNotFoundError):
        client.read_project(project_name="does-not-exist")
    with pytest.raises(LangSmithNotFoundError):
        client.read_project(project_id=uuid.uuid4())


def test_sdk_without_or_with_bad_key_gets_auth_error(api_url: str) -> None:
    for key in (None, "th_aaaaaaaaaa_" + "B" * 40):
        with pytest.raises(LangSmithAuthError):
            list(sdk(api_url, key).list_projects())


def test_sdk_tenant_isolation(api_url: str, tenant: Tenant, other_tenant: Tenant) -> None:
    name = f"iso-{uuid.uuid4().hex[:8]}"
    sdk(api_url, tenant.key).create_project(name)
    assert not sdk(api_url, other_tenant.key).has_project(name)
