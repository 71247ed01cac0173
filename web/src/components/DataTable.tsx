import type { ReactNode } from 'react';

// The game master's lists (sessions, characters, audit) share one table: column headers with
// scope for screen readers, a caption when the heading does not say it, one row per item.

interface DataTableProps<T> {
  /** Read by screen readers only; the page's heading is what sighted users see. */
  caption?: string;
  columns: readonly string[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** The cells of one row, in the order of `columns`. */
  cells: (row: T) => ReactNode;
}

export function DataTable<T>({ caption, columns, rows, rowKey, cells }: DataTableProps<T>) {
  return (
    <div className="table-wrap">
      <table>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>{cells(r)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A failed load or action, announced to screen readers. */
export function ErrorNotice({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="notice error">
      {error}
    </p>
  );
}
