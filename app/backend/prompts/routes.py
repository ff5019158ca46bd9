"""Prompt hub routes (wire §7). Placeholder until the hub is built."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
