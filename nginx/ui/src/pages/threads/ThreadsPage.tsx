import { useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { CopyButton } from "../../components/CopyButton";
import { JsonView } from "../../components/JsonView";
import { ConversationView } from "../../components/messages/Conversation";
import { latestUserMessages, replyMessage, toChat } from "../../components/messages/normalize";
import { RunIO } from "../../components/RunIO";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { NoMatches, Pager, Refreshing, SearchBox, useNumberParam } from "../../components/ListPage";
import { useSearchInput } from "../../lib/useSearchInput";
import { DataTable, TimeCell, type Column } from "../../components/Table";
import {
  formatCost,
  formatLatency,
  formatNumber,
  formatRelative,
  formatTime,
  formatTokens,
  secondsBetween,
} from "../../lib/format";
import { useProject } from "../project/ProjectLayout";
import { formatDuration, formatShortTime, plainText } from "./condense";
import type { Thread, ThreadDetail, ThreadPage, Turn } from "./types";
import "./ThreadsPage.css";

const PAGE_SIZE = 25;
const TURNS_PAGE = 20;
const MINUTE = 60e3;

/** The list's time ranges (the `range` URL parameter); none: all time. */
const RANGES = [
  { id: "1h", label: "1h", title: "Last hour", ms: 3600e3 },
  { id: "24h", label: "24h", title: "Last 24 hours", ms: 24 * 3600e3 },
  { id: "7d", label: "7d", title: "Last 7 days", ms: 7 * 86400e3 },
  { id: "30d", label: "30d", title: "Last 30 days", ms: 30 * 86400e3 },
] as const;

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
  const [params, setParams] = useSearchParams();
  const [offsetParam, goTo] = useNumberParam("offset");
  const offset = Math.max(0, offsetParam);
  const [search, setSearch] = useSearchInput("q", { resetParam: "offset" });
  const q = params.get("q") ?? "";
  const range = RANGES.find((r) => r.id === params.get("range"));
  // The window's start, fixed when the range is chosen (rounded to the minute) so that paging and
  // re-renders ask for the same window (and hit the cache) instead of a new one each time;
  // choosing a range again (`picked`) moves it to now.
  const [picked, setPicked] = useState(0);
  const startTime = useMemo(
    () => (range ? new Date(Math.ceil(Date.now() / MINUTE) * MINUTE - range.ms).toISOString() : undefined),
    [range, picked],
  );
  const state = useApi<ThreadPage>({
    path: `/sessions/${projectId}/threads`,
    query: { limit: PAGE_SIZE, offset, search: q || undefined, start_time: startTime },
  });
  const last = useRef<ThreadPage | undefined>(undefined);
  if (state.data) last.current = state.data;
  const shown = state.data ?? (state.loading && !state.error ? last.current : undefined);
  const filtered = q !== "" || range !== undefined;

  const chooseRange = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("range", id);
    else next.delete("range");
    next.delete("offset");
    setParams(next, { replace: true });
    setPicked((n) => n + 1);
  };
  const clearFilters = () => {
    setSearch("");
    const next = new URLSearchParams(params);
    for (const key of ["q", "range", "offset"]) next.delete(key);
    setParams(next, { replace: true });
  };

  if (shown === undefined) {
    return state.error ? <ErrorState error={state.error} retry={state.reload} /> : <Loading label="Loading threads" />;
  }
  if (shown.total === 0 && !filtered && offset === 0) return <NoThreads />;

  const open = (t: Thread) => navigate(threadPath(tenant, projectId, t.thread_id));
  const first = shown.threads.length ? shown.offset + 1 : 0;
  const lastShown = shown.offset + shown.threads.length;

  return (
    <div className={state.loading ? "threads is-stale" : "threads"}>
      <div className="threads-toolbar">
        <SearchBox
          label="Search threads by id or message text"
          placeholder="Search thread ids and messages…"
          className="threads-search"
          value={search}
          onValue={setSearch}
        />
        <div className="threads-range" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              className={range?.id === r.id ? "segment active" : "segment"}
              aria-pressed={range?.id === r.id}
              title={r.title}
              onClick={() => chooseRange(r.id)}
            >
              {r.label}
            </button>
          ))}
          <button
            type="button"
            className={range ? "segment" : "segment active"}
            aria-pressed={!range}
            title="All time"
            onClick={() => chooseRange(null)}
          >
            All
          </button>
        </div>
        <Refreshing state={state} />
      </div>
      <p className="muted threads-intro">
        {formatNumber(shown.total)} thread{shown.total === 1 ? "" : "s"}
        {range ? ` active in the ${range.title.toLowerCase()} (turns counted in that window)` : ""}
        {q ? ` matching “${q}”` : ""}, most recent activity first. A thread is the traces that share a{" "}
        <code>session_id</code>, <code>thread_id</code> or <code>conversation_id</code> in their metadata.
      </p>
      {state.error && <ErrorState error={state.error} retry={state.reload} />}
      {shown.total === 0 ? (
        <NoMatches
          title={`No threads${q ? ` match “${q}”` : ""}${range ? ` in the ${range.title.toLowerCase()}` : ""}`}
          onClear={clearFilters}
        />
      ) : (
        <DataTable scoped className="threads-table" columns={THREAD_COLUMNS}>
          {shown.threads.map((t) => (
            <tr key={t.thread_id} className="clickable" onClick={() => open(t)}>
              <td className="thread-id">
                <span className="thread-id-cell">
                  <Link to={threadPath(tenant, projectId, t.thread_id)} className="mono" onClick={(e) => e.stopPropagation()}>
                    {t.thread_id}
                  </Link>
                  {/* A cell's click opens the thread: the copy button must not. */}
                  <span onClick={(e) => e.stopPropagation()}>
                    <CopyButton
                      text={t.thread_id}
                      className="btn btn-small btn-quiet thread-copy"
                      accessibleName={`Copy thread id ${t.thread_id}`}
                    />
                  </span>
                </span>
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
              <td className="num">{formatTokens(t.total_tokens)}</td>
              <td className="num">{formatCost(t.total_cost)}</td>
              <td className="num">{formatLatency(t.latency_p50)}</td>
              <td className="num">
                {t.error_count > 0 ? <span className="badge err">{t.error_count}</span> : <span className="muted">0</span>}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {shown.total > 0 && (
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
      )}
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
        <div className="thread-title-row">
          <h2 className="thread-title">
            Thread <span className="mono">{thread.thread_id}</span>
          </h2>
          <CopyButton text={thread.thread_id} label="Copy id" accessibleName="Copy thread id" />
        </div>
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
        <Stat label="Tokens" value={formatTokens(thread.total_tokens)} />
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
  const [raw, setRaw] = useState(false);
  const [fullInput, setFullInput] = useState(false);
  // The turn as a chat: the new user message(s) of its input (a chat app re-sends the history
  // with each turn) and the reply; anything not recognisable as chat falls back to RunIO.
  const latest = useMemo(() => latestUserMessages(turn.inputs), [turn.inputs]);
  const whole = useMemo(() => (fullInput ? toChat(turn.inputs, "input") : null), [fullInput, turn.inputs]);
  const reply = useMemo(() => replyMessage(turn.outputs), [turn.outputs]);
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
            {/* A turn that recorded no usage says nothing about tokens rather than "0 tokens". */}
            {turn.total_tokens ? (
              <>
                <span aria-hidden="true">·</span>
                <span title={`${formatNumber(turn.prompt_tokens)} prompt, ${formatNumber(turn.completion_tokens)} completion`}>
                  {formatNumber(turn.total_tokens)} tokens
                </span>
              </>
            ) : null}
            {turn.total_cost !== null && (
              <>
                <span aria-hidden="true">·</span>
                <span>{formatCost(turn.total_cost)}</span>
              </>
            )}
          </span>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-small btn-quiet"
            aria-pressed={raw}
            aria-label={`Show turn ${index} as raw JSON`}
            onClick={() => setRaw((r) => !r)}
          >
            {raw ? "Chat" : "Raw JSON"}
          </button>
          <Link
            className="btn btn-small"
            to={`/o/${tenant}/projects/p/${projectId}/r/${turn.id}`}
            aria-label={`Open the trace of turn ${index}`}
          >
            Open trace →
          </Link>
        </header>
        {raw ? (
          <div className="turn-raw">
            <section aria-label={`Turn ${index} input`}>
              <h4 className="turn-raw-title">Input</h4>
              <JsonView value={turn.inputs} openDepth={3} />
            </section>
            <section aria-label={`Turn ${index} output`}>
              <h4 className="turn-raw-title">Output</h4>
              {turn.outputs === null ? <p className="muted">None</p> : <JsonView value={turn.outputs} openDepth={3} />}
            </section>
          </div>
        ) : (
          <div className="turn-chat">
            <div className="turn-side turn-user">
              {whole ? (
                <ConversationView messages={whole.messages} />
              ) : latest ? (
                <ConversationView messages={latest.messages} />
              ) : (
                <RunIO value={turn.inputs} label="User" />
              )}
              {latest && latest.hidden > 0 && (
                <button type="button" className="btn btn-quiet btn-small turn-history" onClick={() => setFullInput((f) => !f)}>
                  {fullInput
                    ? "Show only the new message"
                    : `Show the ${latest.hidden} earlier message${latest.hidden === 1 ? "" : "s"} of this input`}
                </button>
              )}
            </div>
            <div className="turn-side turn-assistant">
              {turn.error ? (
                <div className="turn-error" role="note">
                  <h4>Error</h4>
                  <pre>{turn.error}</pre>
                </div>
              ) : reply ? (
                <ConversationView messages={[reply]} />
              ) : (
                <RunIO value={turn.outputs} label="Assistant" />
              )}
            </div>
          </div>
        )}
      </article>
    </li>
  );
}
