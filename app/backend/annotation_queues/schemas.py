"""Wire schemas for annotation queues, as the LangSmith SDK sends and reads them."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

import msgspec

MAX_NAME = 250
MAX_RUBRIC_ITEMS = 100
MAX_REGEX = 500  # the SDK documents this limit for regex_validator


class ItemStatus(StrEnum):
    """An item's review state. One reviewer decides it: "done" is done for the queue."""

    needs_review = "needs_review"
    completed = "completed"


class StatusFilter(StrEnum):
    """The SDK's review-status filter. Review here is per queue, not per reviewer, so an item that
    still needs review needs "my" review and never "others'"."""

    needs_my_review = "needs_my_review"
    needs_others_review = "needs_others_review"
    completed = "completed"


def item_status(status: StatusFilter | None) -> str | None:
    """The item status a filter selects: None for all, "" (matching nothing) for others' review."""
    if status is None:
        return None
    return {
        StatusFilter.needs_my_review: ItemStatus.needs_review.value,
        StatusFilter.completed: ItemStatus.completed.value,
        StatusFilter.needs_others_review: "",
    }[status]


def _check_name(name: str | None) -> None:
    if name is not None and not (name.strip() and len(name) <= MAX_NAME):
        raise ValueError(f"name must be 1 to {MAX_NAME} characters, not blank")


class RubricItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One feedback key of a queue's rubric (the SDK's AnnotationQueueRubricItem). `feedback_config`
    is read-only upstream: sent back, it is ignored."""

    feedback_key: str
    description: str | None = None
    value_descriptions: dict[str, str] | None = None
    score_descriptions: dict[str, str] | None = None
    is_required: bool | None = None
    required_if: dict[str, Any] | list[Any] | None = None
    visible_if: dict[str, Any] | list[Any] | None = None
    is_assertion: bool | None = None
    regex_validator: str | None = None
    feedback_config_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if not self.feedback_key.strip() or len(self.feedback_key) > MAX_NAME:
            raise ValueError(f"rubric_items[].feedback_key must be 1 to {MAX_NAME} characters, not blank")
        if self.regex_validator is not None and len(self.regex_validator) > MAX_REGEX:
            raise ValueError(f"rubric_items[].regex_validator must be at most {MAX_REGEX} characters")


def _check_rubric(items: list[RubricItem] | None) -> None:
    if items is None:
        return
    if len(items) > MAX_RUBRIC_ITEMS:
        raise ValueError(f"rubric_items may hold at most {MAX_RUBRIC_ITEMS} items")
    keys = [i.feedback_key for i in items]
    if len(set(keys)) != len(keys):
        raise ValueError("rubric_items must not repeat a feedback_key")


class QueueCreate(msgspec.Struct, kw_only=True):
    name: str
    id: uuid.UUID | None = None
    description: str | None = None
    rubric_instructions: str | None = None
    rubric_items: list[RubricItem] | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_rubric(self.rubric_items)


class QueueUpdate(msgspec.Struct, kw_only=True):
    """PATCH body: the SDK sends only the fields it changes; absent or null means unchanged.
    `rubric_items`, when sent, replaces the rubric."""

    name: str | None = None
    description: str | None = None
    rubric_instructions: str | None = None
    rubric_items: list[RubricItem] | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_rubric(self.rubric_items)


class RunKey(msgspec.Struct, kw_only=True):
    """One run with its lookup key (`POST .../runs/by-key`). The key must match the run: a key
    naming another project or start is refused like an unknown run."""

    run_id: uuid.UUID
    session_id: uuid.UUID
    start_time: dt.datetime
    source_proposed_example_id: uuid.UUID | None = None


class ItemUpdate(msgspec.Struct, kw_only=True):
    """PATCH of one item: LangSmith's `last_reviewed_time` (setting it marks the item done) and
    `added_at` (a later time sends it to the back of the queue), or our explicit `status` (the
    review flow's "done", or back to "needs_review")."""

    status: ItemStatus | None = None
    last_reviewed_time: dt.datetime | None = None
    added_at: dt.datetime | None = None


class ItemsDelete(msgspec.Struct, kw_only=True):
    """`POST .../runs/delete`: the given runs, or every run (`delete_all`) but `exclude_run_ids`."""

    run_ids: list[uuid.UUID] | None = None
    delete_all: bool = False
    exclude_run_ids: list[uuid.UUID] | None = None

    def __post_init__(self) -> None:
        if self.delete_all == bool(self.run_ids):
            raise ValueError("send either run_ids or delete_all: true")


class Progress(msgspec.Struct, kw_only=True):
    total: int
    done: int
    remaining: int


class Queue(msgspec.Struct, kw_only=True):
    """A queue as list/read answer it: LangSmith's fields (`total_runs` as its list carries),
    the rubric, and the review progress the UI shows."""

    id: uuid.UUID
    name: str
    description: str | None
    tenant_id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    rubric_instructions: str | None
    rubric_items: list[dict[str, Any]]
    queue_type: str
    total_runs: int
    completed_runs: int
    remaining_runs: int


def queue_from_row(row: dict[str, Any]) -> Queue:
    total, done = row["total_runs"], row["completed_runs"]
    return Queue(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        tenant_id=row["workspace_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        rubric_instructions=row["rubric_instructions"],
        rubric_items=row["rubric_items"],
        queue_type="single",
        total_runs=total,
        completed_runs=done,
        remaining_runs=total - done,
    )
