import { useEffect, useRef } from "react";
import { COLUMNS, type ColumnId } from "./columns";

/** A checkbox menu choosing the runs table's optional columns. */
export function ColumnChooser({ visible, onChange }: { visible: ColumnId[]; onChange: (next: ColumnId[]) => void }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    // Close on a click elsewhere or Escape, as a menu does.
    const close = (event: Event) => {
      const details = ref.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== "Escape") return;
        details.open = false;
        details.querySelector("summary")?.focus();
      } else if (!details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, []);
  const toggle = (id: ColumnId, on: boolean) =>
    onChange(COLUMNS.map((c) => c.id).filter((c) => (c === id ? on : visible.includes(c))));
  return (
    <details className="column-chooser" ref={ref}>
      <summary className="btn btn-small">Columns</summary>
      <fieldset className="column-menu">
        <legend className="sr-only">Visible columns</legend>
        {COLUMNS.map((c) => (
          <label key={c.id} className="checkbox">
            <input type="checkbox" checked={visible.includes(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
            {c.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
