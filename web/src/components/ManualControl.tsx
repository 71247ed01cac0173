import { api } from '../api.ts';
import type { Action } from '../state/reducer.ts';
import type { CharacterGameView } from '../types.ts';

type Dispatch = (a: Action) => void;

interface ActionResult {
  status: 'accepted' | 'rejected';
  reason?: string;
}

/** Take over from the character's own module: move, fight, search and rest by hand. */
export function ManualControl({ view, manual, dispatch }: { view: CharacterGameView; manual: boolean; dispatch: Dispatch }) {
  const fail = (err: unknown) => dispatch({ type: 'refused', text: err instanceof Error ? err.message : String(err) });
  const toggle = () => api<{ manual: boolean }>('POST', '/api/humans/my/control', { manual: !manual }).then((r) => dispatch({ type: 'manual', manual: r.manual }), fail);
  const act = (label: string, action: Record<string, unknown>) =>
    api<ActionResult>('POST', '/api/actions', { ...action, characterId: view.characterId }).then(
      (r) => (r.status === 'accepted' ? dispatch({ type: 'info', text: `${label}: done` }) : dispatch({ type: 'refused', text: `${label}: ${r.reason ?? 'not now'}` })),
      fail,
    );
  const room = view.room;
  const fighting = view.combat !== null;
  return (
    <section className="card" aria-labelledby="manual-title">
      <h2 id="manual-title">Manual control</h2>
      <p>{manual ? "You are playing by hand; your character's module waits." : "Your character's module plays on its own."}</p>
      <button type="button" aria-pressed={manual} onClick={() => void toggle()}>
        {manual ? 'Release control' : 'Take control'}
      </button>
      {manual && (
        <div className="manual-actions">
          {fighting && <p className="turn">{view.combat?.myTurn ? 'Your turn!' : 'Wait for your turn.'}</p>}
          <ul className="action-list" aria-label="Moves">
            {Object.entries(room.exits).map(([direction, to]) => (
              <li key={direction}>
                <button type="button" onClick={() => void act(`Go ${direction}`, { type: 'exploration.move', direction })}>
                  Go {direction} ({to})
                </button>
              </li>
            ))}
          </ul>
          <ul className="action-list" aria-label="Fight">
            {room.monsters.map((m) => (
              <li key={m.id}>
                <button type="button" onClick={() => void act(`Attack ${m.name}`, { type: 'combat.attack', target: m.id })}>
                  Attack {m.name}
                </button>
              </li>
            ))}
            {fighting && (
              <li>
                <button type="button" onClick={() => void act('Defend', { type: 'combat.defend' })}>
                  Defend
                </button>
              </li>
            )}
          </ul>
          <ul className="action-list" aria-label="Other actions">
            <li>
              <button type="button" onClick={() => void act('Search', { type: 'exploration.search' })}>
                Search
              </button>
            </li>
            <li>
              <button type="button" onClick={() => void act('Rest', { type: 'rest' })}>
                Rest
              </button>
            </li>
          </ul>
        </div>
      )}
    </section>
  );
}
