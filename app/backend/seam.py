"""The declared seam between the backend and the playground.

The playground is a separate service that reads the backend's datasets, projects and prompts from
the same Postgres. This module is the only backend module it may import: everything it uses is a
function here, so the backend can reshape its resources (handlers, services, SQL) without reaching
into the playground, and what the playground depends on is visible in one place.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from app.backend.datasets import listing, versions
from app.backend.datasets import service as datasets
from app.backend.projects import service as projects
from app.backend.prompts import manifests
from app.backend.prompts import service as prompts
from app.core.postgres import Postgres

# Owner "-" in a prompt identifier: the caller's workspace (wire §7).
MY_WORKSPACE = prompts.MY_WORKSPACE


async def own_dataset(postgres: Postgres, workspace_id: uuid.UUID, dataset_id: uuid.UUID) -> dict[str, Any]:
    """The dataset's id and name, or 404 when it is not the caller's."""
    return await datasets.own_dataset(postgres, workspace_id, dataset_id)


async def resolve_as_of(postgres: Postgres, dataset_id: uuid.UUID, as_of: str | None) -> dt.datetime:
    """The point in time a timestamp, a tag or "latest" names in a dataset's history."""
    return await versions.resolve_as_of(postgres, dataset_id, as_of)


async def count_examples(postgres: Postgres, workspace_id: uuid.UUID, **filters: Any) -> int:
    """How many examples match (dataset_id, as_of, splits, ...: the filters of list_examples)."""
    return await listing.count_examples(postgres, workspace_id, **filters)


async def list_examples(
    postgres: Postgres, workspace_id: uuid.UUID, *, limit: int = 100, offset: int = 0, **filters: Any
) -> list[dict[str, Any]]:
    """A page of example rows, oldest first; `as_of` None reads the current state."""
    return await listing.list_examples(postgres, workspace_id, limit=limit, offset=offset, **filters)


async def insert_project(postgres: Postgres, params: dict[str, Any]) -> dict[str, Any] | None:
    """Create a project (an experiment, with reference_dataset_id); None when the name is taken."""
    return await projects.insert_project(postgres, params)


async def find_prompt_repo(postgres: Postgres, workspace_id: uuid.UUID, handle: str) -> uuid.UUID | None:
    """The id of the workspace's prompt repo with this handle, or None."""
    return await prompts.find_repo_id(postgres, workspace_id, handle)


async def resolve_commit(postgres: Postgres, repo_id: uuid.UUID, ref: str) -> dict[str, Any]:
    """A repo's commit row by `latest`, hash, tag or unique hash prefix; 404 when none."""
    return await prompts.resolve_commit(postgres, repo_id, ref)


def without_model(manifest: dict[str, Any]) -> dict[str, Any]:
    """The prompt part of a manifest saved with its model; other manifests unchanged."""
    return manifests.without_model(manifest)
