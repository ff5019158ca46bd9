"""Job functions for worker tests (rq imports them by dotted path, like worker/jobs.py)."""


def combine(payload: bytes, meta: dict[str, object]) -> dict[str, object]:
    return {"size": len(payload), "meta": meta}
