import { formatLatency, formatNumber, formatTime } from "../../lib/format";
import { isError, isPending, type Span } from "./TraceTree";
import type { TraceRun } from "./useTrace";

/** A trace's status, start, latency and run count (the trace page's and a shared trace's header). */
export function TraceSummary({ root, span, runs, errors = 0 }: { root: TraceRun; span: Span; runs: number; errors?: number }) {
  const status = isError(root) ? "error" : isPending(root) ? "running" : "success";
  return (
    <>
      <span className={`badge ${status === "error" ? "err" : status === "running" ? "pending" : "ok"}`}>{status}</span>
      <span>{formatTime(root.start_time)}</span>
      <span>
        <span className="muted">Latency</span> {formatLatency(span.total / 1000)}
      </span>
      <span>
        <span className="muted">Runs</span> {formatNumber(runs)}
        {errors > 0 && <span className="err-text"> ({errors} failed)</span>}
      </span>
    </>
  );
}
