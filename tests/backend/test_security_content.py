"""User content can never run as the app, and every answer carries the security headers.

Issue 14: an HTML or SVG attachment, uploaded through the real multipart ingest and opened from
its self-authenticating link by a logged-in admin, ran script on the app's origin. These tests
upload such files through nginx, fetch their links through nginx, and check each defence in
app/core/user_content.py (download disposition, nosniff, sandboxing CSP, normalised type), the
purpose-typed link tokens, share-bound links, USER_CONTENT_ORIGIN, and nginx's own headers and
errors. The browser-level reproduction of the attack is tests/ui/test_security_browser.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langsmith import Client
from langsmith.schemas import ExampleCreate

from tests.conftest import Tenant
from tests.support.ingest_helpers import json_part, multipart, root_run, wait_for
from tooling.runner import ui
from tooling.runner.stack import REPO_ROOT, NativeStack
from tooling.runner.stores import free_port

pytestmark = pytest.mark.stack

HTML = b"<!doctype html><title>x</title><script>document.title='pwned'</script><p>hello"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9" height="9"/></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
SANDBOX = "sandbox"


# --- helpers -------------------------------------------------------------------------------------


def post_run(tenant: Tenant, files: list[tuple[str, str, bytes]], project: str | None = None) -> dict[str, Any]:
    """A run with attachments through the SDK's multipart ingest (POST /runs/multipart, via nginx),
    once the worker has stored it and all its attachments."""
    run = root_run("with-files", project or f"sec-{uuid.uuid4().hex[:8]}")
    parts = [json_part(f"post.{run['id']}", run)]
    parts += [(f"attachment.{run['id']}.{name}", content_type, data) for name, content_type, data in files]
    body, content_type = multipart(parts)
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 202, response.text

    def stored() -> dict[str, Any] | None:
        got = tenant.client.get(f"/runs/{run['id']}")
        if got.status_code != 200 or len(got.json()["s3_urls"]) < len(files):
            return None
        return got.json()

    return wait_for(stored, timeout=60, what="run and attachments stored")


def fetch(stack: NativeStack, url: str, **kwargs: Any) -> httpx.Response:
    """A bare GET of a link, as the SDK and a browser do: no key, no cookie, through nginx."""
    return httpx.get(url if url.startswith("http") else stack.url + url, timeout=30, **kwargs)


def header(response: httpx.Response, name: str) -> str:
    values = response.headers.get_list(name)
    assert len(values) == 1, f"{name}: {values}"  # sent once: nginx and the app do not both add it
    return values[0]


def assert_not_rendered(response: httpx.Response, filename: str) -> None:
    """The defences on a download a browser must never render as a document of our origin."""
    assert response.status_code == 200, response.text
    assert header(response, "content-disposition").startswith("attachment;")
    assert f'filename="{filename}"' in response.headers["content-disposition"]
    assert header(response, "x-content-type-options") == "nosniff"
    csp = header(response, "content-security-policy")
    assert SANDBOX in csp and "default-src 'none'" in csp


def sdk(api_url: str, tenant: Tenant) -> Client:
    return Client(api_url=api_url, api_key=tenant.key, auto_batch_tracing=False)


# --- finding 1: attachments are served so they cannot run ----------------------------------------


def test_html_and_svg_run_attachments_download_instead_of_rendering(stack: NativeStack, tenant: Tenant) -> None:
    run = post_run(
        tenant,
        [
            ("page.html", "text/html; charset=utf-8", HTML),
            ("drawing.svg", "image/svg+xml", SVG),
            ("photo.png", 'IMAGE/PNG; name="x.html"', PNG),
            ("odd.bin", "text/html, image/png", b"two types at once"),
        ],
    )
    urls = {k.removeprefix("attachment."): v["presigned_url"] for k, v in run["s3_urls"].items()}

    page = fetch(stack, urls["page.html"])
    assert_not_rendered(page, "page.html")
    assert page.headers["content-type"].split(";")[0] == "text/html"
    assert page.content == HTML  # the bytes are intact; only how a browser treats them changed

    drawing = fetch(stack, urls["drawing.svg"])
    assert_not_rendered(drawing, "drawing.svg")
    assert drawing.headers["content-type"] == "image/svg+xml"  # an <img> of it still renders (no script there)

    # An inert image stays viewable in a tab, still sandboxed and nosniff; the uploader's
    # parameters are gone from the type.
    photo = fetch(stack, urls["photo.png"])
    assert photo.status_code == 200 and photo.content == PNG
    assert header(photo, "content-type") == "image/png"
    assert header(photo, "content-disposition").startswith("inline;")
    assert header(photo, "x-content-type-options") == "nosniff"
    assert SANDBOX in header(photo, "content-security-policy")

    # A type that is not one plain media type is served as opaque bytes.
    odd = fetch(stack, urls["odd.bin"])
    assert_not_rendered(odd, "odd.bin")
    assert odd.headers["content-type"] == "application/octet-stream"


def test_the_run_listing_links_are_served_the_same_way(stack: NativeStack, tenant: Tenant) -> None:
    run = post_run(tenant, [("page.html", "text/html", HTML)])
    listed = tenant.client.post("/runs/query", json={"id": [run["id"]], "select": ["s3_urls"]})
    assert listed.status_code == 200, listed.text
    assert_not_rendered(
        fetch(stack, listed.json()["runs"][0]["s3_urls"]["attachment.page.html"]["presigned_url"]), "page.html"
    )


def test_example_attachments_download_instead_of_rendering(stack: NativeStack, api_url: str, tenant: Tenant) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(f"sec-{uuid.uuid4().hex[:8]}")
    example_id = uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            ExampleCreate(
                id=example_id,
                inputs={"q": "files"},
                attachments={
                    "page": ("text/html", HTML),
                    "drawing": ("image/svg+xml", SVG),
                    "photo": ("image/png", PNG),
                },
            )
        ],
    )
    urls = tenant.client.get(f"/examples/{example_id}").json()["attachment_urls"]
    page = fetch(stack, urls["attachment.page"]["presigned_url"])
    assert_not_rendered(page, "page")
    assert page.content == HTML
    assert_not_rendered(fetch(stack, urls["attachment.drawing"]["presigned_url"]), "drawing")
    photo = fetch(stack, urls["attachment.photo"]["presigned_url"])
    assert photo.content == PNG and header(photo, "content-disposition").startswith("inline;")
    assert SANDBOX in header(photo, "content-security-policy")
    # The SDK still reads every file back (it ignores how a browser would show them).
    assert client.read_example(example_id).attachments["page"]["reader"].read() == HTML


def test_a_filename_cannot_break_out_of_the_disposition_header(stack: NativeStack, tenant: Tenant) -> None:
    name = "résumé <b>;x=1.svg"
    run = post_run(tenant, [(name, "image/svg+xml", SVG)])
    got = fetch(stack, run["s3_urls"][f"attachment.{name}"]["presigned_url"])
    # One quoted ASCII name any client parses, and the exact name percent-encoded (RFC 6266).
    assert header(got, "content-disposition") == (
        "attachment; filename=\"r_sum_ _b_x_1.svg\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%3Cb%3E%3Bx%3D1.svg"
    )


# --- finding 2: a link of one kind is worthless at the other route -------------------------------


def test_a_link_of_one_kind_is_404_at_the_other_route(stack: NativeStack, api_url: str, tenant: Tenant) -> None:
    run = post_run(tenant, [("photo.png", "image/png", PNG)])
    run_link = run["s3_urls"]["attachment.photo.png"]["presigned_url"]
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(f"sec-{uuid.uuid4().hex[:8]}")
    example_id = uuid.uuid4()
    client.create_examples(
        dataset_id=dataset.id,
        examples=[ExampleCreate(id=example_id, inputs={"q": 1}, attachments={"photo": ("image/png", PNG)})],
    )
    example_link = tenant.client.get(f"/examples/{example_id}").json()["attachment_urls"]["attachment.photo"][
        "presigned_url"
    ]
    run_route, run_token = run_link.rsplit("/", 1)
    example_route, example_token = example_link.rsplit("/", 1)
    assert fetch(stack, run_link).status_code == 200 and fetch(stack, example_link).status_code == 200

    for swapped in (f"{run_route}/{example_token}", f"{example_route}/{run_token}"):
        response = fetch(stack, swapped)
        assert response.status_code == 404, (swapped, response.text)  # it was a 500 at the run route
        assert response.json()["error"] == "not_found"
    # Anything else that is not a link of the route's own kind is the same 404.
    for bad in ("x", "a.b", "..", run_token[:-2] + "AA", run_token.split(".")[0] + "." + example_token.split(".")[1]):
        for route in (run_route, example_route):
            response = fetch(stack, f"{route}/{bad}")
            assert response.status_code == 404 and response.json()["error"] == "not_found", (route, bad)


# --- finding 4: unsharing revokes the links a share handed out -----------------------------------


def test_unsharing_a_run_kills_its_attachment_links_at_once(
    stack: NativeStack, tenant: Tenant, anonymous: httpx.Client
) -> None:
    run = post_run(tenant, [("photo.png", "image/png", PNG)])
    token = tenant.client.put(f"/runs/{run['id']}/share", json={}).json()["share_token"]
    shared = anonymous.get(f"/public/{token}/run")
    assert shared.status_code == 200, shared.text
    shared_link = shared.json()["s3_urls"]["attachment.photo.png"]["presigned_url"]
    trace_link = anonymous.get(f"/public/{token}/run/{run['id']}").json()["s3_urls"]["attachment.photo.png"][
        "presigned_url"
    ]
    own_link = run["s3_urls"]["attachment.photo.png"]["presigned_url"]  # from the workspace's own API
    for link in (shared_link, trace_link, own_link):
        assert fetch(stack, link).content == PNG

    assert tenant.client.delete(f"/runs/{run['id']}/share").status_code == 200
    for link in (shared_link, trace_link):
        dead = fetch(stack, link)
        assert dead.status_code == 404 and dead.json()["error"] == "not_found"
    assert fetch(stack, own_link).content == PNG  # links not handed out by the share are unaffected

    # Sharing again mints a new token: the old share's links stay dead.
    again = tenant.client.put(f"/runs/{run['id']}/share", json={}).json()["share_token"]
    assert again != token
    assert fetch(stack, shared_link).status_code == 404
    fresh = anonymous.get(f"/public/{again}/run").json()["s3_urls"]["attachment.photo.png"]["presigned_url"]
    assert fetch(stack, fresh).content == PNG


def test_unsharing_a_dataset_kills_its_attachment_links_at_once(
    stack: NativeStack, api_url: str, tenant: Tenant, anonymous: httpx.Client
) -> None:
    client = sdk(api_url, tenant)
    dataset = client.create_dataset(f"sec-{uuid.uuid4().hex[:8]}")
    client.create_examples(
        dataset_id=dataset.id,
        examples=[ExampleCreate(inputs={"q": 1}, attachments={"photo": ("image/png", PNG)})],
    )
    token = tenant.client.put(f"/datasets/{dataset.id}/share").json()["share_token"]
    examples = anonymous.get(f"/public/{token}/examples")
    assert examples.status_code == 200, examples.text
    link = examples.json()[0]["attachment_urls"]["attachment.photo"]["presigned_url"]
    assert fetch(stack, link).content == PNG
    assert tenant.client.delete(f"/datasets/{dataset.id}/share").status_code == 200
    dead = fetch(stack, link)
    assert dead.status_code == 404 and dead.json()["error"] == "not_found"


# --- finding 3: security headers on the UI, its assets, the API and nginx's own errors ----------


def assert_security_headers(response: httpx.Response) -> str:
    """The headers every answer carries; returns its CSP."""
    assert header(response, "x-content-type-options") == "nosniff"
    assert header(response, "x-frame-options") == "DENY"
    assert header(response, "referrer-policy") == "strict-origin-when-cross-origin"
    assert header(response, "server") == "nginx"  # no version banner
    assert header(response, "x-request-id")
    csp = header(response, "content-security-policy")
    assert "frame-ancestors 'none'" in csp
    return csp


def test_ui_assets_and_api_carry_the_security_headers(stack: NativeStack, tenant: Tenant) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        for path in ("/", "/login", "/o/3f1c2d4e-0000-4000-8000-000000000001/projects"):
            page = client.get(path)
            assert page.status_code == 200 and '<div id="root">' in page.text
            csp = assert_security_headers(page)
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
            assert "object-src 'none'" in csp and "base-uri 'none'" in csp
            # No image or media from another host loads by itself (the test stack sets no
            # USER_CONTENT_ORIGIN): run data cannot exfiltrate through an <img>.
            sources = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
            assert sources["img-src"].split() == ["'self'", "data:", "blob:"]
            assert sources["media-src"].split() == ["'self'", "blob:"]
            assert header(page, "cache-control") == "no-cache"
        asset = next((ui.ensure_built() / "assets").glob("index-*.js")).name
        served = client.get(f"/assets/{asset}")
        assert served.status_code == 200
        assert_security_headers(served)
        assert header(served, "cache-control") == "public, max-age=31536000, immutable"
    api = tenant.client.get("/sessions")
    assert api.status_code == 200
    assert assert_security_headers(api) == "default-src 'none'; frame-ancestors 'none'"
    unknown = tenant.client.get("/no-such-route")  # an app's own error keeps its JSON and gets the headers
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert_security_headers(unknown)


def raw_request(stack: NativeStack, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes httpx would refuse to send; parse the status, headers and body."""
    port = int(stack.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def test_nginx_own_errors_are_json_with_the_headers_and_no_version(stack: NativeStack) -> None:
    asset = next((ui.ensure_built() / "assets").glob("index-*.js")).name
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        cases = [
            (client.get("/assets/no-such-file.js"), 404, "not_found"),
            (client.get(f"/assets/{asset[:-3]}x.css"), 404, "not_found"),
            (client.post("/login", content=b"{}"), 405, "method_not_allowed"),
            (client.get("/" + "a" * 9000), 414, "uri_too_long"),
            (client.get("/", headers={"X-Big": "b" * 9000}), 431, "headers_too_large"),
            (client.get("/_error/400"), 404, "not_found"),  # the error pages are internal only
        ]
        for response, status, code in cases:
            assert response.status_code == status, (response.request.url, response.text)
            assert response.headers["content-type"] == "application/json", response.request.url
            assert response.json()["error"] == code and response.json()["detail"]
            assert b"nginx" not in response.content
            assert assert_security_headers(response) == "default-src 'none'; frame-ancestors 'none'"
            assert "immutable" not in response.headers.get("cache-control", "")  # a 404 is never cached for a year
    # A request line or header nginx cannot parse at all: still JSON, still no version.
    for raw in (b"GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", b"NONSENSE\r\n\r\n"):
        status, headers, body = raw_request(stack, raw)
        assert status == 400, body
        assert headers["content-type"] == "application/json" and headers["server"] == "nginx"
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert b'"error":"bad_request"' in body and b"nginx" not in body


# --- the optional separate origin for user content ----------------------------------------------


@pytest.fixture
def user_content_backend(stack: NativeStack) -> Iterator[tuple[str, str]]:
    """A second backend of the same stack (same stores) started with USER_CONTENT_ORIGIN, reached
    directly: the shared stack's nginx routes to the stack's own backend, which runs without it."""
    port = free_port()
    origin = f"http://usercontent.test:{port}"
    env = {**stack.env(), "BACKEND_PORT": str(port), "BACKEND_WORKERS": "1", "USER_CONTENT_ORIGIN": origin + "/"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.backend"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (proc.stderr.read() if proc.stderr else b"").decode()[-2000:]
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "second backend did not become healthy"
            time.sleep(0.5)
        yield base, origin
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_user_content_origin_issues_links_there_and_serves_only_there(
    stack: NativeStack, tenant: Tenant, user_content_backend: tuple[str, str]
) -> None:
    base, origin = user_content_backend
    run = post_run(tenant, [("page.html", "text/html", HTML)])
    with httpx.Client(base_url=base, headers={"x-api-key": tenant.key}, timeout=30) as api:
        link = api.get(f"/api/v1/runs/{run['id']}").json()["s3_urls"]["attachment.page.html"]["presigned_url"]
        assert link.startswith(origin + "/api/v1/public/attachments/")  # absolute: the SDK uses it as is
        path = link.removeprefix(origin)
        # Served on the user-content host only, with the same defences.
        there = httpx.get(base + path, headers={"host": origin.removeprefix("http://")}, timeout=30)
        assert there.status_code == 200 and there.content == HTML
        assert there.headers["content-disposition"].startswith("attachment;")
        assert SANDBOX in there.headers["content-security-policy"]
        # The app's own origin refuses the same link: user bytes never share the UI's origin.
        here = httpx.get(base + path, headers={"host": "127.0.0.1"}, timeout=30)
        assert here.status_code == 404 and here.json()["error"] == "not_found"
    # The stack's own backend (no USER_CONTENT_ORIGIN) keeps relative links on its origin.
    assert run["s3_urls"]["attachment.page.html"]["presigned_url"].startswith("/api/v1/public/attachments/")
