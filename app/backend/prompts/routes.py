"""Hub routes (wire §7): repos and settings, commits, tags, agent and skill directories.
main.py includes `ROUTES`."""

from __future__ import annotations

from typing import Any

from app.backend.prompts.commits import ROUTES as COMMIT_ROUTES
from app.backend.prompts.directories import ROUTES as DIRECTORY_ROUTES
from app.backend.prompts.repos import ROUTES as REPO_ROUTES
from app.backend.prompts.tags import ROUTES as TAG_ROUTES

ROUTES: list[Any] = [*REPO_ROUTES, *COMMIT_ROUTES, *TAG_ROUTES, *DIRECTORY_ROUTES]
