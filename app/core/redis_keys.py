"""Every Redis key and queue name Tracehouse uses, in one place.

Redis is shared by all services, so a key written by one and read by another must be spelled once.
Everything is under the `th:` prefix, except rq's own keys (`rq:…`), which rq names from the
queue names below. A new key goes here, with a line on who writes it and who reads it.
"""

from __future__ import annotations

import hashlib

# Queues (rq). Written by platform and playground (enqueue), read by the queue service.
INGEST_QUEUE = "ingest"
# Everything else: project deletion, scheduled tasks (worker/periodic.py), webhook deliveries.
DEFAULT_QUEUE = "default"
# rq worker names start with this, then the host; the queue healthcheck looks for its host's.
WORKER_NAME_PREFIX = "tracehouse-queue"

# Ingest stage 2: stage-1 jobs append normalised records; the writer (one leader) drains them.
RECORDS_STREAM = "th:ingest:records"
# The one field of each stream entry (and of nothing else): the msgpack of the entry's records.
RECORDS_FIELD = "d"
WRITER_GROUP = "writer"
WRITER_LOCK = "th:ingest:writer-lock"
# Scheduled tasks: one key per task, set NX with the task's interval as expiry (worker/periodic.py).
PERIODIC_PREFIX = "th:periodic:"
# Records whose parent state is not in ClickHouse yet, retried with back-off (sorted set).
DEFERRED = "th:ingest:deferred"
# Run ids whose patch arrived before their post (set): the writer merges once the post lands.
PATCH_FIRST = "th:ingest:patch-first"

# Dead letters: what the pipeline refused, kept for `GET /api/v1/ingest/dead-letters`.
DEADLETTER = "th:deadletter"
DEADLETTER_BYTES = "th:deadletter:bytes"
DEADLETTER_DROPPED = "th:deadletter:dropped"

# API-key resolution cache (platform and backend): entry per key prefix, a generation counter
# that moves on every eviction, and a per-key "touched recently" marker for last_used_at.
APIKEY_CACHE_PREFIX = "th:apikey:"
APIKEY_GENERATION = "th:apikey-generation"
APIKEY_TOUCH_PREFIX = "th:apikey-used:"

# Browser sessions (platform writes at login, every service reads).
SESSION_PREFIX = "th:session:"


def _account(email: str) -> str:
    # Hashed so that no e-mail address is ever a Redis key in clear.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


# Login throttle counters (platform): per account+address pair, per address, per account, and
# the account's slot for the global back-off.
def login_pair(email: str, address: str) -> str:
    return f"th:login:pair:{_account(email)}:{address}"


def login_pair_pattern(email: str) -> str:
    return f"th:login:pair:{_account(email)}:*"


def login_address(address: str) -> str:
    return f"th:login:addr:{address}"


def login_account(email: str) -> str:
    return f"th:login:acct:{_account(email)}"


def login_slot(email: str) -> str:
    return f"th:login:slot:{_account(email)}"


# Setup-token guesses (platform) share the login per-address budget and have their own slot.
def setup_address(address: str) -> str:
    return f"th:setup:addr:{address}"


SETUP_ANY = "th:setup:any"
SETUP_SLOT = "th:setup:slot"


# Model prices (issue 19): workspace id -> a counter the backend bumps on every change of its price
# table. The writer reads it once per batch and reloads a workspace's table when it moved.
PRICES_GENERATION = "th:prices:generation"
# `costs recompute` checkpoints: one hash per (workspace, project, since) run of the command.
COSTS_RECOMPUTE_PREFIX = "th:costs:recompute:"
# --- storage (issue 19): deletions and the disk budget ---------------------------------------
# What was deleted and must not come back (sorted set, scored by when): members `w:<workspace>`,
# `p:<workspace>:<project>`, `t:<workspace>:<trace>`, `n:<workspace>:<project name>`. Written by
# the backend and platform when they accept a delete; read by the queue service (stage 1 drops
# runs accepted before their project's delete and forgets cached project ids, the writer drops
# records of deleted scopes). Kept DELETED_KEEP_SECONDS (app/core/deletions.py).
DELETED = "th:deleted"
# Moves on every addition to DELETED, so readers reload the set only when it changed.
DELETED_GENERATION = "th:deleted-generation"
# The last disk-budget state (msgpack of app.core.storage.BudgetState), written by the storage job.
STORAGE_BUDGET_STATE = "th:storage:budget-state"
# Set NX with STORAGE_SAMPLE_SECONDS expiry by the storage job: a sample is due when it is absent.
STORAGE_SAMPLE_DUE = "th:storage:sample-due"
