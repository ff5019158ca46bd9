// The pieces the list pages (projects, datasets, examples, prompts, threads) share: the search box,
// the refreshing spinner, the pager and the page-offset URL parameter.
import type { ReactNode } from "react";
import { useSearchParams } from "react-router-dom";
import type { ApiState } from "../api/hooks";
import { EmptyState } from "./States";

type SearchBoxProps = {
  label: string;
  placeholder: string;
  className: string;
  value: string;
  onValue: (value: string) => void;
};

/** A search box (its text usually comes from useSearchInput). */
export function SearchBox({ label, placeholder, className, value, onValue }: SearchBoxProps) {
  return (
    <input
      type="search"
      className={className}
      aria-label={label}
      placeholder={placeholder}
      value={value}
      onChange={(e) => onValue(e.target.value)}
    />
  );
}

/** A list's toolbar: its search box, then `children`, then (given the list's `state`) the refreshing spinner. */
export function SearchToolbar({
  className,
  search,
  state,
  children,
}: {
  className: string;
  search: SearchBoxProps;
  state?: Pick<ApiState<unknown>, "loading" | "data">;
  children?: ReactNode;
}) {
  return (
    <div className={className}>
      <SearchBox {...search} />
      {children}
      {state && <Refreshing state={state} />}
    </div>
  );
}

/** The empty state of a search that found nothing, with a button that clears it (given `onClear`). */
export function NoMatches({ title, onClear }: { title: string; onClear?: () => void }) {
  return (
    <EmptyState title={title}>
      {onClear && (
        <button type="button" className="btn" onClick={onClear}>
          Clear search
        </button>
      )}
    </EmptyState>
  );
}

/** A spinner while a list that is already shown reloads. */
export function Refreshing({ state }: { state: Pick<ApiState<unknown>, "loading" | "data"> }) {
  return state.loading && state.data !== undefined ? <span className="spinner" aria-label="Refreshing" /> : null;
}

/** Previous / next buttons after a status line; a <nav> when it has a `label`. */
export function Pager({
  label,
  status,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  buttonClassName = "btn btn-small",
  previousLabel = "Previous",
  nextLabel = "Next",
}: {
  label?: string;
  status: ReactNode;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  buttonClassName?: string;
  previousLabel?: string;
  nextLabel?: string;
}) {
  const body = (
    <>
      <span className="muted">{status}</span>
      <button type="button" className={buttonClassName} disabled={!hasPrevious} onClick={onPrevious}>
        {previousLabel}
      </button>
      <button type="button" className={buttonClassName} disabled={!hasNext} onClick={onNext}>
        {nextLabel}
      </button>
    </>
  );
  return label ? (
    <nav className="pager" aria-label={label}>
      {body}
    </nav>
  ) : (
    <div className="pager">{body}</div>
  );
}

/** A page number or offset kept in the URL parameter `name` (0 if absent), and a setter that drops it at 0. */
export function useNumberParam(name: string): [number, (value: number) => void] {
  const [params, setParams] = useSearchParams();
  const value = Number(params.get(name) ?? 0) || 0;
  const go = (next: number) => {
    const changed = new URLSearchParams(params);
    if (next > 0) changed.set(name, String(next));
    else changed.delete(name);
    setParams(changed);
  };
  return [value, go];
}
