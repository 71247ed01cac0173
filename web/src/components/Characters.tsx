import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { DataTable, ErrorNotice } from './DataTable.tsx';

interface Row {
  characterId: string;
  name: string;
  class: string | null;
  level: number | null;
  namespace: string | null;
  resource: string | null;
  phase: string | null;
  ready: boolean | null;
  sessionId: string | null;
  status: string;
  keyRevoked: boolean;
  lastHeartbeatAt: string | null;
}

export function CharactersPage() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Row[] }>('GET', '/api/humans/characters').then(
      (r) => setRows(r.items),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);
  return (
    <section aria-labelledby="characters-title">
      <h1 id="characters-title">Characters</h1>
      <ErrorNotice error={error} />
      {!rows ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DataTable
          columns={['Character', 'Resource', 'Phase', 'Class', 'Session', 'Status', 'Last heartbeat']}
          rows={rows}
          rowKey={(c) => c.characterId}
          cells={(c) => (
            <>
              <td>
                {c.name} <small>{c.characterId}</small>
              </td>
              <td>{c.namespace ? `${c.namespace}/${c.resource}` : '—'}</td>
              <td>
                {c.phase ?? '—'}
                {c.ready === null ? '' : c.ready ? ' · Ready' : ' · not ready'}
              </td>
              <td>
                {c.class ?? '—'} {c.level ?? ''}
              </td>
              <td>{c.sessionId ? <a href={`#/sessions/${encodeURIComponent(c.sessionId)}`}>{c.sessionId}</a> : '—'}</td>
              <td>
                {c.status}
                {c.keyRevoked ? ' (key revoked)' : ''}
              </td>
              <td>{c.lastHeartbeatAt ?? '—'}</td>
            </>
          )}
        />
      )}
    </section>
  );
}
