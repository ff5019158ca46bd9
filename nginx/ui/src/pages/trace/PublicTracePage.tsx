import { useCallback, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import type { Run } from "../../api/types";
import { Brand } from "../../components/Brand";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import type { DetailTab } from "./RunDetail";
import { TracePanes } from "./TracePanes";
import { TraceSummary } from "./TraceSummary";
import { useTraceRuns } from "./useTrace";
import { useTraceTree } from "./useTraceTree";
import "./trace.css";

/**
 * A shared trace, read-only and without a login: what the share link (`/public/{token}/r`, the
 * address the SDK's `share_run` prints) opens. Everything comes from the token's public API, which
 * only ever shows the shared run's own trace; once sharing stops, the page says so.
 */
export function PublicTracePage() {
  const { token = "", runId } = useParams();
  const navigate = useNavigate();
  const base = `/public/${token}`;
  const shared = useApi<Run>({ path: `${base}/run` });
  const selectedId = runId ?? shared.data?.id ?? "";
  const selected = useApi<Run>(runId ? { path: `${base}/run/${runId}` } : null);
  const full = runId ? selected : shared;
  const trace = useTraceRuns(shared.data?.trace_id ?? null, null, `${base}/runs/query`);

  const tree = useTraceTree(trace.runs, trace.fetchedAt);
  const { root, span } = tree;
  const [tab, setTab] = useState<DetailTab>("run");

  const select = useCallback(
    (id: string) => {
      if (id !== selectedId) navigate(`${base}/r/${id}`, { replace: true });
    },
    [selectedId, navigate, base],
  );

  const gone = shared.error?.status === 404 || shared.error?.status === 422;
  return (
    <div className="public-trace">
      <header className="public-trace-header">
        <Brand />
        <span className="badge">Shared trace · read-only</span>
      </header>
      <main>
        {gone ? (
          <div className="card">
            <EmptyState title="This trace is not shared">
              The link is wrong, or whoever shared the trace has stopped sharing it.
            </EmptyState>
          </div>
        ) : shared.error ? (
          <ErrorState error={shared.error} retry={shared.reload} />
        ) : !shared.data ? (
          <Loading label="Loading the shared trace" />
        ) : (
          <div className="trace-page public-trace-body">
            <div className="page-header">
              <h1>{root?.run.name ?? shared.data.name}</h1>
              {root && (
                <p className="subtitle trace-summary">
                  <TraceSummary root={root.run} span={span} runs={trace.runs.length} />
                </p>
              )}
            </div>
            <div className="trace-layout">
              <TracePanes trace={trace} tree={tree} selectedId={selectedId} onSelect={select} full={full} tab={tab} onTab={setTab} readOnly />
            </div>
          </div>
        )}
      </main>
    </div>
  );
}
