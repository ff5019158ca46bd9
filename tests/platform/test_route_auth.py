"""Every /api route the apps expose requires a key, discovered from the apps' own route tables
so that new routes are covered without touching this test."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from litestar import Litestar

from app.backend.main import create_app as create_backend
from app.core.settings import BackendSettings, PlatformSettings, PlaygroundSettings, load_settings
from app.platform.main import create_app as create_platform
from playground.main import create_app as create_playground
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack

# Public by design: the info object the SDK reads before it has a key, and signed attachment
# downloads (the SDK fetches them with a bare GET; the URL is the credential).
PUBLIC = {
    ("GET", "/api/v1/info"),
    ("GET", "/api/v1/public/attachments/{id}"),
    # Shared runs: the share token in the path is the credential.
    ("GET", "/api/v1/public/{id}/run"),
    ("GET", "/api/v1/public/{id}/run/{id}"),
    ("POST", "/api/v1/public/{id}/runs/query"),
    ("GET", "/api/v2/public/{id}/run/{id}"),
    ("POST", "/api/v2/public/{id}/runs/query"),
    # Shared datasets, likewise; example attachment links are signed like run attachments.
    ("GET", "/api/v1/public/{id}/datasets"),
    ("GET", "/api/v1/public/{id}/examples"),
    ("GET", "/api/v1/public/{id}/datasets/sessions"),
    ("GET", "/api/v1/public/example-attachments/{id}"),
    # Logging in and out: the credentials are the body, or the session cookie being dropped.
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    # First start: whether any account exists yet, and the one-time setup token (the credential)
    # that creates the first admin.
    ("GET", "/api/v1/setup"),
    ("POST", "/api/v1/setup"),
    # Accepting an invitation: the invite token is the credential.
    ("POST", "/api/v1/invites/{id}/accept"),
    # Presigned feedback links: the token is the credential.
    ("GET", "/api/v1/feedback/tokens/{id}"),
    ("POST", "/api/v1/feedback/tokens/{id}"),
}


def api_routes(app: Litestar) -> list[tuple[str, str, bool]]:
    """(method, concrete path, public?) for every HTTP handler under /api."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        # A made-up value each parameter's type accepts (an int one would 404 on a uuid).
        path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method in {"HEAD", "OPTIONS"}:
                    continue
                found.append((method, path, bool(handler.opt.get("exclude_from_auth"))))
    return found


@pytest.fixture(scope="module")
def routes(stack: NativeStack) -> list[tuple[str, str, bool]]:
    env = stack.env()
    apps = [
        create_backend(load_settings(BackendSettings, env)),
        create_platform(load_settings(PlatformSettings, env)),
        create_playground(load_settings(PlaygroundSettings, env)),
    ]
    return [r for app in apps for r in api_routes(app)]


def test_route_discovery_finds_the_apps_routes(routes: list[tuple[str, str, bool]]) -> None:
    paths = {(m, re.sub(r"[0-9a-f-]{36}", "{id}", p)) for m, p, _ in routes}
    assert ("GET", "/api/v1/sessions") in paths
    assert ("DELETE", "/api/v1/api-key/{id}") in paths
    assert ("GET", "/api/v1/info") in paths


def test_only_declared_public_routes_skip_auth(routes: list[tuple[str, str, bool]]) -> None:
    public = {(m, re.sub(r"[0-9a-f-]{36}", "{id}", p)) for m, p, is_public in routes if is_public}
    assert public == PUBLIC


def test_every_private_route_is_401_without_a_key(routes: list[tuple[str, str, bool]], stack: NativeStack) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        for method, path, is_public in routes:
            response = client.request(method, path)
            if is_public:
                # Reachable without a key: a made-up token is simply not found (or the body is missing).
                assert response.status_code in (200, 400, 404), (method, path, response.status_code)
            else:
                assert response.status_code == 401, (method, path, response.status_code, response.text)
                assert response.json()["error"] == "not_authenticated"


def test_routes_outside_api_never_reach_the_public(stack: NativeStack) -> None:
    """What the apps serve outside /api (their health checks and the generated OpenAPI schema)
    is for operators on the service ports: through nginx it is the UI's page, never the app's
    answer; on a service port the schema still needs a key."""
    env = stack.env()
    apps = [
        create_backend(load_settings(BackendSettings, env)),
        create_platform(load_settings(PlatformSettings, env)),
        create_playground(load_settings(PlaygroundSettings, env)),
    ]
    internal = sorted({route.path for app in apps for route in app.routes if not route.path.startswith("/api/")})
    assert "/health" in internal and any(path.startswith("/schema") for path in internal)
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        for path in internal:
            response = client.get(re.sub(r"\{[^}]+\}", "x", path))
            assert response.status_code in (200, 404), (path, response.status_code)
            assert "openapi" not in response.text and '"checks"' not in response.text, path
            assert "# HELP" not in response.text, path  # /metrics: only as /metrics/<service> with the token
    schema = httpx.get(f"http://127.0.0.1:{env['BACKEND_PORT']}/schema/openapi.json", timeout=30)
    assert schema.status_code == 401
