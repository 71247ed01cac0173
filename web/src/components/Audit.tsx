import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { DataTable, ErrorNotice } from './DataTable.tsx';

interface Entry {
  id: number;
  occurredAt: string;
  actorId: string | null;
  actorName: string | null;
  resourceType: string;
  resourceId: string | null;
  operation: string;
  outcome: string;
  securityLevel: string;
}

export function AuditPage() {
  const [filters, setFilters] = useState({ actor: '', operation: '', outcome: '' });
  const [applied, setApplied] = useState(filters);
  const [rows, setRows] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams(Object.entries(applied).filter(([, v]) => v));
    api<{ items: Entry[] }>('GET', `/api/humans/audit?${q}`).then(
      (r) => setRows(r.items),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [applied]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(filters);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="inline" onSubmit={submit}>
        <label htmlFor="f-actor">Actor</label>
        <input id="f-actor" value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} />
        <label htmlFor="f-op">Operation</label>
        <input id="f-op" value={filters.operation} onChange={(e) => setFilters({ ...filters, operation: e.target.value })} />
        <label htmlFor="f-outcome">Outcome</label>
        <select id="f-outcome" value={filters.outcome} onChange={(e) => setFilters({ ...filters, outcome: e.target.value })}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="denied">denied</option>
          <option value="error">error</option>
        </select>
        <button type="submit">Filter</button>
      </form>
      <ErrorNotice error={error} />
      {!rows ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          columns={['When', 'Actor', 'Operation', 'Resource', 'Outcome']}
          rows={rows}
          rowKey={(a) => a.id}
          cells={(a) => (
            <>
              <td>{a.occurredAt}</td>
              <td>{a.actorName ?? a.actorId ?? '—'}</td>
              <td>{a.operation}</td>
              <td>
                {a.resourceType} {a.resourceId ?? ''}
              </td>
              <td>
                {a.outcome} <small>{a.securityLevel}</small>
              </td>
            </>
          )}
        />
      )}
    </section>
  );
}
