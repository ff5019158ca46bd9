"""Build the web UI (nginx/ui, Vite) natively, only when its sources changed.

The frontend image builds the same sources in a Node stage (nginx/Dockerfile); natively, `up`
and the test harness call `ensure_built()`, which runs `npm ci` when the lock file changed and
`npm run build` when any source did, and records what it built in a stamp file beside dist/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tooling.runner.nginx import UI_SOURCE

INPUTS = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json", "src")
MIN_NODE = (20, 19)


class UIBuildError(RuntimeError):
    """The UI could not be built (no Node.js, or npm/vite failed)."""


def sources_digest(root: Path = UI_SOURCE) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _node_version(node: str) -> tuple[int, ...]:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return tuple(int(part) for part in out.lstrip("v").split(".")[:2])


def _npm(root: Path, *args: str, quiet: bool) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise UIBuildError("npm not found; install Node.js 20.19+ (with npm) to build the UI")
    result = subprocess.run(
        [npm, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "npm_config_fund": "false", "npm_config_update_notifier": "false"},
    )
    if result.returncode != 0:
        raise UIBuildError(f"`npm {' '.join(args)}` failed in {root}:\n{(result.stdout + result.stderr)[-4000:]}")
    if not quiet and result.stdout.strip():
        print(result.stdout.strip().splitlines()[-1])


def ensure_built(root: Path = UI_SOURCE, *, quiet: bool = True) -> Path:
    """Return the built dist/ directory, building it first if the sources changed."""
    dist = root / "dist"
    stamp = dist / ".tracehouse-build"
    want = sources_digest(root)
    if stamp.exists() and stamp.read_text() == want and (dist / "index.html").exists():
        return dist
    node = shutil.which("node")
    if node is None:
        raise UIBuildError("node not found; install Node.js 20.19+ (with npm) to build the UI")
    if _node_version(node) < MIN_NODE:
        raise UIBuildError(f"Node.js {'.'.join(map(str, MIN_NODE))}+ is needed to build the UI; found {node}")
    lock_digest = hashlib.sha256((root / "package-lock.json").read_bytes()).hexdigest()
    modules_stamp = root / "node_modules" / ".tracehouse-lock"
    if not modules_stamp.exists() or modules_stamp.read_text() != lock_digest:
        if not quiet:
            print("installing the UI's npm packages (npm ci)")
        _npm(root, "ci", "--no-audit", "--no-fund", quiet=quiet)
        modules_stamp.write_text(lock_digest)
    if not quiet:
        print("building the UI (vite)")
    _npm(root, "run", "build", quiet=quiet)
    stamp.write_text(want)
    return dist
