"""The running version: the installed package's metadata, else pyproject.toml beside the source.

The container images run the source tree on PYTHONPATH without installing the package (their
venv holds only the dependencies), and ship pyproject.toml next to it for this.
"""

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    VERSION = version("tracehouse")
except PackageNotFoundError:
    try:
        with (Path(__file__).resolve().parents[2] / "pyproject.toml").open("rb") as f:
            VERSION = str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        VERSION = "0.0.0+source"
