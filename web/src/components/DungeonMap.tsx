import type { PartyMember, RoomView } from '../types.ts';

/** Rooms with their exits and who and what is in each, in world order. */
export function DungeonMap({ rooms, party, highlight }: { rooms: RoomView[]; party: PartyMember[]; highlight?: string }) {
  const names = Object.fromEntries(rooms.map((r) => [r.id, r.name]));
  const who = (id: string) => party.find((p) => p.id === id);
  return (
    <section className="card" aria-labelledby="map-title">
      <h2 id="map-title">Map</h2>
      <ul className="map">
        {rooms.map((r) => (
          <li key={r.id} className={`room${r.id === highlight ? ' here' : ''}${r.characters.length ? ' occupied' : ''}`} aria-label={`Room ${r.name}`}>
            <h3>{r.name}</h3>
            <p className="exits">
              Exits:{' '}
              {Object.entries(r.exits).length === 0
                ? 'none'
                : Object.entries(r.exits)
                    .map(([dir, to]) => `${dir} → ${names[to] ?? to}`)
                    .join(', ')}
            </p>
            {r.characters.length > 0 && (
              <p>
                Party:{' '}
                {r.characters.map((c) => {
                  const m = who(c);
                  return (
                    <span key={c} className={`who${m && !m.alive ? ' dead' : ''}`}>
                      {m?.name ?? c}
                      {m ? ` (${m.hp}/${m.maxHp} hp)` : ''}
                    </span>
                  );
                })}
              </p>
            )}
            {r.monsters.length > 0 && (
              <p>
                Monsters:{' '}
                {r.monsters.map((m) => (
                  <span key={m.id} className="who monster">
                    {m.name} ({m.hp}/{m.maxHp} hp){m.boss ? ' ★' : ''}
                  </span>
                ))}
              </p>
            )}
            {(r.container || r.fallen.length > 0) && (
              <p>
                Things: {[r.container ? `${r.container.name} (${r.container.lock_state})` : null, ...r.fallen.map((f) => `corpse of ${f.name}`)].filter(Boolean).join(', ')}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
