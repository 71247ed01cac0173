import type { CharacterGameView, CharacterInventory, PlatformStatus } from '../types.ts';
import { totalWeight } from '../state/items.ts';
import { Bar } from './Bar.tsx';

export function CharacterSheet({ view, inventory, platform }: { view: CharacterGameView; inventory: CharacterInventory | null; platform?: PlatformStatus | null }) {
  const me = view.me;
  const items = inventory?.items ?? [];
  return (
    <section className="card sheet" aria-labelledby="sheet-title">
      <h2 id="sheet-title">
        {me.name} <small>level {me.level} {me.class}</small>
      </h2>
      <Bar label="Hit points" value={me.hp} max={me.maxHp} kind="health" />
      {me.maxMana > 0 && <Bar label="Mana" value={me.mana} max={me.maxMana} kind="health" />}
      <dl className="stats">
        <dt>Armour class</dt>
        <dd>{me.ac}</dd>
        <dt>Attack</dt>
        <dd>+{me.attackBonus}</dd>
        <dt>Weapon</dt>
        <dd>
          {me.weapon.name} ({me.weapon.damage})
        </dd>
        <dt>Abilities</dt>
        <dd>{me.spells.length ? me.spells.join(', ') : 'none'}</dd>
        <dt>Status</dt>
        <dd>
          {me.alive ? 'alive' : 'dead'}
          {me.defending ? ', defending' : ''} · {me.xp} xp · {me.restsLeft} rests left
        </dd>
        <dt>Where</dt>
        <dd>{view.room.name}</dd>
        <dt>Platform</dt>
        <dd>
          {platform ? (
            <>
              {platform.phase} · {platform.ready ? 'Ready' : 'not ready'} · {platform.namespace}/{platform.name}
              {platform.conditions.filter((c) => (c.type === 'Degraded' ? c.status === 'True' : c.status !== 'True') && c.message).map((c) => (
                <small key={c.type}> · {c.type}: {c.message}</small>
              ))}
            </>
          ) : (
            'not reported yet'
          )}
        </dd>
      </dl>
      <h3>Inventory</h3>
      <p>
        {items.length}/{inventory?.capacity_slots ?? 20} slots · weight {totalWeight(items)}
        {inventory?.weight_limit ? `/${inventory.weight_limit}` : ''}
      </p>
      <ul className="inventory">
        {items.map((s, i) => (
          <li key={`${s.item_id}-${i}`}>
            {s.quantity}× {s.item_name}
          </li>
        ))}
      </ul>
    </section>
  );
}
