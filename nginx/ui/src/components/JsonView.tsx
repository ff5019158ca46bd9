import { useState } from "react";

// Collapsible JSON: objects and arrays fold; the first `openDepth` levels start open.

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case "string":
      return <span className="json-string">"{value}"</span>;
    case "number":
      return <span className="json-number">{String(value)}</span>;
    case "boolean":
      return <span className="json-bool">{String(value)}</span>;
    default:
      return <span>{String(value)}</span>;
  }
}

function Node({ name, value, depth, openDepth }: { name?: string; value: unknown; depth: number; openDepth: number }) {
  const isContainer = value !== null && typeof value === "object";
  const [open, setOpen] = useState(depth < openDepth);
  const label = name !== undefined && <span className="json-key">{name}: </span>;
  if (!isContainer) {
    return (
      <div className="json-line">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const [openBrace, closeBrace] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div className="json-line">
        {label}
        {openBrace}
        {closeBrace}
      </div>
    );
  }
  return (
    <div className="json-node">
      <button type="button" className="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? "▾" : "▸"}</span>
        {label}
        {openBrace}
        {!open && <span className="json-summary">{` ${entries.length} ${entries.length === 1 ? "item" : "items"} ${closeBrace}`}</span>}
      </button>
      {open && (
        <div className="json-children">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          <div className="json-line">{closeBrace}</div>
        </div>
      )}
    </div>
  );
}

export function JsonView({ value, openDepth = 2 }: { value: unknown; openDepth?: number }) {
  return (
    <div className="json-view">
      <Node value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}
