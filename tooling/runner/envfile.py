"""Read `.env` files the way compose's `env_file` does for the simple KEY=VALUE form we use."""

from __future__ import annotations

from pathlib import Path


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ValueError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def update_env_file(path: Path, values: dict[str, str]) -> None:
    """Set KEY=VALUE lines in place: an existing (uncommented) line for a key is rewritten where it
    stands, a missing key is appended; every other line, comments included, is kept as it was."""
    lines = path.read_text().splitlines()
    pending = dict(values)
    for i, raw in enumerate(lines):
        key = raw.strip().removeprefix("export ").partition("=")[0].strip()
        if key in pending and not raw.lstrip().startswith("#") and "=" in raw:
            lines[i] = f"{key}={pending.pop(key)}"
    if pending:
        lines += ["", "# Written by ./tracehouse images build"] + [f"{k}={v}" for k, v in pending.items()]
    path.write_text("\n".join(lines) + "\n")
