"""Wire schemas for the prompt hub (wire §7), as the LangSmith SDK sends and reads them."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Literal

import msgspec

HANDLE = re.compile(r"[a-z0-9_-]{1,100}")
TAG_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
MAX_TAGS = 50
MAX_COMMIT_DESCRIPTION = 1000
# A workspace's hub handle: never "-" (the caller's own workspace in a path).
TENANT_HANDLE = re.compile(r"[a-z][a-z0-9_-]{2,63}")
RepoType = Literal["prompt", "agent", "skill"]  # the SDK documents this limit for commit descriptions


def _check_tags(tags: list[str] | None) -> None:
    if tags is None:
        return
    if len(tags) > MAX_TAGS or any(not t or len(t) > 100 for t in tags):
        raise ValueError(f"tags must be at most {MAX_TAGS} strings of 1 to 100 characters")


def check_tag_name(name: str) -> None:
    # "latest" would shadow the pull keyword `name:latest`.
    if not TAG_NAME.fullmatch(name) or name == "latest":
        raise ValueError("tag_name must be 1 to 100 letters, digits, '.', '-' or '_', and not 'latest'")


class RepoCreate(msgspec.Struct, kw_only=True):
    repo_handle: str
    repo_type: RepoType = "prompt"
    description: str | None = None
    readme: str | None = None
    tags: list[str] | None = None
    is_public: bool = False

    def __post_init__(self) -> None:
        if not HANDLE.fullmatch(self.repo_handle):
            raise ValueError("repo_handle must be 1 to 100 lowercase letters, digits, '-' or '_'")
        _check_tags(self.tags)


class RepoUpdate(msgspec.Struct, kw_only=True):
    """PATCH body: the SDK sends only the fields it changes; null means unchanged."""

    description: str | None = None
    readme: str | None = None
    tags: list[str] | None = None
    is_public: bool | None = None
    is_archived: bool | None = None

    def __post_init__(self) -> None:
        _check_tags(self.tags)


class CommitCreate(msgspec.Struct, kw_only=True):
    # Required and an object: a manifest is a LangChain serialisation, stored opaquely.
    manifest: dict[str, Any]
    parent_commit: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if self.description is not None and len(self.description) > MAX_COMMIT_DESCRIPTION:
            raise ValueError(f"description must be at most {MAX_COMMIT_DESCRIPTION} characters")


class TagCreate(msgspec.Struct, kw_only=True):
    tag_name: str
    commit_id: str  # the commit's id (what the SDK sends) or its hash

    def __post_init__(self) -> None:
        check_tag_name(self.tag_name)


class TagUpdate(msgspec.Struct, kw_only=True):
    commit_id: str


class LikeBody(msgspec.Struct, kw_only=True):
    like: bool


class Settings(msgspec.Struct, kw_only=True):
    """LangSmithSettings: the tenant is our workspace; its handle names it to other workspaces."""

    id: uuid.UUID
    display_name: str
    created_at: dt.datetime
    tenant_handle: str | None = None


class HandleBody(msgspec.Struct, kw_only=True):
    tenant_handle: str

    def __post_init__(self) -> None:
        if not TENANT_HANDLE.fullmatch(self.tenant_handle):
            raise ValueError(
                "tenant_handle must be 3 to 64 lowercase letters, digits, '-' or '_', starting with a letter"
            )


class Prompt(msgspec.Struct, kw_only=True):
    """schemas.Prompt: the key `owner` is required (null allowed)."""

    id: uuid.UUID
    repo_handle: str
    repo_type: str
    full_name: str
    owner: str | None
    tenant_id: uuid.UUID
    description: str
    readme: str
    tags: list[str]
    is_public: bool
    is_archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    num_likes: int
    num_downloads: int
    # Views are a UI notion; nothing here counts them.
    num_views: int
    num_commits: int
    last_commit_hash: str | None
    liked_by_auth_user: bool
    last_commit_at: dt.datetime | None = None  # not in LangSmith's schema; the UI lists it
    original_repo_id: uuid.UUID | None = None
    upstream_repo_id: uuid.UUID | None = None
    original_repo_full_name: str | None = None
    upstream_repo_full_name: str | None = None


class Commit(msgspec.Struct, kw_only=True):
    """A commit as listed and as returned by a push (ListedPromptCommit). No manifest here."""

    id: uuid.UUID
    commit_hash: str
    parent_id: uuid.UUID | None
    parent_commit_hash: str | None
    repo_id: uuid.UUID
    # Manifests live in their commit; there is no separate manifest object to point at.
    manifest_id: uuid.UUID | None
    description: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    example_run_ids: list[uuid.UUID]
    num_downloads: int
    num_views: int


class PulledCommit(msgspec.Struct, kw_only=True):
    """PromptCommit: `examples` is required by the SDK."""

    id: uuid.UUID
    commit_hash: str
    manifest: dict[str, Any]
    examples: list[dict[str, Any]]
    description: str | None


class Tag(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    repo_id: uuid.UUID
    tag_name: str
    commit_id: uuid.UUID
    commit_hash: str
    created_at: dt.datetime
    updated_at: dt.datetime


def prompt_from_row(row: dict[str, Any]) -> Prompt:
    """Storage row → wire object: the one mapping between the two layers."""
    return Prompt(
        id=row["id"],
        repo_handle=row["handle"],
        repo_type=row["repo_type"],
        full_name=f"{row['owner']}/{row['handle']}",
        owner=row["owner"],
        tenant_id=row["workspace_id"],
        description=row["description"],
        readme=row["readme"],
        tags=list(row["tags"]),
        is_public=row["is_public"],
        is_archived=row["is_archived"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        num_likes=row["num_likes"],
        num_downloads=row["num_downloads"],
        num_views=0,
        num_commits=row["num_commits"],
        last_commit_hash=row["last_commit_hash"],
        liked_by_auth_user=row["liked_by_auth_user"],
        last_commit_at=row["last_commit_at"],
    )


def commit_from_row(row: dict[str, Any]) -> Commit:
    return Commit(
        id=row["id"],
        commit_hash=row["commit_hash"],
        parent_id=row["parent_id"],
        parent_commit_hash=row["parent_hash"],
        repo_id=row["repo_id"],
        manifest_id=None,
        description=row["description"],
        created_at=row["created_at"],
        updated_at=row["created_at"],  # commits are immutable
        example_run_ids=[],
        num_downloads=row["num_downloads"],
        num_views=0,
    )


def tag_from_row(row: dict[str, Any]) -> Tag:
    return Tag(
        id=row["id"],
        repo_id=row["repo_id"],
        tag_name=row["tag_name"],
        commit_id=row["commit_id"],
        commit_hash=row["commit_hash"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# --- agent and skill directories --------------------------------------------------------------

MAX_FILES = 1000
MAX_PATH = 1000


class FileEntry(msgspec.Struct, kw_only=True, tag="file", tag_field="type"):
    content: str


class AgentEntry(msgspec.Struct, kw_only=True, tag="agent", tag_field="type", omit_defaults=True):
    """A link to another agent repo, optionally pinned to one of its commits."""

    repo_handle: str
    commit_id: uuid.UUID | None = None
    owner: str | None = None
    commit_hash: str | None = None


class SkillEntry(msgspec.Struct, kw_only=True, tag="skill", tag_field="type", omit_defaults=True):
    repo_handle: str
    commit_id: uuid.UUID | None = None
    owner: str | None = None
    commit_hash: str | None = None


Entry = FileEntry | AgentEntry | SkillEntry


def check_path(path: str) -> None:
    """A relative path of non-empty segments: the files are a tree that clients write to disk."""
    segments = path.split("/")
    if not path or len(path) > MAX_PATH or "\x00" in path or any(s in ("", ".", "..") for s in segments):
        raise ValueError(
            f"file path {path!r} must be a relative path of 1 to {MAX_PATH} characters "
            "without empty, '.' or '..' segments"
        )


class DirectoryCommitCreate(msgspec.Struct, kw_only=True):
    """A commit changes the files it names (null deletes one) and keeps the others."""

    files: dict[str, Entry | None]
    parent_commit: str | None = None

    def __post_init__(self) -> None:
        if len(self.files) > MAX_FILES:
            raise ValueError(f"a commit may name at most {MAX_FILES} files")
        for path in self.files:
            check_path(path)


class Directory(msgspec.Struct, kw_only=True):
    """AgentContext / SkillContext: one version of the repo's files."""

    commit_id: uuid.UUID
    commit_hash: str
    files: dict[str, dict[str, Any]]  # entries as stored: validated on the way in
