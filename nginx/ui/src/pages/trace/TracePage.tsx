import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import type { Project, Run } from "../../api/types";
import { PageHeader } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatCost, formatNumber } from "../../lib/format";
import { RunDetail, type DetailTab } from "./RunDetail";
import { isError, isPending, TraceTree } from "./TraceTree";
import { TraceSummary } from "./TraceSummary";
import { useTraceRuns } from "./useTrace";
import { useTraceTree } from "./useTraceTree";
import "./trace.css";

const POLL_MS = 2000;

/**
 * One trace: the run tree with a waterfall, and the selected run's inputs, outputs, metadata and
 * feedback. The URL names the selected run (/r/:runId, the link the SDK prints), so it is shareable.
 */
export function TracePage() {
  const { tenant = "", projectId = "", runId = "" } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const poll = search.get("poll") === "true";
  const projectPath = `/o/${tenant}/projects/p/${projectId}`;

  // Fired together: the selected run (full), the project (for the crumbs) and, as soon as the
  // trace id is known (from ?trace_id= at once, else from the run), the whole trace.
  // The selection changes at once (arrow keys repeat faster than the router navigates); the URL follows.
  const [selectedId, setSelectedId] = useState(runId);
  const navigated = useRef<string[]>([]); // ids we sent the URL to, oldest first
  useEffect(() => {
    const ours = navigated.current.indexOf(runId);
    if (ours >= 0) {
      // One of our own navigations landing: only the latest may set the selection.
      const latest = ours === navigated.current.length - 1;
      navigated.current = navigated.current.slice(ours + 1);
      if (!latest) return;
    }
    setSelectedId(runId);
  }, [runId]);
  const runState = useApi<Run>({ path: `/runs/${selectedId}` });
  const project = useApi<Project>({ path: `/sessions/${projectId}` });
  const knownTrace = useRef<string | null>(null);
  const traceId = search.get("trace_id") || (runState.data?.id === selectedId ? runState.data.trace_id : null) || knownTrace.current;
  if (traceId) knownTrace.current = traceId;

  const [rootPending, setRootPending] = useState(poll);
  const trace = useTraceRuns(traceId, poll && rootPending ? POLL_MS : null);

  const { roots, index, totals, collapsed, rows, now, span, root, toggle } = useTraceTree(trace.runs, trace.fetchedAt);

  useEffect(() => {
    if (trace.complete && root) setRootPending(isPending(root.run));
  }, [trace.complete, root]);

  // The run may not have arrived yet when the SDK prints its link: with ?poll=true keep asking.
  const notFound = runState.error?.status === 404 && !runState.data;
  const reloadRun = runState.reload;
  useEffect(() => {
    if (!poll || !notFound) return;
    const timer = window.setTimeout(reloadRun, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [poll, notFound, reloadRun, runState.error]);

  // A pending selected run: refresh its detail after each refresh of the tree (polling, Refresh).
  const selectedLight = index.get(selectedId)?.run;
  const detailPending = runState.data ? isPending(runState.data) : false;
  const lastFetch = useRef(0);
  useEffect(() => {
    const previous = lastFetch.current;
    lastFetch.current = trace.fetchedAt;
    if (previous !== 0 && trace.fetchedAt !== previous && detailPending) reloadRun();
  }, [trace.fetchedAt, detailPending, reloadRun]);

  const select = useCallback(
    (id: string) => {
      if (id === selectedId) return;
      setSelectedId(id);
      navigated.current = [...navigated.current.slice(-20), id];
      const params = new URLSearchParams(search);
      if (traceId) params.set("trace_id", traceId);
      navigate({ pathname: `${projectPath}/r/${id}`, search: `?${params.toString()}` }, { replace: true });
    },
    [selectedId, search, traceId, navigate, projectPath],
  );

  // Collapsing an ancestor of the selection would hide it: select that ancestor instead.
  useEffect(() => {
    let node = index.get(selectedId)?.parent ?? null;
    let hiddenBy: string | null = null;
    while (node) {
      if (collapsed.has(node.run.id)) hiddenBy = node.run.id;
      node = node.parent;
    }
    if (hiddenBy) select(hiddenBy);
  }, [collapsed, index, selectedId, select]);

  const [tab, setTab] = useState<DetailTab>("run");

  const crumbs = [
    { label: "Projects", to: `/o/${tenant}/projects` },
    { label: project.data?.name ?? "Project", to: projectPath },
  ];

  if (notFound && trace.runs.length === 0 && !poll) {
    return (
      <div className="trace-page">
        <PageHeader title="Run not found" crumbs={crumbs} />
        <EmptyState title="This run does not exist in this workspace">
          <p>
            It may have been deleted with its project, belong to another workspace, or not have been ingested yet.{" "}
            <span className="mono">{selectedId}</span>
          </p>
          <Link to={projectPath} className="btn">
            Back to the project
          </Link>
        </EmptyState>
      </div>
    );
  }

  const title = root?.run.name ?? (runState.data?.id === selectedId ? runState.data.name : undefined) ?? "Trace";
  let traceTotals = { tokens: 0, cost: 0 };
  for (const r of roots) {
    const t = totals.get(r.run.id);
    if (t) traceTotals = { tokens: traceTotals.tokens + t.tokens, cost: traceTotals.cost + t.cost };
  }
  const hasCost = trace.runs.some((r) => r.total_cost !== null && r.total_cost !== undefined);
  const errors = trace.runs.filter(isError).length;
  const polling = poll && rootPending;

  return (
    <div className="trace-page">
      <PageHeader
        title={title}
        crumbs={crumbs}
        subtitle={
          root ? (
            <span className="trace-summary">
              <TraceSummary root={root.run} span={span} runs={trace.runs.length} errors={errors} />
              <span>
                <span className="muted">Tokens</span> {formatNumber(traceTotals.tokens || null)}
              </span>
              <span>
                <span className="muted">Cost</span> {formatCost(hasCost ? traceTotals.cost : null)}
              </span>
            </span>
          ) : undefined
        }
        actions={
          <>
            {polling && (
              <span className="badge pending trace-live" role="status">
                <span className="live-dot" aria-hidden="true" /> Live: refreshing every 2 s
              </span>
            )}
            <button
              type="button"
              className="btn"
              onClick={() => {
                trace.reload();
                runState.reload();
              }}
              disabled={trace.loading}
            >
              {trace.loading && trace.complete ? "Refreshing…" : "Refresh"}
            </button>
          </>
        }
      />
      {notFound && poll && trace.runs.length === 0 ? (
        <div className="card">
          <Loading label="Waiting for the run to arrive" />
        </div>
      ) : (
        <div className="trace-layout">
          <section className="trace-pane card" aria-label="Trace tree" aria-busy={!trace.complete}>
            {trace.error && trace.runs.length === 0 ? (
              <ErrorState error={trace.error} retry={trace.reload} />
            ) : !traceId || (trace.runs.length === 0 && trace.loading) ? (
              runState.error && !traceId ? (
                <ErrorState error={runState.error} retry={runState.reload} />
              ) : (
                <Loading label="Loading trace" />
              )
            ) : trace.runs.length === 0 ? (
              <EmptyState title="No runs in this trace yet">
                The trace's runs have not been ingested yet. {poll ? "Waiting for them…" : "Refresh in a moment."}
              </EmptyState>
            ) : (
              <>
                {!trace.complete && (
                  <p className="muted trace-note" role="status">
                    Loaded {formatNumber(trace.runs.length)} runs, loading more…
                  </p>
                )}
                {trace.error && <ErrorState error={trace.error} retry={trace.reload} />}
                <TraceTree
                  rows={rows}
                  selectedId={selectedId}
                  collapsed={collapsed}
                  totals={totals}
                  span={span}
                  now={now}
                  onSelect={select}
                  onToggle={toggle}
                />
              </>
            )}
          </section>
          <section className="detail-pane card" aria-label="Selected run">
            {notFound ? (
              <EmptyState title="Run not found">
                <p>
                  No run <span className="mono">{selectedId}</span> in this workspace. Pick one from the tree, or go{" "}
                  <Link to={projectPath}>back to the project</Link>.
                </p>
              </EmptyState>
            ) : (
              <RunDetail
                key={selectedId}
                light={selectedLight}
                full={runState.data?.id === selectedId ? runState : { ...runState, data: undefined }}
                totals={totals.get(selectedId)}
                tab={tab}
                onTab={setTab}
                onSelect={select}
                actions
              />
            )}
          </section>
        </div>
      )}
    </div>
  );
}
