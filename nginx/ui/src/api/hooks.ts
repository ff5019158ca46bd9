import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, currentTenant, type RequestSpec } from "./client";

// A small stale-while-revalidate cache: going back to a page paints what it showed last time
// at once, then refreshes. Keys include the workspace, so switching never shows another's data.
const cache = new Map<string, unknown>();
const MAX_ENTRIES = 200;

export function cacheKey(spec: RequestSpec): string {
  return JSON.stringify([currentTenant(), spec.method ?? "GET", spec.path, spec.query ?? null, spec.body ?? null]);
}

function remember(key: string, value: unknown): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

/** Forget cached answers whose path starts with `prefix` (after a write). */
export function invalidate(prefix: string): void {
  for (const key of [...cache.keys()]) {
    const path = JSON.parse(key)[2] as string;
    if (path.startsWith(prefix)) cache.delete(key);
  }
}

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Fetch `spec` (null: wait) and keep it current; re-fetches when the spec changes. */
export function useApi<T>(spec: RequestSpec | null): ApiState<T> {
  const key = spec ? cacheKey(spec) : null;
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError; loading: boolean }>(() => ({
    key,
    data: key ? (cache.get(key) as T | undefined) : undefined,
    loading: key !== null,
  }));
  const [generation, setGeneration] = useState(0);
  const specRef = useRef(spec);
  specRef.current = spec;

  useEffect(() => {
    if (key === null || specRef.current === null) {
      setState({ key, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((prev) => ({
      key,
      data: prev.key === key ? prev.data : (cache.get(key) as T | undefined),
      loading: true,
    }));
    api<T>(specRef.current, controller.signal)
      .then((data) => {
        remember(key, data);
        setState({ key, data, loading: false });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, "client", String(error));
        setState((prev) => ({ key, data: prev.key === key ? prev.data : undefined, error: apiError, loading: false }));
      });
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback(
    (data: T) => {
      if (key) remember(key, data);
      setState({ key, data, loading: false });
    },
    [key],
  );
  const current = state.key === key ? state : { data: undefined, error: undefined, loading: key !== null };
  return { data: current.data, error: current.error, loading: current.loading, reload, setData };
}

/** Run a write; tracks pending and error for the form that triggered it. */
export function useMutation<A extends unknown[], R>(run: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const mutate = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(undefined);
      try {
        return await run(...args);
      } catch (err) {
        setError(err instanceof ApiError ? err : new ApiError(0, "client", String(err)));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [run],
  );
  return { mutate, pending, error, clearError: () => setError(undefined) };
}
