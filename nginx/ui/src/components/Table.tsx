import type { ReactNode } from "react";
import { formatRelative, formatTime } from "../lib/format";

/** One header cell of a DataTable; `false` leaves a conditional column out. */
export type Column = { label: ReactNode; className?: string; title?: string } | false;

/** The last column of a table whose rows end in buttons: its header is for screen readers only. */
export const ACTIONS_COLUMN: Column = { label: <span className="sr-only">Actions</span> };

/** A scrolling `table.table` with one header row; `scoped` marks each header cell scope="col". */
export function DataTable({
  className,
  columns,
  scoped = false,
  children,
}: {
  className?: string;
  columns: Column[];
  scoped?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : "table"}>
        <thead>
          <tr>
            {columns.map(
              (column, i) =>
                column && (
                  <th key={i} scope={scoped ? "col" : undefined} className={column.className} title={column.title}>
                    {column.label}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A time as "3 hours ago", the exact time on hover. */
export function RelativeTime({ value }: { value: string | null | undefined }) {
  return <span title={formatTime(value)}>{formatRelative(value)}</span>;
}

/** A table cell with a time as "3 hours ago", the exact time on hover. */
export function TimeCell({ value }: { value: string | null | undefined }) {
  return (
    <td className="nowrap" title={formatTime(value)}>
      {formatRelative(value)}
    </td>
  );
}
