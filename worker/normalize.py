"""Stage 1: turn accepted runs and feedback into normalised records, checking their integrity.

Everything that needs the decoded JSON happens here, once: times are parsed, trees checked,
and the fields the SDK never sends are derived (trace id and dotted order of legacy roots,
token counts, thread id, model, first-token time). Heavy fields leave as JSON text, so the
writer only merges flat values. Records are the Structs of worker/records.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from app.core.ingest import EARLIEST, LATEST, json_problem, parse_timestamp, project_name_problem
from app.core.previews import error_preview, preview
from worker.records import FeedbackRecord, RunRecord

_encode_json = msgspec.json.Encoder().encode

MAX_NAME = 4096
MAX_TAGS = 512
MAX_TAG = 512
# Bounds on what the writer prices: breakdown keys kept per side, and a model name's length
# (a longer name is not a model id; it is stored but never matched against the price table).
MAX_DETAILS = 16
MAX_MODEL_NAME = 256
# LangSmith's order of precedence when a run carries more than one of these metadata keys.
THREAD_KEYS = ("session_id", "conversation_id", "thread_id")
_SEGMENT_TIME = "%Y%m%dT%H%M%S%fZ"


class IntegrityError(ValueError):
    """The item contradicts itself; it goes to the dead-letter list with this message."""


def parse_uuid(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise IntegrityError(f"{field} is required")
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise IntegrityError(f"{field} {value!r} is not a UUID") from None


def parse_time(value: Any, field: str) -> dt.datetime | None:
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise IntegrityError(f"{field} {str(value)[:100]!r} {exc}") from None


def segment(start: dt.datetime, run_id: str) -> str:
    return start.astimezone(dt.UTC).strftime(_SEGMENT_TIME) + run_id


def parse_dotted_order(dotted: str) -> list[tuple[dt.datetime, str]]:
    out = []
    for seg in dotted.split("."):
        if len(seg) != 58:
            raise IntegrityError(f"dotted_order segment {seg!r} is not <22-char time><36-char uuid>")
        try:
            when = dt.datetime.strptime(seg[:22], _SEGMENT_TIME).replace(tzinfo=dt.UTC)
        except ValueError:
            raise IntegrityError(f"dotted_order segment {seg!r} has a bad time") from None
        out.append((when, parse_uuid(seg[22:], "dotted_order segment id", required=True) or ""))
    return out


def _json_text(value: Any) -> str | None:
    return None if value is None else _encode_json(value).decode()


def _metadata(extra: Any) -> dict[str, str] | None:
    if not isinstance(extra, dict) or not isinstance(extra.get("metadata"), dict):
        return None
    return {str(k): v if isinstance(v, str) else _encode_json(v).decode() for k, v in extra["metadata"].items()}


def _thread_id(extra: Any) -> str | None:
    """The first of THREAD_KEYS whose value is set, read from the raw metadata: once stringified, a
    null is the text "null", and every run sending `session_id: None` would share a thread "null".

    A null or empty-string value is skipped, falling through to the next key, as LangSmith does (its
    SDK's list_threads also drops runs whose thread_id is empty, and an empty id cannot be named in
    a URL). Any other non-text value names the thread by its JSON text, as in `metadata`.
    """
    if not isinstance(extra, dict) or not isinstance(extra.get("metadata"), dict):
        return None
    for key in THREAD_KEYS:
        value = extra["metadata"].get(key)
        if value is None or value == "":
            continue
        return value if isinstance(value, str) else _encode_json(value).decode()
    return None


def _usage(outputs: Any, extra: Any) -> dict[str, Any] | None:
    """Token counts (and costs, when the caller sends them) from `usage_metadata` (outputs or
    metadata) or LangChain's `llm_output`."""
    candidates = []
    if isinstance(outputs, dict):
        candidates.append(outputs.get("usage_metadata"))
        llm_output = outputs.get("llm_output")
        if isinstance(llm_output, dict) and isinstance(llm_output.get("token_usage"), dict):
            usage = llm_output["token_usage"]
            candidates.append(
                {
                    "input_tokens": usage.get("prompt_tokens"),
                    "output_tokens": usage.get("completion_tokens"),
                    "total_tokens": usage.get("total_tokens"),
                }
            )
    if isinstance(extra, dict) and isinstance(extra.get("metadata"), dict):
        candidates.append(extra["metadata"].get("usage_metadata"))
    for usage in candidates:
        if not isinstance(usage, dict):
            continue
        prompt = _count(usage.get("input_tokens"))
        completion = _count(usage.get("output_tokens"))
        total = _count(usage.get("total_tokens"))
        if prompt is None and completion is None and total is None:
            continue
        prompt, completion = prompt or 0, completion or 0
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": total if total is not None else prompt + completion,
            "prompt_token_details": _details(usage.get("input_token_details")),
            "completion_token_details": _details(usage.get("output_token_details")),
            **_costs(usage),
        }
    return None


def _details(value: Any) -> dict[str, int] | None:
    """A token breakdown (LangChain's input/output_token_details: cache_read, reasoning...): the
    non-negative counts under short keys; None when there are none."""
    if not isinstance(value, dict):
        return None
    found = {str(k): n for k, v in list(value.items())[:MAX_DETAILS] if len(str(k)) <= 64 and (n := _count(v))}
    return found or None


def _model_name(metadata: dict[str, str] | None, extra: Any, outputs: Any) -> str | None:
    """LangSmith's order: metadata.ls_model_name, then the invocation params' model, model_name,
    model_id, model_path, endpoint_name; then the model the response names (llm_output or
    response_metadata), which LangChain and the OpenAI wrapper record."""
    if metadata and metadata.get("ls_model_name"):
        return metadata["ls_model_name"]
    places = []
    if isinstance(extra, dict) and isinstance(extra.get("invocation_params"), dict):
        params = extra["invocation_params"]
        places += [params.get(k) for k in ("model", "model_name", "model_id", "model_path", "endpoint_name")]
    if isinstance(outputs, dict):
        for key in ("llm_output", "response_metadata"):
            if isinstance(outputs.get(key), dict):
                places += [outputs[key].get("model_name"), outputs[key].get("model")]
    return next((p for p in places if isinstance(p, str) and p and len(p) <= MAX_MODEL_NAME), None)


def _costs(usage: dict[str, Any]) -> dict[str, float]:
    """LangSmith's manual cost fields (`input_cost`, `output_cost`, `total_cost`, in dollars)."""
    found: dict[str, float] = {}
    pairs = (("input_cost", "prompt_cost"), ("output_cost", "completion_cost"), ("total_cost", "total_cost"))
    for source, column in pairs:
        value = usage.get(source)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e9:
            found[column] = round(float(value), 9)
    if "total_cost" not in found and ("prompt_cost" in found or "completion_cost" in found):
        found["total_cost"] = round(found.get("prompt_cost", 0.0) + found.get("completion_cost", 0.0), 9)
    return found


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


def _first_token_time(events: Any) -> dt.datetime | None:
    if not isinstance(events, list):
        return None
    for event in events:
        if isinstance(event, dict) and event.get("name") == "new_token":
            try:
                return parse_time(event.get("time"), "event time")
            except IntegrityError:
                return None
    return None


def _tags(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        raise IntegrityError(f"tags must be a list of at most {MAX_TAGS} strings")
    tags = [str(t) for t in value]
    if any(len(t) > MAX_TAG for t in tags):
        raise IntegrityError(f"tags must be at most {MAX_TAG} characters")
    return tags


def normalize_run(run: dict[str, Any], kind: str, received_at: float) -> RunRecord:
    """One post or patch → a record (raises IntegrityError)."""
    # The door checks the same; a replayed letter or a playground trace did not pass the door.
    if problem := json_problem(run) or project_name_problem(run.get("session_name")):
        raise IntegrityError(problem)
    run_id = parse_uuid(run.get("id"), "id", required=True)
    assert run_id is not None
    trace_id = parse_uuid(run.get("trace_id"), "trace_id")
    parent_id = parse_uuid(run.get("parent_run_id"), "parent_run_id")
    start = parse_time(run.get("start_time"), "start_time")
    end = parse_time(run.get("end_time"), "end_time")
    dotted = run.get("dotted_order")
    if dotted is not None:
        if not isinstance(dotted, str):
            raise IntegrityError("dotted_order must be a string")
        segments = parse_dotted_order(dotted)
        if segments[-1][1] != run_id:
            raise IntegrityError("dotted_order does not end with this run's id")
        if trace_id is not None and segments[0][1] != trace_id:
            raise IntegrityError("trace_id is not the first id of dotted_order")
        trace_id = segments[0][1]
        if len(segments) == 1 and parent_id is not None:
            raise IntegrityError("a run with a parent_run_id needs a dotted_order of depth > 1")
        if len(segments) > 1:
            if parent_id is not None and segments[-2][1] != parent_id:
                raise IntegrityError("parent_run_id is not the parent in dotted_order")
            parent_id = segments[-2][1]
        start = start or segments[-1][0]
    elif trace_id is not None and parent_id is None and trace_id != run_id:
        raise IntegrityError("a root run's trace_id must be its own id")
    if kind == "post" and start is None:
        start = dt.datetime.fromtimestamp(received_at, dt.UTC)
    if start is not None and not EARLIEST <= start <= LATEST:
        raise IntegrityError(f"start_time {start.isoformat()} is outside {EARLIEST.year}-{LATEST.year}")
    if start is not None and end is not None and end < start - dt.timedelta(milliseconds=1):
        raise IntegrityError("end_time is before start_time")
    if kind == "post" and dotted is None and parent_id is None and start is not None:
        # A legacy root (POST /runs without tracing fields): it is its own trace.
        trace_id = run_id
        dotted = segment(start, run_id)

    name = run.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        raise IntegrityError(f"name must be a string of at most {MAX_NAME} characters")
    run_type = run.get("run_type")
    if run_type is not None and (not isinstance(run_type, str) or len(run_type) > 64):
        raise IntegrityError("run_type must be a short string")
    error = run.get("error")
    extra, outputs, events = run.get("extra"), run.get("outputs"), run.get("events")
    metadata = _metadata(extra)
    usage = _usage(outputs, extra) or {}
    session_name = run.get("session_name")
    inputs = run.get("inputs")
    error_text = error if isinstance(error, str) or error is None else _encode_json(error).decode()
    return RunRecord(
        kind=kind,
        id=run_id,
        trace_id=trace_id,
        parent_run_id=parent_id,
        dotted_order=dotted,
        needs_parent=dotted is None and parent_id is not None,
        session_id=parse_uuid(run.get("session_id"), "session_id"),
        session_name=session_name if isinstance(session_name, str) and session_name else None,
        name=name,
        run_type=run_type,
        start_time=start,
        end_time=end,
        first_token_time=_first_token_time(events),
        tags=_tags(run.get("tags")),
        metadata=metadata,
        thread_id=_thread_id(extra),
        reference_example_id=parse_uuid(run.get("reference_example_id"), "reference_example_id"),
        model_name=_model_name(metadata, extra, outputs),
        model_provider=metadata.get("ls_provider") if metadata else None,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        total_tokens=usage.get("total_tokens"),
        prompt_cost=usage.get("prompt_cost"),
        completion_cost=usage.get("completion_cost"),
        total_cost=usage.get("total_cost"),
        prompt_token_details=usage.get("prompt_token_details"),
        completion_token_details=usage.get("completion_token_details"),
        # Costs the caller sent win over the price table: the writer never re-prices them.
        cost_source="caller" if "total_cost" in usage else None,
        inputs=_json_text(inputs),
        outputs=_json_text(outputs),
        error=error_text,
        extra=_json_text(extra),
        events=_json_text(events),
        serialized=_json_text(run.get("serialized")),
        received_at=received_at,
        # Made here, from the values already decoded (the writer sees JSON text only).
        inputs_preview=None if inputs is None else preview(inputs, user=True),
        outputs_preview=None if outputs is None else preview(outputs, user=False),
        error_preview=None if error_text is None else error_preview(error_text) or "",
    )


def normalize_feedback(item: dict[str, Any], received_at: float) -> FeedbackRecord:
    if problem := json_problem(item):
        raise IntegrityError(problem)
    feedback_id = parse_uuid(item.get("id"), "id", required=True)
    assert feedback_id is not None
    key = item.get("key")
    if not isinstance(key, str) or not key or len(key) > 512:
        raise IntegrityError("feedback key must be a non-empty string of at most 512 characters")
    score = item.get("score")
    if isinstance(score, bool):
        score = float(score)
    elif score is not None and not isinstance(score, (int, float)):
        raise IntegrityError("feedback score must be a number or a boolean")
    now = dt.datetime.fromtimestamp(received_at, dt.UTC)
    source = item.get("feedback_source") if isinstance(item.get("feedback_source"), dict) else None
    comment = item.get("comment")
    return FeedbackRecord(
        id=feedback_id,
        run_id=parse_uuid(item.get("run_id"), "run_id"),
        trace_id=parse_uuid(item.get("trace_id"), "trace_id"),
        session_id=parse_uuid(item.get("session_id"), "session_id"),
        key=key,
        score=None if score is None else float(score),
        value=_json_text(item.get("value")) or "",
        comment=comment if isinstance(comment, str) else _json_text(comment),
        correction=_json_text(item.get("correction")) or "",
        feedback_source=_json_text(source) or "",
        source_type=str((source or {}).get("type") or "api")[:64],
        feedback_config=_json_text(item.get("feedback_config")) or "",
        extra=_json_text(item.get("extra")) or "",
        comparative_experiment_id=parse_uuid(item.get("comparative_experiment_id"), "comparative_experiment_id"),
        feedback_group_id=parse_uuid(item.get("feedback_group_id"), "feedback_group_id"),
        start_time=parse_time(item.get("start_time"), "start_time"),
        created_at=parse_time(item.get("created_at"), "created_at") or now,
        modified_at=parse_time(item.get("modified_at"), "modified_at") or now,
    )
