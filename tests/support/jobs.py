"""Job functions for worker tests (rq imports them by dotted path, like worker/jobs.py)."""


def combine(payload: bytes, meta: dict[str, object]) -> dict[str, object]:
    return {"size": len(payload), "meta": meta}


def wait_for_file(path: str, timeout: float = 120.0) -> None:
    """Hold the worker until the test creates `path`: a job still running at a moment the test chooses."""
    import os
    import time

    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
