import type { ReactNode } from "react";
import type { ApiError } from "../api/client";
import type { ApiState } from "../api/hooks";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" aria-busy="true">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <strong>{title}</strong>
      {children && <div className="state-hint">{children}</div>}
    </div>
  );
}

export function ErrorState({ error, retry, title }: { error: ApiError | Error; retry?: () => void; title?: string }) {
  const status = "status" in error && error.status ? ` (${error.status})` : "";
  return (
    <div className="state state-error" role="alert">
      <strong>{title ?? `Something went wrong${status}`}</strong>
      <div className="state-hint">{error.message}</div>
      {retry && (
        <button type="button" className="btn" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Loading / error / empty / data for one request, in that order of precedence. */
export function Async<T>({
  state,
  children,
  empty,
  isEmpty,
  label,
}: {
  state: ApiState<T>;
  children: (data: T) => ReactNode;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  label?: string;
}) {
  if (state.data === undefined) {
    if (state.error) return <ErrorState error={state.error} retry={state.reload} />;
    return <Loading label={label} />;
  }
  if (empty && isEmpty?.(state.data)) return <>{empty}</>;
  return (
    <>
      {state.error && <ErrorState error={state.error} retry={state.reload} />}
      {children(state.data)}
    </>
  );
}

/** An inline error line for forms: a request's error, or a message from the form's own checks. */
export function FormError({ error }: { error?: ApiError | Error | string | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {typeof error === "string" ? error : error.message}
    </p>
  );
}
