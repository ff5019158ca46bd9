import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { Link, useLocation, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import type { Run } from "../../api/types";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatCost, formatLatency, formatNumber, formatRelative, formatTimeFull, parseTime } from "../../lib/format";
import { useProject } from "../project/ProjectLayout";
import { SdkSnippet } from "../projects/ProjectsPage";
import { AddToQueueDialog } from "../queues/AddToQueueDialog";
import { ColumnChooser } from "./ColumnChooser";
import {
  COLUMNS,
  DEFAULT_SORT,
  PAGE_SIZES,
  SORT_OF_COLUMN,
  ariaSort,
  loadColumns,
  loadPageSize,
  nextSort,
  saveColumns,
  savePageSize,
  selectFor,
  sortFromParams,
  sortToParams,
  type ColumnId,
  type Sort,
  type SortField,
} from "./columns";
import { FilterBar } from "./FilterBar";
import {
  composeFilter,
  fromSearchParams,
  hasFilters,
  hidingToggles,
  innerRunsReason,
  localizeFilterError,
  shouldShowInnerRuns,
  toSearchParams,
  type FilterState,
} from "./filters";
import { RunsSummary, type RunStats } from "./RunsSummary";
import { isTypingTarget, moveRow } from "./keys";
import "./RunsPage.css";

type RunRow = Run & { latency?: number | null; error_preview?: string | null };
interface RunsAnswer {
  runs: RunRow[];
  cursors: { next: string | null };
}
interface PagerState {
  prev?: string[]; // cursors of the pages before this one ("" = the first page)
}

/** A project's runs: filterable, keyset-paginated, one request per page. */
export function RunsPage() {
  const { tenant = "" } = useParams();
  const { project, projectId } = useProject();
  const navigate = useNavigate();
  const location = useLocation();
  const [searchParams, setSearchParams] = useSearchParams();
  const [columns, setColumns] = useState<ColumnId[]>(loadColumns);
  const [pageSize, setPageSize] = useState<number>(loadPageSize);
  const canWrite = useWorkspace().role !== "viewer";
  // Rows picked for a bulk action (sending them to an annotation queue); kept across pages.
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [queueDialog, setQueueDialog] = useState(false);
  const toggleRow = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const state = useMemo(() => fromSearchParams(searchParams), [searchParams]);
  const sort = useMemo(() => sortFromParams(searchParams), [searchParams]);
  const filterKey = toSearchParams(state).toString();
  const cursor = searchParams.get("after") || undefined;
  const prevStack = (location.state as PagerState | null)?.prev ?? [];

  // Relative time ranges resolve when the filters change, not on every render (stable cache keys,
  // and every page of one listing uses the same bound).
  const { filter, rawOffset } = useMemo(
    () => composeFilter(state.quick, state.raw, Date.now()),
    [filterKey],
  );

  const baseBody = useMemo(
    () => ({ session: [projectId], filter, is_root: state.rootOnly ? true : undefined }),
    [projectId, filter, state.rootOnly],
  );
  // The default order is left out of the body (the API's own default; the same cache key as before).
  const sortBody =
    sort.by === DEFAULT_SORT.by && sort.order === DEFAULT_SORT.order ? {} : { sort_by: sort.by, order: sort.order };
  const runs = useApi<RunsAnswer>({
    path: "/runs/query",
    method: "POST",
    body: { ...baseBody, ...sortBody, select: selectFor(columns), limit: pageSize, cursor },
  });
  // How many runs match: asked once this filter's first page has arrived (and kept while paging).
  // Counting scans the whole project; on a 2-core box, sent alongside the page's own query it
  // would slow the rows people are waiting for.
  const baseKey = JSON.stringify(baseBody);
  const [countFor, setCountFor] = useState<string | null>(null);
  useEffect(() => {
    if (runs.data || runs.error) setCountFor(baseKey);
  }, [runs.data, runs.error, baseKey]);
  const statsReady = countFor === baseKey;
  const stats = useApi<RunStats>(statsReady ? { path: "/runs/stats", method: "POST", body: baseBody } : null);
  // A root run's tokens and cost are its trace's (as the rows show them), so over root runs the
  // summary's usage is summed over every run of the matching traces.
  const usageBody = state.rootOnly ? { session: [projectId], trace_filter: filter } : null;
  const usage = useApi<RunStats>(
    statsReady && usageBody ? { path: "/runs/stats", method: "POST", body: usageBody } : null,
  );

  // While the next page or filter loads, keep showing the last rows (dimmed) instead of a spinner.
  const lastRows = useRef<RunsAnswer | undefined>(undefined);
  if (runs.data) lastRows.current = runs.data;
  const invalidFilter = runs.error?.status === 400 || runs.error?.status === 422;
  const shown = runs.data ?? (runs.loading && !runs.error ? lastRows.current : undefined);

  // Set when a filter turned "Root runs only" off by itself: says so, with a way back.
  const [innerNotice, setInnerNotice] = useState<string | null>(null);
  const update = useCallback(
    (next: FilterState) => {
      let shown = next;
      if (shouldShowInnerRuns(state, next)) {
        shown = { ...next, rootOnly: false };
        setInnerNotice(innerRunsReason(next) ?? null);
      } else if (next.rootOnly || !innerRunsReason(next)) setInnerNotice(null);
      const params = toSearchParams(shown, searchParams);
      params.delete("after");
      setSearchParams(params);
    },
    [state, searchParams, setSearchParams],
  );
  const changeSort = (by: SortField) => {
    const params = sortToParams(nextSort(sort, by), searchParams);
    params.delete("after");
    setSearchParams(params);
  };

  const goTo = (after: string | undefined, prev: string[]) => {
    const params = new URLSearchParams(searchParams);
    if (after) params.set("after", after);
    else params.delete("after");
    setSearchParams(params, { state: { prev } satisfies PagerState });
  };
  const next = runs.data?.cursors.next ?? null;
  const pageNumber = cursor ? (prevStack.length > 0 ? prevStack.length + 1 : null) : 1;

  const changeColumns = (next: ColumnId[]) => {
    setColumns(next);
    saveColumns(next);
  };
  const changePageSize = (size: number) => {
    setPageSize(size);
    savePageSize(size);
    goTo(undefined, []);
  };

  const tagsSeen = useMemo(() => {
    const tags = new Set<string>();
    for (const run of shown?.runs ?? []) for (const tag of run.tags ?? []) tags.add(tag);
    return [...tags].sort();
  }, [shown]);
  const feedbackKeys = useMemo(() => {
    const keys = new Set<string>(Object.keys(project?.feedback_stats ?? {}));
    for (const run of shown?.runs ?? []) for (const key of Object.keys(run.feedback_stats ?? {})) keys.add(key);
    return [...keys].sort();
  }, [shown, project]);

  const href = (run: RunRow) => `/o/${tenant}/projects/p/${projectId}/r/${run.id}?trace_id=${run.trace_id}`;
  const open = (run: RunRow, newTab: boolean) => {
    const to = href(run);
    if (newTab) window.open(to, "_blank", "noopener");
    else navigate(to);
  };

  const clearFilters = () => update({ quick: { tags: [] }, raw: "", rootOnly: state.rootOnly });
  const filtered = hasFilters(state);
  const count = stats.data?.run_count;
  const empty = shown !== undefined && shown.runs.length === 0 && !runs.loading && !cursor;
  // Nothing found with a hiding toggle on: how many runs it hides (one count, only then).
  const hiding = hidingToggles(state);
  const hidden = useApi<RunStats>(
    empty && hiding.length > 0
      ? { path: "/runs/stats", method: "POST", body: { ...baseBody, is_root: undefined } }
      : null,
  );
  const showAllRuns = () => {
    setInnerNotice(null);
    const params = toSearchParams({ ...state, rootOnly: false }, searchParams);
    params.delete("after");
    setSearchParams(params);
  };

  // Keyboard: j/k move the row focus, Enter (on the row) opens it, / goes to the filter box.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTypingTarget(event.target) || document.querySelector("dialog[open], [role=dialog]")) return;
      if (event.key === "/") {
        const box = document.querySelector<HTMLInputElement>(".runs-page .filter-input");
        if (box) {
          event.preventDefault();
          box.focus();
          box.select();
        }
      } else if (event.key === "j" || event.key === "k") {
        const rows = [...document.querySelectorAll<HTMLElement>(".runs-table tbody tr")];
        const target = moveRow(rows.length, rows.indexOf(document.activeElement as HTMLElement), event.key === "j" ? 1 : -1);
        if (target !== null) {
          event.preventDefault();
          rows[target].focus();
          rows[target].scrollIntoView({ block: "nearest" });
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div className="runs-page">
      <FilterBar
        value={state}
        onChange={update}
        error={
          invalidFilter && runs.error
            ? localizeFilterError(runs.error.message, rawOffset, state.raw.trim().length)
            : undefined
        }
        tagsSeen={tagsSeen}
        feedbackKeys={feedbackKeys}
        effectiveFilter={filter}
      />
      <div className="runs-toolbar row">
        <span className="muted" aria-live="polite">
          {invalidFilter
            ? ""
            : count === undefined
              ? " "
              : `${formatNumber(count)} ${state.rootOnly ? "trace" : "run"}${count === 1 ? "" : "s"}${filtered ? " match" : ""}`}
        </span>
        {!invalidFilter && stats.data && stats.data.run_count > 0 && (
          <RunsSummary stats={stats.data} usage={usageBody ? usage.data : stats.data} />
        )}
        <span className="spacer" />
        {selected.size > 0 && (
          <>
            <span role="status">{formatNumber(selected.size)} selected</span>
            <button type="button" className="btn btn-small" onClick={() => setQueueDialog(true)}>
              Add to annotation queue
            </button>
            <button type="button" className="btn btn-small btn-quiet" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </>
        )}
        <ColumnChooser visible={columns} onChange={changeColumns} />
      </div>

      {innerNotice && !state.rootOnly && (
        <p className="runs-notice" role="status">
          Showing runs inside traces too: {innerNotice} matches runs below the root, so “Root runs only” was turned
          off.{" "}
          <button type="button" className="btn btn-small btn-quiet" onClick={() => update({ ...state, rootOnly: true })}>
            Back to root runs only
          </button>
        </p>
      )}
      {invalidFilter ? (
        <EmptyState title="The filter is not valid">
          Fix the query above (the message says where), or{" "}
          <button type="button" className="btn btn-small" onClick={clearFilters}>
            clear filters
          </button>
        </EmptyState>
      ) : shown === undefined ? (
        runs.error ? (
          <ErrorState error={runs.error} retry={runs.reload} />
        ) : (
          <Loading label="Loading runs" />
        )
      ) : shown.runs.length === 0 && !runs.loading ? (
        filtered || hiding.length > 0 ? (
          <EmptyState title={filtered ? "No runs match these filters" : "No root runs"}>
            {hiding.length > 0 && (
              <p className="runs-hidden-why">
                {hidden.data && hidden.data.run_count > 0
                  ? `${formatNumber(hidden.data.run_count)} run${hidden.data.run_count === 1 ? "" : "s"} inside traces match, hidden by `
                  : "Runs inside traces are hidden by "}
                {hiding.map((name) => `“${name}”`).join(" and ")}.
              </p>
            )}
            <span className="row">
              {hiding.length > 0 && (
                <button type="button" className="btn btn-primary" onClick={showAllRuns}>
                  Turn off “Root runs only”
                </button>
              )}
              {filtered && (
                <button type="button" className="btn" onClick={clearFilters}>
                  Clear filters
                </button>
              )}
            </span>
          </EmptyState>
        ) : cursor ? (
          <EmptyState title="No more runs">
            <button type="button" className="btn" onClick={() => goTo(undefined, [])}>
              Back to the first page
            </button>
          </EmptyState>
        ) : (
          <NoRunsYet projectName={project?.name} />
        )
      ) : (
        <>
          {runs.error && <ErrorState error={runs.error} retry={runs.reload} />}
          <RunsTable
            rows={shown.runs}
            columns={columns}
            sort={sort}
            onSort={changeSort}
            stale={runs.loading && !runs.data}
            href={href}
            onOpen={open}
            selected={canWrite ? selected : null}
            onToggleRow={toggleRow}
            onToggleAll={(ids, on) =>
              setSelected((prev) => {
                const next = new Set(prev);
                for (const id of ids) {
                  if (on) next.add(id);
                  else next.delete(id);
                }
                return next;
              })
            }
          />
          <nav className="pager" aria-label="Pages">
            <label className="row muted">
              Rows per page
              <select value={pageSize} onChange={(e) => changePageSize(Number(e.target.value))}>
                {PAGE_SIZES.map((size) => (
                  <option key={size} value={size}>
                    {size}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted runs-keys" id="runs-keys">
              Keys: <kbd>j</kbd> / <kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>/</kbd> filters
            </span>
            <span className="spacer" />
            {pageNumber !== null && <span className="muted">Page {pageNumber}</span>}
            <button
              type="button"
              className="btn"
              disabled={!cursor}
              onClick={() => goTo(undefined, [])}
              aria-label="First page"
            >
              « First
            </button>
            <button
              type="button"
              className="btn"
              disabled={!cursor || prevStack.length === 0}
              onClick={() => goTo(prevStack[prevStack.length - 1] || undefined, prevStack.slice(0, -1))}
              aria-label="Previous page"
            >
              ‹ Previous
            </button>
            <button
              type="button"
              className="btn"
              disabled={!next || runs.loading}
              onClick={() => next && goTo(next, [...prevStack, cursor ?? ""])}
              aria-label="Next page"
            >
              Next ›
            </button>
          </nav>
        </>
      )}
      {queueDialog && (
        <AddToQueueDialog
          open
          runIds={[...selected]}
          onClose={() => {
            setQueueDialog(false);
            setSelected(new Set());
          }}
        />
      )}
    </div>
  );
}

function NoRunsYet({ projectName }: { projectName?: string }) {
  return (
    <EmptyState title="No runs yet">
      <p>Send traces to this project with the LangSmith SDK:</p>
      <SdkSnippet project={projectName} />
    </EmptyState>
  );
}

function RunsTable({
  rows,
  columns,
  sort,
  onSort,
  stale,
  href,
  onOpen,
  selected,
  onToggleRow,
  onToggleAll,
}: {
  rows: RunRow[];
  columns: ColumnId[];
  sort: Sort;
  onSort: (by: SortField) => void;
  stale: boolean;
  href: (run: RunRow) => string;
  onOpen: (run: RunRow, newTab: boolean) => void;
  /** Rows picked for bulk actions; null: no selection column (a viewer has no bulk action). */
  selected: ReadonlySet<string> | null;
  onToggleRow: (id: string) => void;
  onToggleAll: (ids: string[], on: boolean) => void;
}) {
  const show = (id: ColumnId) => columns.includes(id);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [now] = useState(() => Date.now());

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, run: RunRow) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === "Enter") {
      event.preventDefault();
      onOpen(run, event.metaKey || event.ctrlKey);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const sibling =
        event.key === "ArrowDown" ? event.currentTarget.nextElementSibling : event.currentTarget.previousElementSibling;
      (sibling as HTMLElement | null)?.focus();
    }
  };
  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, run: RunRow) => {
    if ((event.target as HTMLElement).closest("a, button, input, .run-pick")) return;
    if (window.getSelection()?.toString()) return; // selecting text is not a click
    onOpen(run, event.metaKey || event.ctrlKey);
  };

  useEffect(() => {
    if (!stale) bodyRef.current?.closest(".table-wrap")?.scrollTo({ top: 0 });
  }, [rows, stale]);

  return (
    <div className={stale ? "table-wrap runs-table stale" : "table-wrap runs-table"} aria-busy={stale}>
      <table className="table">
        <thead>
          <tr>
            {selected && (
              <th scope="col" className="run-pick">
                <input
                  type="checkbox"
                  aria-label="Select all runs on this page"
                  checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                  onChange={(e) => onToggleAll(rows.map((r) => r.id), e.target.checked)}
                />
              </th>
            )}
            <SortableHeader label="Name" by="name" sort={sort} onSort={onSort} />
            {COLUMNS.filter((c) => show(c.id)).map((c) => (
              <SortableHeader
                key={c.id}
                label={c.label}
                by={SORT_OF_COLUMN[c.id]}
                sort={sort}
                onSort={onSort}
                className={["latency", "tokens", "cost"].includes(c.id) ? "num" : c.id === "input" || c.id === "output" ? "run-preview-col" : undefined}
              />
            ))}
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {rows.map((run) => (
            <tr
              key={run.id}
              className="clickable"
              tabIndex={0}
              aria-describedby="runs-keys"
              onClick={(e) => onRowClick(e, run)}
              onKeyDown={(e) => onRowKey(e, run)}
            >
              {selected && (
                <td className="run-pick">
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.name}`}
                    checked={selected.has(run.id)}
                    onChange={() => onToggleRow(run.id)}
                  />
                </td>
              )}
              <td className="run-name">
                <Link to={href(run)} tabIndex={-1}>
                  {run.name}
                </Link>
              </td>
              {show("type") && (
                <td>
                  <span className={`run-type ${run.run_type}`}>{run.run_type}</span>
                </td>
              )}
              {show("status") && (
                <td>
                  <StatusBadge status={run.status} error={run.error_preview ?? run.error} />
                </td>
              )}
              {show("input") && (
                <td className="run-preview" title={run.inputs_preview || undefined}>
                  {run.inputs_preview || <span className="muted">–</span>}
                </td>
              )}
              {show("output") && (
                <td className="run-preview" title={run.error_preview || run.outputs_preview || undefined}>
                  {run.error_preview ? (
                    <span className="run-error">{run.error_preview}</span>
                  ) : (
                    run.outputs_preview || <span className="muted">–</span>
                  )}
                </td>
              )}
              {show("start") && (
                <td className="nowrap" title={formatTimeFull(run.start_time)}>
                  {formatRelative(run.start_time, now)}
                </td>
              )}
              {show("start_abs") && (
                <td className="nowrap">
                  <time dateTime={parseTime(run.start_time)?.toISOString()}>{formatTimeFull(run.start_time)}</time>
                </td>
              )}
              {show("latency") && <td className="num nowrap">{formatLatency(run.latency)}</td>}
              {show("tokens") && (
                <td
                  className="num"
                  title={
                    run.total_tokens
                      ? `${formatNumber(run.prompt_tokens)} prompt + ${formatNumber(run.completion_tokens)} completion`
                      : undefined
                  }
                >
                  {run.total_tokens ? formatNumber(run.total_tokens) : "–"}
                </td>
              )}
              {show("cost") && <td className="num">{run.total_cost ? formatCost(run.total_cost) : "–"}</td>}
              {show("feedback") && (
                <td>
                  <FeedbackChips stats={run.feedback_stats} />
                </td>
              )}
              {show("tags") && (
                <td>
                  <span className="run-tags">
                    {(run.tags ?? []).map((tag) => (
                      <span key={tag} className="badge">
                        {tag}
                      </span>
                    ))}
                  </span>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SortableHeader({
  label,
  by,
  sort,
  onSort,
  className,
}: {
  label: string;
  by: SortField | undefined;
  sort: Sort;
  onSort: (by: SortField) => void;
  className?: string;
}) {
  if (!by)
    return (
      <th scope="col" className={className}>
        {label}
      </th>
    );
  const current = ariaSort(sort, by);
  return (
    <th scope="col" className={className} aria-sort={current}>
      <button type="button" className="th-sort" onClick={() => onSort(by)} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        <span className="th-sort-arrow" aria-hidden="true">
          {current === "ascending" ? "▲" : current === "descending" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}

function StatusBadge({ status, error }: { status?: string; error?: string | null }) {
  if (status === "error")
    return (
      <span className="badge err" title={error ?? undefined}>
        error
        {error && <span className="sr-only">: {error}</span>}
      </span>
    );
  if (status === "pending") return <span className="badge pending">pending</span>;
  return <span className="badge ok">{status ?? "success"}</span>;
}

function FeedbackChips({ stats }: { stats?: Run["feedback_stats"] }) {
  const entries = Object.entries(stats ?? {});
  if (entries.length === 0) return null;
  return (
    <span className="feedback-chips">
      {entries.map(([key, { n, avg }]) => (
        <span key={key} className="badge accent" title={`${key}: average ${avg ?? "–"} over ${n}`}>
          {key}: {avg === null || avg === undefined ? "–" : formatNumber(Math.round(avg * 100) / 100)}
        </span>
      ))}
    </span>
  );
}
