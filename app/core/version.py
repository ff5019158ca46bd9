"""The running version, from the installed package metadata (pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("tracehouse")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0+source"
