import { useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { RunIO } from "../../components/RunIO";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Pager, useNumberParam } from "../../components/ListPage";
import { DataTable, TimeCell, type Column } from "../../components/Table";
import {
  formatCost,
  formatLatency,
  formatNumber,
  formatRelative,
  formatTime,
  secondsBetween,
} from "../../lib/format";
import { useProject } from "../project/ProjectLayout";
import { formatDuration, formatShortTime, latestUserMessages, plainText } from "./condense";
import type { Thread, ThreadDetail, ThreadPage, Turn } from "./types";
import "./ThreadsPage.css";

const PAGE_SIZE = 25;
const TURNS_PAGE = 20;

const THREAD_COLUMNS: Column[] = [
  { label: "Thread" },
  { label: "Turns", className: "num" },
  { label: "First message · last reply" },
  { label: "Last activity" },
  { label: "Tokens", className: "num" },
  { label: "Cost", className: "num" },
  { label: "p50", className: "num" },
  { label: "Errors", className: "num" },
];

/** A project's conversations: the list of threads, or one thread turn by turn. */
export default function ThreadsPage() {
  const { threadId } = useParams();
  return threadId ? <ThreadView threadId={threadId} /> : <ThreadList />;
}

function threadPath(tenant: string, projectId: string, threadId: string): string {
  return `/o/${tenant}/projects/p/${projectId}/threads/${encodeURIComponent(threadId)}`;
}

function ThreadList() {
  const { tenant = "" } = useParams();
  const { projectId } = useProject();
  const navigate = useNavigate();
  const [offsetParam, goTo] = useNumberParam("offset");
  const offset = Math.max(0, offsetParam);
  const state = useApi<ThreadPage>({
    path: `/sessions/${projectId}/threads`,
    query: { limit: PAGE_SIZE, offset },
  });
  const last = useRef<ThreadPage | undefined>(undefined);
  if (state.data) last.current = state.data;
  const shown = state.data ?? (state.loading && !state.error ? last.current : undefined);

  if (shown === undefined) {
    return state.error ? <ErrorState error={state.error} retry={state.reload} /> : <Loading label="Loading threads" />;
  }
  if (shown.total === 0) return <NoThreads />;

  const open = (t: Thread) => navigate(threadPath(tenant, projectId, t.thread_id));
  const first = shown.threads.length ? shown.offset + 1 : 0;
  const lastShown = shown.offset + shown.threads.length;

  return (
    <div className={state.loading ? "threads is-stale" : "threads"}>
      <p className="muted threads-intro">
        {formatNumber(shown.total)} thread{shown.total === 1 ? "" : "s"}, most recent activity first. A thread is the
        traces that share a <code>session_id</code>, <code>thread_id</code> or <code>conversation_id</code> in their
        metadata.
      </p>
      {state.error && <ErrorState error={state.error} retry={state.reload} />}
      <DataTable scoped className="threads-table" columns={THREAD_COLUMNS}>
        {shown.threads.map((t) => (
          <tr key={t.thread_id} className="clickable" onClick={() => open(t)}>
            <td className="thread-id">
              <Link
                to={threadPath(tenant, projectId, t.thread_id)}
                className="mono"
                title={t.thread_id}
                onClick={(e) => e.stopPropagation()}
              >
                {t.thread_id}
              </Link>
            </td>
            <td className="num">{formatNumber(t.turn_count)}</td>
            <td className="thread-preview">
              <div className="preview-line">
                <span className="preview-role">User</span>
                <span className="preview-text" title={t.first_input_preview}>
                  {plainText(t.first_input_preview) || <span className="muted">–</span>}
                </span>
              </div>
              <div className="preview-line">
                <span className="preview-role">Reply</span>
                <span className="preview-text" title={t.last_output_preview}>
                  {plainText(t.last_output_preview) || <span className="muted">–</span>}
                </span>
              </div>
            </td>
            <TimeCell value={t.last_start_time} />
            <td className="num">{formatNumber(t.total_tokens)}</td>
            <td className="num">{formatCost(t.total_cost)}</td>
            <td className="num">{formatLatency(t.latency_p50)}</td>
            <td className="num">
              {t.error_count > 0 ? <span className="badge err">{t.error_count}</span> : <span className="muted">0</span>}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager
        label="Thread pages"
        status={
          <>
            {first}–{lastShown} of {formatNumber(shown.total)}
          </>
        }
        hasPrevious={shown.offset !== 0}
        hasNext={shown.next_offset !== null}
        onPrevious={() => goTo(Math.max(0, shown.offset - PAGE_SIZE))}
        onNext={() => shown.next_offset !== null && goTo(shown.next_offset)}
      />
    </div>
  );
}

function NoThreads() {
  return (
    <EmptyState title="No threads yet">
      <p>
        Threads group a project&apos;s traces into conversations. Traces join a thread when their metadata carries a{" "}
        <code>session_id</code>, <code>thread_id</code> or <code>conversation_id</code>; each such trace is one turn.
      </p>
      <pre className="threads-snippet">
        {`from langsmith import traceable

@traceable(metadata={"session_id": conversation_id})
def respond(message: str) -> str:
    ...

# or per call:
respond(message, langsmith_extra={"metadata": {"session_id": conversation_id}})`}
      </pre>
    </EmptyState>
  );
}

function ThreadView({ threadId }: { threadId: string }) {
  const { tenant = "" } = useParams();
  const { projectId } = useProject();
  const [pages, setPages] = useState(1);
  const first = useApi<ThreadDetail>({
    path: `/sessions/${projectId}/threads/${encodeURIComponent(threadId)}`,
    query: { limit: TURNS_PAGE, offset: 0 },
  });
  const back = `/o/${tenant}/projects/p/${projectId}/threads`;

  if (!first.data) {
    if (first.error?.status === 404) {
      return (
        <EmptyState title="Thread not found">
          No traces of this project belong to the thread <code>{threadId}</code>. <Link to={back}>All threads</Link>
        </EmptyState>
      );
    }
    return first.error ? <ErrorState error={first.error} retry={first.reload} /> : <Loading label="Loading thread" />;
  }
  const thread = first.data.thread;
  const loaded = Math.min(thread.turn_count, pages * TURNS_PAGE);
  const duration = secondsBetween(thread.first_start_time, thread.last_start_time);

  return (
    <div className="thread-view">
      <div className="thread-head">
        <Link to={back} className="thread-back">
          ← All threads
        </Link>
        <h2 className="thread-title">
          Thread <span className="mono">{thread.thread_id}</span>
        </h2>
      </div>
      <dl className="thread-stats">
        <Stat label="Turns" value={formatNumber(thread.turn_count)} />
        <Stat label="Started" value={formatShortTime(thread.first_start_time)} title={formatTime(thread.first_start_time)} />
        <Stat
          label="Last turn"
          value={formatRelative(thread.last_start_time)}
          title={formatTime(thread.last_start_time)}
          hint={thread.turn_count > 1 ? `${formatDuration(duration)} after the first` : undefined}
        />
        <Stat label="Tokens" value={formatNumber(thread.total_tokens)} />
        <Stat label="Cost" value={formatCost(thread.total_cost)} />
        <Stat label="Latency p50" value={formatLatency(thread.latency_p50)} />
        <Stat label="Errors" value={formatNumber(thread.error_count)} tone={thread.error_count ? "err" : undefined} />
      </dl>
      <ol className="turns" aria-label="Turns">
        <TurnList turns={first.data.turns} offset={0} tenant={tenant} projectId={projectId} />
        {Array.from({ length: pages - 1 }, (_, i) => (
          <MoreTurns
            key={i}
            threadId={threadId}
            offset={(i + 1) * TURNS_PAGE}
            tenant={tenant}
            projectId={projectId}
          />
        ))}
      </ol>
      {loaded < thread.turn_count && (
        <div className="turns-more">
          <button type="button" className="btn" onClick={() => setPages((p) => p + 1)}>
            Show {Math.min(TURNS_PAGE, thread.turn_count - loaded)} more turn
            {Math.min(TURNS_PAGE, thread.turn_count - loaded) === 1 ? "" : "s"}
          </button>
          <span className="muted">
            {loaded} of {thread.turn_count} shown
          </span>
        </div>
      )}
    </div>
  );
}

function Stat({
  label,
  value,
  title,
  hint,
  tone,
}: {
  label: string;
  value: string;
  title?: string;
  hint?: string;
  tone?: "err";
}) {
  return (
    <div className="stat">
      <dt className="stat-label">{label}</dt>
      <dd className={tone === "err" ? "stat-value is-err" : "stat-value"} title={title}>
        {value}
      </dd>
      {hint && <dd className="stat-hint muted">{hint}</dd>}
    </div>
  );
}

function MoreTurns({
  threadId,
  offset,
  tenant,
  projectId,
}: {
  threadId: string;
  offset: number;
  tenant: string;
  projectId: string;
}) {
  const state = useApi<ThreadDetail>({
    path: `/sessions/${projectId}/threads/${encodeURIComponent(threadId)}`,
    query: { limit: TURNS_PAGE, offset },
  });
  if (!state.data) {
    return (
      <li className="turns-loading">
        {state.error ? <ErrorState error={state.error} retry={state.reload} /> : <Loading label="Loading turns" />}
      </li>
    );
  }
  return <TurnList turns={state.data.turns} offset={offset} tenant={tenant} projectId={projectId} />;
}

function TurnList({
  turns,
  offset,
  tenant,
  projectId,
}: {
  turns: Turn[];
  offset: number;
  tenant: string;
  projectId: string;
}) {
  return (
    <>
      {turns.map((turn, i) => (
        <TurnCard key={turn.id} turn={turn} index={offset + i + 1} tenant={tenant} projectId={projectId} />
      ))}
    </>
  );
}

function TurnCard({ turn, index, tenant, projectId }: { turn: Turn; index: number; tenant: string; projectId: string }) {
  const [fullInput, setFullInput] = useState(false);
  const condensed = latestUserMessages(turn.inputs);
  const input = condensed && !fullInput ? condensed.value : turn.inputs;
  const status = turn.status === "success" ? "ok" : turn.status === "error" ? "err" : "warn";
  return (
    <li className="turn">
      <article aria-labelledby={`turn-${turn.id}`}>
        <header className="turn-header">
          <h3 id={`turn-${turn.id}`} className="turn-title">
            Turn {index}
          </h3>
          <span className="muted nowrap" title={formatTime(turn.start_time)}>
            {formatTime(turn.start_time)}
          </span>
          <span className={`badge ${status}`}>{turn.status}</span>
          <span className="turn-metrics">
            <span title="Latency">{formatLatency(turn.latency)}</span>
            <span aria-hidden="true">·</span>
            <span title={`${formatNumber(turn.prompt_tokens)} prompt, ${formatNumber(turn.completion_tokens)} completion`}>
              {formatNumber(turn.total_tokens)} tokens
            </span>
            {turn.total_cost !== null && (
              <>
                <span aria-hidden="true">·</span>
                <span>{formatCost(turn.total_cost)}</span>
              </>
            )}
          </span>
          <span className="spacer" />
          <Link
            className="btn btn-small"
            to={`/o/${tenant}/projects/p/${projectId}/r/${turn.id}`}
            aria-label={`Open the trace of turn ${index}`}
          >
            Open trace →
          </Link>
        </header>
        <div className="turn-body">
          <div className="turn-side turn-user">
            <RunIO value={input} label="User" />
            {condensed && (
              <button type="button" className="btn btn-quiet btn-small" onClick={() => setFullInput((f) => !f)}>
                {fullInput
                  ? "Show only the new message"
                  : `Show the full input (+${condensed.hidden} message${condensed.hidden === 1 ? "" : "s"})`}
              </button>
            )}
          </div>
          <div className="turn-side turn-assistant">
            {turn.error ? (
              <div className="turn-error" role="note">
                <h4>Error</h4>
                <pre>{turn.error}</pre>
              </div>
            ) : (
              <RunIO value={turn.outputs} label="Assistant" />
            )}
          </div>
        </div>
      </article>
    </li>
  );
}
