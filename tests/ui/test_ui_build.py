"""The web UI's build (tooling/runner/ui.py) and its component tests (Vitest, in nginx/ui).

The stack fixture has already built the UI (NativeStack.up calls ui.ensure_built), so node_modules
exists and the build is current when these run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tooling.runner import ui
from tooling.runner.stack import NativeStack


def test_component_tests_pass(stack: NativeStack) -> None:
    """Tree building, message rendering, the filter bar and the other pure pieces (`npm test`)."""
    npx = shutil.which("npx")
    assert npx is not None
    result = subprocess.run(
        [npx, "vitest", "run", "--reporter=dot"],
        cwd=ui.UI_SOURCE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    assert " passed" in result.stdout + result.stderr


def test_build_is_cached_until_a_source_changes(stack: NativeStack, tmp_path: Path) -> None:
    dist = ui.ensure_built()
    stamp = dist / ".tracehouse-build"
    before = stamp.stat().st_mtime_ns
    assert ui.ensure_built() == dist and stamp.stat().st_mtime_ns == before  # nothing rebuilt
    assert (dist / "index.html").read_text().count('type="module"') == 1

    # The digest covers every source file: a copy with one changed file hashes differently.
    copy = tmp_path / "ui"
    for name in ui.INPUTS:
        source = ui.UI_SOURCE / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / name)
    assert ui.sources_digest(copy) == ui.sources_digest()
    (copy / "src" / "main.tsx").write_text((copy / "src" / "main.tsx").read_text() + "\n// changed\n")
    assert ui.sources_digest(copy) != ui.sources_digest()


def test_nginx_serves_the_app_for_every_client_route(stack: NativeStack) -> None:
    """Deep links (the URLs the SDK prints) get index.html; built assets are served as files."""
    import httpx

    with httpx.Client(base_url=stack.url, timeout=10) as client:
        index = client.get("/")
        assert index.status_code == 200 and '<div id="root">' in index.text
        for path in (
            "/login",
            "/o/3f1c2d4e-0000-4000-8000-000000000001/projects/p/3f1c2d4e-0000-4000-8000-000000000002/r/x?poll=true",
            "/o/3f1c2d4e-0000-4000-8000-000000000001/datasets/abc/compare?selectedSessions=a,b",
        ):
            routed = client.get(path)
            assert routed.status_code == 200 and routed.text == index.text, path
        asset = next((ui.ensure_built() / "assets").glob("index-*.js")).name
        served = client.get(f"/assets/{asset}")
        assert served.status_code == 200 and "javascript" in served.headers["content-type"]
        assert client.get("/api/v1/no-such-route").headers["content-type"].startswith("application/json")
