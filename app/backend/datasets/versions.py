"""Resolving the `as_of` a caller names (a timestamp, a tag, or "latest") into a dataset version.

A version is the timestamp of one write to a dataset's examples. Reading "as of T" means each
example's newest revision at or before T, so any T works, not only exact version timestamps.
"""

from __future__ import annotations

import datetime as dt
import uuid

from app.backend.datasets import queries as q
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

FAR_FUTURE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def parse_timestamp(text: str) -> dt.datetime | None:
    """An ISO timestamp (space or T separator, Z or offset); naive means UTC (wire §0)."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if not value.tzinfo:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is in year 0 in UTC
        raise BadRequest(f"timestamp {text!r} is out of range") from None


async def resolve_as_of(postgres: Postgres, dataset_id: uuid.UUID, as_of: str | None) -> dt.datetime:
    """The point in time to read a dataset at; "latest" or nothing reads everything."""
    if as_of is None or as_of.strip() in ("", "latest"):
        return FAR_FUTURE
    stamp = parse_timestamp(as_of)
    if stamp is not None:
        return stamp
    row = await postgres.fetch_one(q.TAG_VERSION, {"dataset_id": dataset_id, "tag": as_of.strip()})
    if row is None:
        raise NotFound(f"dataset has no version tagged {as_of!r} (as_of takes a timestamp, a tag or 'latest')")
    return row["version"]


async def version_at(postgres: Postgres, dataset_id: uuid.UUID, point: dt.datetime) -> dt.datetime | None:
    """The newest version at or before `point`, or None when the dataset had no examples yet."""
    row = await postgres.fetch_one(q.LATEST_VERSION_AT, {"dataset_id": dataset_id, "as_of": point})
    return row["version"] if row else None


def require_timestamp(text: str, name: str) -> dt.datetime:
    stamp = parse_timestamp(text)
    if stamp is None:
        raise BadRequest(f"{name} must be an ISO 8601 timestamp, got {text!r}")
    return stamp
