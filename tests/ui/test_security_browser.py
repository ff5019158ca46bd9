"""Issue 14's stored XSS, reproduced in a real browser (Debian's chromium driven by Playwright, as
tests/ui/test_ui_browser.py): an attacker uploads an HTML and an SVG attachment whose script reads
the CSRF cookie and mints an admin API key; a logged-in admin opens their links. Before the fix
the script ran on the app's origin and the key was created (201). Now the browser downloads the
files instead of rendering them, and even a render (a browser or proxy that drops
Content-Disposition, simulated here) runs no script, because the sandboxing CSP forbids it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.support.ingest_helpers import json_part, multipart, root_run, wait_for
from tests.ui.test_ui_browser import PASSWORD, chromium, login, new_tenant, shot
from tooling.runner.stack import NativeStack

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.stack

MINTED = "xss-minted"


def attack(workspace_id: str) -> str:
    """What the attacker's file runs: read th_csrf, POST /api-key/ as the victim, mark the page."""
    return f"""
document.title = "pwned";
const csrf = (document.cookie.match(/(?:^|; )th_csrf=([^;]+)/) || [])[1] || "";
fetch("/api/v1/api-key/", {{
  method: "POST",
  credentials: "include",
  headers: {{"Content-Type": "application/json", "X-CSRF-Token": csrf, "X-Tenant-Id": "{workspace_id}"}},
  body: JSON.stringify({{name: "{MINTED}", role: "admin"}}),
}}).then((r) => {{ document.title = "pwned " + r.status; }});
"""


def html_file(workspace_id: str) -> bytes:
    return f"<!doctype html><title>innocent</title><p>report</p><script>{attack(workspace_id)}</script>".encode()


def svg_file(workspace_id: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/>'
        f"<script><![CDATA[{attack(workspace_id)}]]></script></svg>"
    ).encode()


@pytest.fixture(scope="module")
def victim(stack: NativeStack) -> Iterator[dict[str, Any]]:
    """A workspace with an admin person, and the attacker's files on one of its runs."""
    tenant: Tenant = new_tenant(stack)
    workspace_id = tenant.workspace_id
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    created = tenant.client.post("/users", json={"email": email, "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    run = root_run("attacker-upload", f"xss-{uuid.uuid4().hex[:6]}")
    body, content_type = multipart(
        [
            json_part(f"post.{run['id']}", run),
            (f"attachment.{run['id']}.page.html", "text/html", html_file(workspace_id)),
            (f"attachment.{run['id']}.drawing.svg", "image/svg+xml", svg_file(workspace_id)),
        ]
    )
    posted = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert posted.status_code == 202, posted.text

    def links() -> dict[str, str] | None:
        got = tenant.client.get(f"/runs/{run['id']}")
        urls = got.json().get("s3_urls", {}) if got.status_code == 200 else {}
        return {k.removeprefix("attachment."): v["presigned_url"] for k, v in urls.items()} if len(urls) == 2 else None

    stored = wait_for(links, timeout=60, what="attachments stored")
    yield {"tenant": tenant, "email": email, "links": stored, "run_id": run["id"]}
    tenant.client.close()


@pytest.fixture(scope="module")
def browser(victim: dict[str, Any]) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def admin_tab(browser: Any, stack: NativeStack, victim: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=stack.url, accept_downloads=True)
    tab = context.new_page()
    login(tab, victim["email"], PASSWORD)
    # The precondition of the attack: the admin's session and a script-readable CSRF cookie.
    assert {c["name"] for c in context.cookies()} >= {"th_csrf"}
    yield tab
    context.close()


def minted_keys(victim: dict[str, Any]) -> list[str]:
    keys = victim["tenant"].client.get("/api-key/")
    assert keys.status_code == 200, keys.text
    return [k["name"] for k in keys.json() if k["name"] == MINTED]


def settle(tab: Any) -> None:
    """Give a script that might be running time to finish its request."""
    tab.wait_for_timeout(1500)


@pytest.mark.parametrize("name", ["page.html", "drawing.svg"])
def test_opening_an_attachment_link_downloads_it_and_runs_nothing(
    admin_tab: Any, victim: dict[str, Any], name: str
) -> None:
    link = victim["links"][name]
    downloads: list[Any] = []
    admin_tab.on("download", lambda download: downloads.append(download))  # noqa: PLW0108 (Playwright tags its handlers; a bound builtin cannot be tagged)
    try:
        admin_tab.goto(link)
    except sync_api.Error:
        pass  # Chromium aborts a navigation that turns into a download
    settle(admin_tab)
    # No script of the file ran: no key was minted with the admin's session (before the fix:
    # ["xss-minted"], and the tab's title read "pwned 201").
    assert minted_keys(victim) == []
    assert not admin_tab.title().startswith("pwned")
    # The browser saved the file instead of rendering it: the tab never left the app.
    assert "/public/attachments/" not in admin_tab.url
    assert [d.suggested_filename for d in downloads] == [name]
    shot(admin_tab, f"xss_{name.replace('.', '_')}")


@pytest.mark.parametrize("name", ["page.html", "drawing.svg"])
def test_even_a_rendered_attachment_runs_no_script(admin_tab: Any, victim: dict[str, Any], name: str) -> None:
    """Defence in depth: strip Content-Disposition on the way to the browser (what a client that
    ignores it would do), so the file renders as a document; the sandboxing CSP still stops it."""
    link = victim["links"][name]
    seen: dict[str, str] = {}

    def without_disposition(route: Any) -> None:
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-disposition"}
        seen.update(headers)
        route.fulfill(response=response, headers=headers)

    admin_tab.route(f"**{link}", without_disposition)
    admin_tab.goto(link)
    settle(admin_tab)
    assert minted_keys(victim) == []
    assert not admin_tab.title().startswith("pwned")
    assert "sandbox" in seen["content-security-policy"]
    assert admin_tab.url.endswith(link)  # it did render, as a document of its own
    if name == "page.html":
        assert admin_tab.title() == "innocent"  # the markup rendered; the script that retitles it did not run
    # An opaque origin: the session's cookies are out of reach.
    cookies = admin_tab.evaluate("() => { try { return document.cookie; } catch (e) { return 'blocked ' + e.name; } }")
    assert "th_csrf" not in cookies
    assert minted_keys(victim) == []


def test_the_trace_view_shows_the_svg_as_an_inert_image(
    admin_tab: Any, stack: NativeStack, victim: dict[str, Any]
) -> None:
    """The UI still shows the SVG (an <img> never runs script) and links to its download."""
    tenant = victim["tenant"]
    run = tenant.client.get(f"/runs/{victim['run_id']}").json()
    admin_tab.goto(f"/o/{tenant.workspace_id}/projects/p/{run['session_id']}/r/{run['id']}")
    image = admin_tab.get_by_role("img", name="drawing.svg")
    sync_api.expect(image).to_be_visible()
    # decode() waits for the image and fails if it cannot load. Not wait_for_function: when its
    # first check fails it polls with eval, which the UI's CSP refuses (a race, not a test).
    assert image.evaluate("(img) => img.decode().then(() => img.naturalWidth)") == 10
    href = admin_tab.locator("a", has=image).get_attribute("href")
    assert href is not None and httpx.get(stack.url + href).headers["content-disposition"].startswith("attachment;")
    settle(admin_tab)
    assert not admin_tab.title().startswith("pwned")
    assert minted_keys(victim) == []
