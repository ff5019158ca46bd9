// The scaffolds the settings tabs share: a headed section, its list as a table, row buttons, and
// the once-shown secret (a new key, an invitation link) with its copy button.
import type { ReactNode } from "react";
import type { ApiState } from "../../api/hooks";
import { CopyButton } from "../../components/CopyButton";
import { Async } from "../../components/States";
import { DataTable, type Column } from "../../components/Table";

/** A tab's section: heading, a line on what it holds, its buttons on the right, then its content. */
export function SettingsSection({
  id,
  title,
  description,
  actions,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="stack" aria-labelledby={id}>
      <div className="section-head">
        <div>
          <h2 id={id}>{title}</h2>
          <p className="muted">{description}</p>
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** A list the tab loads, as a table; `empty` stands in for an empty list. */
export function SettingsTable<T>({
  state,
  label,
  empty,
  className,
  columns,
  children,
}: {
  state: ApiState<T[]>;
  label: string;
  empty: ReactNode;
  className?: string;
  columns: Column[];
  children: (rows: T[]) => ReactNode;
}) {
  return (
    <Async state={state} label={label} isEmpty={(data) => data.length === 0} empty={empty}>
      {(data) => (
        <DataTable className={className} columns={columns}>
          {children(data)}
        </DataTable>
      )}
    </Async>
  );
}

/** A small button in a table row, named for what it acts on; `danger` draws it red. */
export function RowButton({
  label,
  danger = false,
  disabled,
  onClick,
  children,
}: {
  label: string;
  danger?: boolean;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={danger ? "btn btn-small btn-danger" : "btn btn-small"}
      aria-label={label}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** A secret shown once, selectable and with a copy button, labelled by `label`. */
export function OneTimeSecret({
  labelId,
  label,
  value,
  copyLabel,
}: {
  labelId: string;
  label: ReactNode;
  value: string;
  copyLabel: string;
}) {
  return (
    <div className="field">
      <span id={labelId}>{label}</span>
      <div className="row">
        <input
          className="key-value mono"
          aria-labelledby={labelId}
          readOnly
          value={value}
          onFocus={(event) => event.target.select()}
        />
        <CopyButton text={value} label={copyLabel} className="btn btn-primary" />
      </div>
    </div>
  );
}

/** The closing row of a dialog that only shows something. */
export function CloseRow({ label, onClose }: { label: string; onClose: () => void }) {
  return (
    <div className="row">
      <span className="spacer" />
      <button type="button" className="btn" onClick={onClose}>
        {label}
      </button>
    </div>
  );
}
