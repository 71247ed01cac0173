import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import type { SessionRecord } from '../types.ts';
import { DataTable, ErrorNotice } from './DataTable.tsx';

export function SessionsPage() {
  const [sessions, setSessions] = useState<SessionRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const load = useCallback(() => {
    api<{ items: SessionRecord[] }>('GET', '/api/sessions').then(
      (r) => setSessions(r.items),
      (err: unknown) => setError(String(err instanceof Error ? err.message : err)),
    );
  }, []);
  useEffect(load, [load]);

  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await api('POST', '/api/sessions', name ? { name } : {});
      setName('');
    });
  };

  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <form className="inline" onSubmit={create}>
        <label htmlFor="session-name">New session name</label>
        <input id="session-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        <button type="submit">Create session</button>
      </form>
      <ErrorNotice error={error} />
      {sessions === null ? (
        <p aria-busy="true">Loading sessions…</p>
      ) : sessions.length === 0 ? (
        <p>No sessions yet.</p>
      ) : (
        <DataTable
          caption="Sessions"
          columns={['Name', 'World', 'Members', 'Status', 'Actions']}
          rows={sessions}
          rowKey={(s) => s.id}
          cells={(s) => (
            <>
              <td>
                <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.name}</a> <small>{s.id}</small>
              </td>
              <td>{s.worldId}</td>
              <td>
                {s.members.length}/{s.capacity} {s.members.length > 0 && <small>({s.members.join(', ')})</small>}
              </td>
              <td>
                <span className={`badge ${s.status}`}>{s.status}</span>
              </td>
              <td>
                {s.status === 'open' && (
                  <button type="button" onClick={() => void act(() => api('POST', `/api/humans/sessions/${encodeURIComponent(s.id)}/close`))} aria-label={`Close session ${s.name}`}>
                    Close
                  </button>
                )}
              </td>
            </>
          )}
        />
      )}
    </section>
  );
}
