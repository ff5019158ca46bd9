"""Start-up heap handling shared by every long-running process (HTTP services and queue workers)."""

from __future__ import annotations

import gc


def freeze_heap() -> None:
    """Move everything allocated at start-up (modules, the app, its routes) out of the cyclic
    GC's reach. Otherwise every full collection rescans those ~50k objects; measured at ~25 ms,
    it showed up as periodic stalls of every in-flight request at ingest rates."""
    gc.collect()
    gc.freeze()
