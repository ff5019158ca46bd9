"""The records stage 1 hands to stage 2 through the stream, and the run state stage 2 merges them into.

Wire format: one stream entry per stage-1 job, field `redis_keys.RECORDS_FIELD`, holding the
msgpack of a `StreamEntry`. Structs encode as msgpack maps keyed by field name, which is exactly
what the earlier dict-based records were, so entries queued by a previous version decode into
these types (keys they lack take the defaults below; keys these types lack are ignored) and an
upgrade loses nothing that waits in the stream, the deferred set or the dead-letter list. Keep it
so: never rename a field or make it `array_like`; a new field needs a default.

A field that is None means "not known from this op": the merge keeps the other op's value.
`gc=False`: records and states hold only strings, numbers and flat containers (no cycles), and the
writer keeps up to 50,000 states in its cache, which the cyclic collector need not traverse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec


class RunFields(msgspec.Struct, kw_only=True, gc=False):
    """What a record and a state share: the `runs` columns an op can tell (by column name)."""

    id: str
    project_id: str | None = None
    trace_id: str | None = None
    parent_run_id: str | None = None
    dotted_order: str | None = None
    name: str | None = None
    run_type: str | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    first_token_time: dt.datetime | None = None
    tags: list[str] | None = None
    metadata: dict[str, str] | None = None
    thread_id: str | None = None
    reference_example_id: str | None = None
    model_name: str | None = None
    model_provider: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    # Sent by the caller (float), or priced by the writer / read back from ClickHouse (Decimal).
    prompt_cost: Decimal | float | None = None
    completion_cost: Decimal | float | None = None
    total_cost: Decimal | float | None = None
    # Heavy fields travel as JSON text: the writer only merges flat values.
    inputs: str | None = None
    outputs: str | None = None
    error: str | None = None
    extra: str | None = None
    events: str | None = None
    serialized: str | None = None
    received_at: float | None = None
    # One-line previews (app/core/previews.py) made by stage 1 from the decoded payloads, so the
    # runs table never reads the payloads: each is known exactly when its payload is ('' when
    # that payload is empty or the error is blank).
    inputs_preview: str | None = None
    outputs_preview: str | None = None
    error_preview: str | None = None
    # Retention stamps (app/core/retention.py): the days the run and its payloads are kept,
    # counted from start_time. Stage 1 sets them on posts from the project's settings; the merge
    # keeps the larger value, so a run's newest version never expires before an older one.
    retention_days: int | None = None
    payload_retention_days: int | None = None
    # Token breakdowns (usage_metadata's input/output_token_details) and what the writer priced
    # them at; `cost_source` is "caller" when the run brought its own costs, "table" when priced.
    prompt_token_details: dict[str, int] | None = None
    completion_token_details: dict[str, int] | None = None
    prompt_cost_details: dict[str, Decimal] | None = None
    completion_cost_details: dict[str, Decimal] | None = None
    cost_source: str | None = None


class RunRecord(RunFields, kw_only=True, gc=False):
    """One normalised post or patch. `project_id` is set by the stage-1 job (None on a bare
    patch: the writer takes the run's existing project)."""

    kind: str  # "post" | "patch"
    # A legacy child: the writer derives its tree position from its parent's.
    needs_parent: bool = False
    session_id: str | None = None
    session_name: str | None = None
    # Set by the writer when it defers or sets the record aside, so they travel with it.
    attempt: int = 0
    workspace_id: str | None = None
    attachments: list[str] | None = None


class FeedbackRecord(msgspec.Struct, kw_only=True, gc=False):
    id: str
    run_id: str | None = None
    trace_id: str | None = None
    session_id: str | None = None  # as sent; the stage-1 job resolves it into project_id
    key: str
    score: float | None = None
    value: str = ""
    comment: str | None = None
    correction: str = ""
    feedback_source: str = ""
    source_type: str = "api"
    feedback_config: str = ""
    extra: str = ""
    comparative_experiment_id: str | None = None
    feedback_group_id: str | None = None
    start_time: dt.datetime | None = None
    created_at: dt.datetime
    modified_at: dt.datetime
    project_id: str | None = None


class AttachmentRecord(msgspec.Struct, gc=False):
    """The stream's copy of `app.core.ingest.Attachment`, which is array_like (the queue's
    format): in the stream it must stay a map, as the dict-based version wrote it."""

    run_id: str
    name: str
    content_type: str
    data: bytes


class UpgradeRecord(msgspec.Struct, kw_only=True, gc=False):
    """Keep a whole trace for the long tier (a run of it got feedback, went to a dataset or an
    annotation queue): the writer raises the stamps of every stored run of the trace to these
    days. It goes through the stream so the writer, which alone re-writes runs, applies it in
    order with the trace's other records (worker/retention.py makes these)."""

    trace_id: str
    days: int
    payload_days: int


class StreamEntry(msgspec.Struct, gc=False):
    """What one XADD carries: a stage-1 job's records, a deferred record, or a replayed letter."""

    workspace_id: str
    runs: list[RunRecord] = msgspec.field(default_factory=list)
    feedback: list[FeedbackRecord] = msgspec.field(default_factory=list)
    attachments: list[AttachmentRecord] = msgspec.field(default_factory=list)
    upgrades: list[UpgradeRecord] = msgspec.field(default_factory=list)

    def weight(self) -> int:
        """What the writer counts towards its batch size."""
        return len(self.runs) + len(self.feedback) + len(self.upgrades) + 1


class RunState(RunFields, kw_only=True, gc=False):
    """A run as merged so far: the `runs` row less its derived columns (`merge.STATE_FIELDS`,
    checked by a unit test), plus whether its post has been seen."""

    workspace_id: str
    attachments: list[str] = msgspec.field(default_factory=list)
    version: int | None = None
    has_post: bool = False


_encoder = msgspec.msgpack.Encoder()
_entry_decoder = msgspec.msgpack.Decoder(StreamEntry)


def encode_entry(entry: StreamEntry) -> bytes:
    return _encoder.encode(entry)


def decode_entry(data: bytes) -> StreamEntry:
    return _entry_decoder.decode(data)
