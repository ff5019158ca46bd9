import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "../../api/client";
import type { Run } from "../../api/types";

/** The light columns the tree and waterfall need; inputs/outputs come with the selected run. */
export const TREE_FIELDS = [
  "id",
  "name",
  "run_type",
  "status",
  "start_time",
  "end_time",
  "parent_run_id",
  "dotted_order",
  "trace_id",
  "session_id",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "total_cost",
  "first_token_time",
] as const;

/** A run as the tree query returns it: only the TREE_FIELDS columns of a Run. */
export type TraceRun = Pick<Run, (typeof TREE_FIELDS)[number]>;

interface Page {
  runs: TraceRun[];
  cursors?: { next?: string | null };
}

const PAGE_SIZE = 1000;
const MAX_PAGES = 200; // 200k runs: a guard against a cursor that never ends, not a real limit

export interface TraceState {
  runs: TraceRun[];
  /** Every page has arrived (false while the first load is still paging). */
  complete: boolean;
  loading: boolean;
  error?: ApiError;
  /** When the last complete fetch finished (ms): pending runs are drawn up to this moment. */
  fetchedAt: number;
  reload: () => void;
}

/**
 * Every run of a trace, paging /runs/query with the cursor until done. The first load shows
 * pages as they arrive; refreshes (reload, polling) keep the old runs until the new set is complete.
 * `queryPath` is the runs query to page (a shared trace has its own, public one).
 * `pollMs` re-fetches that long after each completed fetch (null: no polling).
 */
export function useTraceRuns(traceId: string | null, pollMs: number | null, queryPath = "/runs/query"): TraceState {
  const [state, setState] = useState<Omit<TraceState, "reload"> & { traceId: string | null }>({
    traceId,
    runs: [],
    complete: false,
    loading: traceId !== null,
    fetchedAt: 0,
  });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!traceId) return;
    const controller = new AbortController();
    const fresh = (prev: typeof state) => prev.traceId !== traceId;
    setState((prev) =>
      fresh(prev)
        ? { traceId, runs: [], complete: false, loading: true, fetchedAt: 0 }
        : { ...prev, loading: true },
    );
    (async () => {
      const all: TraceRun[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const body: Page = await api<Page>(
          {
            path: queryPath, // a shared trace's page asks /public/{token}/runs/query
            method: "POST",
            body: { trace: traceId, select: TREE_FIELDS, order: "asc", limit: PAGE_SIZE, cursor },
          },
          controller.signal,
        );
        all.push(...body.runs);
        cursor = body.cursors?.next ?? null;
        if (!cursor) break;
        // First load of a big trace: paint what has arrived so far.
        const partial = [...all];
        setState((prev) => (prev.complete && !fresh(prev) ? prev : { ...prev, traceId, runs: partial, loading: true }));
      }
      setState({ traceId, runs: all, complete: true, loading: false, fetchedAt: Date.now() });
    })().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      const apiError = error instanceof ApiError ? error : new ApiError(0, "client", String(error));
      setState((prev) => ({ ...prev, loading: false, error: apiError }));
    });
    return () => controller.abort();
  }, [traceId, generation, queryPath]);

  const waiting = state.loading;
  useEffect(() => {
    if (!pollMs || waiting || !traceId) return;
    const timer = window.setTimeout(() => setGeneration((g) => g + 1), pollMs);
    return () => window.clearTimeout(timer);
  }, [pollMs, waiting, traceId, state.fetchedAt]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  if (state.traceId !== traceId) {
    return { runs: [], complete: false, loading: traceId !== null, fetchedAt: 0, reload };
  }
  return { runs: state.runs, complete: state.complete, loading: state.loading, error: state.error, fetchedAt: state.fetchedAt, reload };
}
