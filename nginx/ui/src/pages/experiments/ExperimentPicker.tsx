import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { ApiState } from "../../api/hooks";
import type { Project } from "../../api/types";
import { formatRelative } from "../../lib/format";
import { experimentColor } from "./compareFormat";

export const MAX_EXPERIMENTS = 10;

export interface SelectedExperiment {
  id: string;
  name: string;
  /** false: the id is not an experiment of this dataset */
  valid: boolean;
}

/** The header's selection: removable chips, the baseline choice, and the "Add experiment" menu. */
export function ExperimentPicker({
  selected,
  baselineId,
  experiments,
  onRemove,
  onAdd,
  onBaseline,
}: {
  selected: SelectedExperiment[];
  baselineId: string | null;
  experiments: ApiState<Project[]>;
  onRemove: (id: string) => void;
  onAdd: (id: string) => void;
  onBaseline: (id: string) => void;
}) {
  const valid = selected.filter((s) => s.valid);
  return (
    <div className="cmp-picker" role="group" aria-label="Experiments to compare">
      <ul className="cmp-chips" aria-label="Selected experiments">
        {selected.map((s, index) => (
          <li key={s.id} className={s.valid ? "cmp-chip" : "cmp-chip invalid"}>
            <span className="cmp-dot" style={{ background: experimentColor(index) }} aria-hidden="true" />
            <span className="cmp-chip-name" title={s.id}>
              {s.name}
            </span>
            {s.id === baselineId && <span className="badge accent">baseline</span>}
            {!s.valid && <span className="badge err">not in this dataset</span>}
            <button
              type="button"
              className="cmp-chip-remove"
              aria-label={`Remove ${s.name} from the comparison`}
              title="Remove"
              onClick={() => onRemove(s.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <AddExperimentMenu
        experiments={experiments}
        exclude={selected.map((s) => s.id)}
        full={selected.length >= MAX_EXPERIMENTS}
        onAdd={onAdd}
      />
      {valid.length > 1 && (
        <label className="cmp-inline-field">
          <span>Baseline</span>
          <select value={baselineId ?? ""} onChange={(event) => onBaseline(event.target.value)}>
            {valid.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

export function AddExperimentMenu({
  experiments,
  exclude,
  full,
  onAdd,
  label = "Add experiment",
  primary,
}: {
  experiments: ApiState<Project[]>;
  exclude: string[];
  full: boolean;
  onAdd: (id: string) => void;
  label?: string;
  primary?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    input.current?.focus();
    const onDown = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const options = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (experiments.data ?? []).filter(
      (p) => !exclude.includes(p.id) && (!needle || p.name.toLowerCase().includes(needle)),
    );
  }, [experiments.data, exclude, filter]);

  const close = () => {
    setOpen(false);
    setFilter("");
    button.current?.focus();
  };

  return (
    <div
      className="cmp-menu"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          event.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className={primary ? "btn btn-primary" : "btn"}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={full}
        title={full ? `At most ${MAX_EXPERIMENTS} experiments can be compared` : undefined}
        onClick={() => (open ? close() : setOpen(true))}
      >
        + {label}
      </button>
      {open && (
        <div className="cmp-menu-popover" id={menuId}>
          <input
            ref={input}
            type="search"
            placeholder="Filter experiments…"
            aria-label="Filter experiments"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && options.length > 0) {
                onAdd(options[0].id);
                close();
              }
            }}
          />
          {experiments.data === undefined ? (
            experiments.error ? (
              <p className="cmp-menu-note err-text">Could not list experiments: {experiments.error.message}</p>
            ) : (
              <p className="cmp-menu-note muted">Loading experiments…</p>
            )
          ) : options.length === 0 ? (
            <p className="cmp-menu-note muted">
              {filter ? "No experiment matches." : "No other experiments on this dataset."}
            </p>
          ) : (
            <ul className="cmp-menu-list" aria-label="Experiments of this dataset">
              {options.map((p) => (
                <li key={p.id}>
                  <button
                    type="button"
                    onClick={() => {
                      onAdd(p.id);
                      close();
                    }}
                  >
                    <span className="cmp-menu-name">{p.name}</span>
                    <span className="muted cmp-menu-meta">{formatRelative(p.start_time)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
