import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from "react";
import {
  RUN_TYPES,
  STATUSES,
  TIME_RANGES,
  FilterSyntaxError,
  chipsOf,
  hasFilters,
  liftQuickFilters,
  parse,
  removeChip,
  type FilterState,
  type QuickFilters,
  type RunStatus,
  type TimeRange,
} from "./filters";
import "./FilterBar.css";

export interface FilterBarProps {
  value: FilterState;
  onChange: (next: FilterState) => void;
  /** The server's message when the filter is invalid (a 400). */
  error?: string;
  /** Tags seen in the loaded runs, offered as suggestions. */
  tagsSeen?: string[];
  /** Feedback keys seen in the project, offered as suggestions. */
  feedbackKeys?: string[];
  /** The composed filter string sent to the API, shown for people learning the language. */
  effectiveFilter?: string;
}

/**
 * The runs table's filters: the raw query language (applied on Enter) plus quick filters that
 * compose into it, shown as removable chips, and the root-only toggle.
 */
export function FilterBar({
  value,
  onChange,
  error: serverError,
  tagsSeen = [],
  feedbackKeys = [],
  effectiveFilter,
}: FilterBarProps) {
  const ids = useId();
  const [draft, setDraft] = useState(value.raw);
  const [tag, setTag] = useState("");
  const [fbKey, setFbKey] = useState("");
  const [fbMin, setFbMin] = useState("");
  useEffect(() => setDraft(value.raw), [value.raw]);

  const setQuick = (quick: QuickFilters) => onChange({ ...value, quick });

  // Syntax errors are caught here, before a request: the message then points into what was typed
  // (the server sees it wrapped in the quick filters' and(...)), and the table keeps its rows.
  const [syntaxError, setSyntaxError] = useState<string | null>(null);
  const error = syntaxError ?? serverError;
  const applyRaw = () => {
    if (draft.trim()) {
      try {
        parse(draft);
      } catch (err) {
        if (err instanceof FilterSyntaxError) return setSyntaxError(`invalid filter: ${err.message}`);
        throw err;
      }
    }
    setSyntaxError(null);
    const lifted = liftQuickFilters(draft, value.quick);
    setDraft(lifted.raw);
    onChange({ ...value, quick: lifted.quick, raw: lifted.raw });
  };

  const onRawKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      applyRaw();
    } else if (event.key === "Escape" && draft !== value.raw) {
      event.preventDefault();
      setDraft(value.raw);
    }
  };

  const addTag = (event: FormEvent) => {
    event.preventDefault();
    const t = tag.trim();
    if (!t) return;
    if (!value.quick.tags.includes(t)) setQuick({ ...value.quick, tags: [...value.quick.tags, t] });
    setTag("");
  };

  const addFeedback = (event: FormEvent) => {
    event.preventDefault();
    const key = fbKey.trim();
    if (!key) return;
    const min = fbMin.trim() === "" ? undefined : Number(fbMin);
    setQuick({ ...value.quick, feedback: min === undefined || Number.isNaN(min) ? { key } : { key, min } });
    setFbKey("");
    setFbMin("");
  };

  const chips = chipsOf(value.quick);
  const dirty = draft.trim() !== value.raw.trim();
  const unusedTags = tagsSeen.filter((t) => !value.quick.tags.includes(t));

  return (
    <section className="filter-bar" aria-label="Run filters">
      <div className="filter-query">
        <label htmlFor={`${ids}-raw`} className="sr-only">
          Filter query
        </label>
        <input
          id={`${ids}-raw`}
          className={error ? "mono filter-input invalid" : "mono filter-input"}
          type="search"
          value={draft}
          placeholder='Filter, e.g. and(gt(latency, "2s"), search("refund")) — press Enter'
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${ids}-error` : `${ids}-help`}
          onChange={(e) => {
            setDraft(e.target.value);
            setSyntaxError(null);
          }}
          onKeyDown={onRawKey}
        />
        <button type="button" className={dirty ? "btn btn-primary" : "btn"} onClick={applyRaw} disabled={!dirty}>
          Apply
        </button>
        <label className="checkbox filter-root" title="Only top-level runs (one row per trace)">
          <input
            type="checkbox"
            checked={value.rootOnly}
            onChange={(e) => onChange({ ...value, rootOnly: e.target.checked })}
          />
          Root runs only
        </label>
      </div>
      {error ? (
        <p id={`${ids}-error`} className="filter-error" role="alert">
          {error}
        </p>
      ) : (
        <p id={`${ids}-help`} className="sr-only">
          The query language: eq, neq, gt, gte, lt, lte, has, in, exists, search, combined with and, or, not.
        </p>
      )}

      <div className="filter-quick row wrap">
        <select
          aria-label="Run type"
          value={value.quick.runType ?? ""}
          onChange={(e) => setQuick({ ...value.quick, runType: e.target.value || undefined })}
        >
          <option value="">Any type</option>
          {[...new Set([...RUN_TYPES, ...(value.quick.runType ? [value.quick.runType] : [])])].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select
          aria-label="Status"
          value={value.quick.status ?? ""}
          onChange={(e) => setQuick({ ...value.quick, status: (e.target.value || undefined) as RunStatus | undefined })}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select
          aria-label="Time range"
          value={value.quick.range ?? ""}
          onChange={(e) => setQuick({ ...value.quick, range: (e.target.value || undefined) as TimeRange | undefined })}
        >
          <option value="">All time</option>
          {(Object.keys(TIME_RANGES) as TimeRange[]).map((r) => (
            <option key={r} value={r}>
              {TIME_RANGES[r].label}
            </option>
          ))}
        </select>

        <form className="filter-group" onSubmit={addTag}>
          <input
            aria-label="Tag"
            className="filter-tag"
            list={`${ids}-tags`}
            placeholder="Tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <datalist id={`${ids}-tags`}>
            {unusedTags.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <button type="submit" className="btn" disabled={!tag.trim()}>
            Add tag
          </button>
        </form>

        <form className="filter-group" onSubmit={addFeedback}>
          <input
            aria-label="Feedback key"
            className="filter-fb-key"
            list={`${ids}-fb`}
            placeholder="Feedback key"
            value={fbKey}
            onChange={(e) => setFbKey(e.target.value)}
          />
          <datalist id={`${ids}-fb`}>
            {feedbackKeys.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
          <input
            aria-label="Minimum feedback score"
            className="filter-fb-min"
            type="number"
            step="any"
            placeholder="min score"
            value={fbMin}
            onChange={(e) => setFbMin(e.target.value)}
          />
          <button type="submit" className="btn" disabled={!fbKey.trim()}>
            Add feedback
          </button>
        </form>
      </div>

      {(chips.length > 0 || hasFilters(value)) && (
        <div className="filter-chips row wrap">
          <ul className="chip-list" aria-label="Active filters">
            {chips.map((chip) => (
              <li key={chip.id} className="chip">
                <span>{chip.label}</span>
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove filter ${chip.label}`}
                  onClick={() => setQuick(removeChip(value.quick, chip.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="btn btn-quiet btn-small"
            onClick={() => {
              setDraft("");
              onChange({ ...value, quick: { tags: [] }, raw: "" });
            }}
          >
            Clear all
          </button>
          {effectiveFilter && (
            <details className="filter-effective">
              <summary>Query sent</summary>
              <code>{effectiveFilter}</code>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
