"""rq jobs. Stage 1 of ingestion: normalise one accepted batch and hand it to the writer.

The job is idempotent: if it fails midway (Postgres down, the worker killed), rq runs it again
and the writer's merge by run id absorbs the repeated records.
"""

from __future__ import annotations

import logging
from typing import Any

from app.core import redis_keys
from app.core.deadletters import note_dropped, push_letters
from app.core.ingest import IngestBatch, Rejection, decode_batch, letters_for
from app.core.logging import request_id_var
from app.core.queue import queue
from app.core.retention import enqueue_keep_long
from worker.context import context
from worker.deletion import delete_project
from worker.normalize import IntegrityError, normalize_feedback, normalize_run
from worker.projects import DEFAULT_PROJECT
from worker.records import AttachmentRecord, FeedbackRecord, RunRecord, StreamEntry, encode_entry

log = logging.getLogger("tracehouse.queue")


def ingest(payload: bytes) -> int:
    """Normalise runs, feedback and attachments; XADD them for the writer. Returns items handed on."""
    batch = decode_batch(payload)
    # This job's log lines carry the request id of the ingest request that was accepted.
    token = request_id_var.set(batch.request_id)
    try:
        return _ingest(batch)
    finally:
        request_id_var.reset(token)


def _ingest(batch: IngestBatch) -> int:
    ctx = context()
    workspace = batch.workspace_id
    if ctx.tombstones.refresh(ctx.redis):
        # A project was deleted: cached ids may name it, and a run must go to a new project of
        # that name rather than to the deleted one (app/core/deletions.py).
        ctx.projects.forget()
    if ctx.tombstones.dead(workspace):
        log.info("dropped a batch for deleted workspace %s", workspace)
        return 0
    runs: list[RunRecord] = []
    feedback: list[FeedbackRecord] = []
    rejected: list[Rejection] = []
    gone = 0

    def reject(kind: str, item: Any, item_id: Any, reason: str) -> None:
        label = f"{kind} {item_id}" if item_id else kind
        rejected.append(Rejection(label, kind, str(item_id) if item_id else None, reason, item))

    for kind, items in (("post", batch.posts), ("patch", batch.patches)):
        for run in items:
            try:
                record = normalize_run(run, kind, batch.received_at)
            except IntegrityError as exc:
                reject(kind, run, run.get("id"), str(exc))
                continue
            except Exception as exc:
                # A bug of ours on an odd item: set this one aside (replayable once fixed) rather
                # than fail the whole job on every retry.
                log.exception("could not normalise a %s; set aside", kind)
                reject(kind, run, run.get("id"), f"could not be normalised ({type(exc).__name__})")
                continue
            if kind == "post" or record.session_id or record.session_name:
                if ctx.tombstones.sent_to_deleted_project(
                    workspace, record.session_id, record.session_name or DEFAULT_PROJECT, batch.received_at
                ):
                    # Accepted before its project was deleted: writing it would bring it back.
                    gone += 1
                    continue
                record.project_id = ctx.projects.resolve(workspace, record.session_id, record.session_name)
                stamp = ctx.projects.retention(workspace, record.project_id)
                record.retention_days, record.payload_retention_days = stamp.days, stamp.payload_days
            # else a bare patch: project_id stays None, and the writer takes the run's existing project
            runs.append(record)
    for item in batch.feedback:
        try:
            judgement = normalize_feedback(item, batch.received_at)
        except IntegrityError as exc:
            reject("feedback", item, item.get("id"), str(exc))
            continue
        except Exception as exc:
            log.exception("could not normalise a feedback item; set aside")
            reject("feedback", item, item.get("id"), f"could not be normalised ({type(exc).__name__})")
            continue
        sid = judgement.session_id
        judgement.project_id = sid if sid and ctx.projects.exists(workspace, sid) else None
        feedback.append(judgement)
    if gone:
        log.info("dropped %d run(s) accepted before their project was deleted (workspace %s)", gone, workspace)
    attachments = [AttachmentRecord(a.run_id, a.name, a.content_type, a.data) for a in batch.attachments]
    dead = letters_for(workspace, "worker", rejected)
    with ctx.redis.pipeline(transaction=True) as pipe:
        if runs or feedback or attachments:
            entry = StreamEntry(workspace_id=workspace, runs=runs, feedback=feedback, attachments=attachments)
            pipe.xadd(redis_keys.RECORDS_STREAM, {redis_keys.RECORDS_FIELD: encode_entry(entry)})
        push_letters(ctx.redis, dead, pipeline=pipe)
        results = pipe.execute()
    judged = [f.run_id for f in feedback if f.run_id]
    if judged:
        # Feedback keeps its trace for the long tier (LangSmith's upgrade).
        enqueue_keep_long(queue(redis_keys.DEFAULT_QUEUE, ctx.redis), workspace, judged)
    if dead:
        note_dropped(results[-1])
        log.warning("set aside %d item(s) of a batch for workspace %s (see dead-letter list)", len(rejected), workspace)
    return len(runs) + len(feedback) + len(attachments)


def delete_project_data(workspace_id: str, project_id: str) -> None:
    """The name jobs enqueued before worker/deletion.py existed still carry."""
    delete_project(workspace_id, project_id)
