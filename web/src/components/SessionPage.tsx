import { api } from '../api.ts';
import type { SessionRecord, SessionView } from '../types.ts';
import { CombatLog } from './CombatLog.tsx';
import { DungeonMap } from './DungeonMap.tsx';
import { TurnTimer } from './TurnTimer.tsx';
import { useGame } from './useGame.ts';

/** A session as the game master watches it: map, party, fights and the log, live. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const [state] = useGame(`/ws?session=${encodeURIComponent(sessionId)}`, async () => {
    const r = await api<{ session: SessionRecord; gameState: SessionView }>('GET', `/api/sessions/${encodeURIComponent(sessionId)}/state`);
    return { type: 'gmSnapshot', view: r.gameState };
  });
  const view = state.session;
  return (
    <div className="session" data-events-applied={state.applied}>
      <h1>
        Session {sessionId} <span className={`badge ${state.connection}`}>{state.connection}</span>
      </h1>
      {state.notice && (
        <p role="alert" className={`notice ${state.notice.tone}`}>
          {state.notice.text}
        </p>
      )}
      {!view ? (
        <p aria-busy="true">Loading the session…</p>
      ) : (
        <>
          <p>
            World <strong>{view.worldId}</strong> · {view.status}
            {view.outcome ? ` · ${view.outcome}` : ''} · version {state.version}
          </p>
          <TurnTimer turn={state.turn} names={state.names} />
          <div className="columns">
            <DungeonMap rooms={view.rooms} party={view.party} />
            <div>
              <section className="card" aria-labelledby="party-title">
                <h2 id="party-title">Party</h2>
                <ul className="party">
                  {view.party.map((p) => (
                    <li key={p.id} className={p.alive ? '' : 'dead'}>
                      <strong>{p.name}</strong> {p.class} {p.level} · {p.hp}/{p.maxHp} hp · in {state.names[p.roomId] ?? p.roomId}
                      {!p.present && ' · left'}
                    </li>
                  ))}
                </ul>
              </section>
              <CombatLog log={state.log} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}
