import { api, newIdempotencyKey } from '../api.ts';
import { containerName, type Action, type GameState } from '../state/reducer.ts';
import { slotsUsed, totalWeight } from '../state/items.ts';
import type { CharacterInventory, ContainerComponent, InventoryStack } from '../types.ts';
import { Bar } from './Bar.tsx';
import { Countdown } from './Countdown.tsx';
import { ItemGrid } from './ItemGrid.tsx';

type Dispatch = (a: Action) => void;

const refusal = (dispatch: Dispatch) => (err: unknown) => dispatch({ type: 'refused', text: err instanceof Error ? err.message : String(err) });

function graceUntil(c: ContainerComponent): string | null {
  const g = c.metadata.grace_period_until;
  return typeof g === 'string' && Date.parse(g) > Date.now() ? g : null;
}

/** The chests, corpses and floor piles of the character's room, and the one it has open. */
export function Containers({ state, dispatch }: { state: GameState; dispatch: Dispatch }) {
  const list = Object.values(state.containers);
  const open = state.open ? state.containers[state.open.containerId] : undefined;

  const openOne = (c: ContainerComponent) =>
    api<{ container: ContainerComponent; mutation_token: string; expires_at: string }>('POST', '/api/containers/open', { container_id: c.container_id }).then(
      (r) => dispatch({ type: 'opened', container: r.container, open: { containerId: c.container_id, mutationToken: r.mutation_token, expiresAt: r.expires_at } }),
      refusal(dispatch),
    );

  return (
    <section className="card" aria-labelledby="containers-title">
      <h2 id="containers-title">Containers here</h2>
      {list.length === 0 ? (
        <p>Nothing to open in this room.</p>
      ) : (
        <ul className="containers">
          {list.map((c) => {
            const grace = graceUntil(c);
            return (
              <li key={c.container_id} className={state.open?.containerId === c.container_id ? 'selected' : ''}>
                <strong>{containerName(c)}</strong> <span className="badge">{c.source_type}</span>{' '}
                <span className={`badge lock-${c.lock_state}`}>{c.lock_state}</span> · {c.items.length}/{c.capacity_slots} slots
                <span className="contents"> · {c.items.length ? c.items.map((i) => `${i.quantity}× ${i.item_name}`).join(', ') : 'empty'}</span>
                {grace && (
                  <>
                    {' '}
                    · <Countdown until={grace} label="owner only for" />
                  </>
                )}
                {c.decay_at && (
                  <>
                    {' '}
                    · <Countdown until={c.decay_at} label="decays in" />
                  </>
                )}{' '}
                <button type="button" onClick={() => void openOne(c)} disabled={state.open?.containerId === c.container_id} aria-label={`Open ${containerName(c)}`}>
                  Open
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {open && state.open && <OpenContainerView container={open} inventory={state.inventory} token={state.open.mutationToken} dispatch={dispatch} />}
    </section>
  );
}

function OpenContainerView({ container, inventory, token, dispatch }: { container: ContainerComponent; inventory: CharacterInventory | null; token: string; dispatch: Dispatch }) {
  const id = container.container_id;
  const mine = inventory?.items ?? [];
  const move = (direction: 'to_player' | 'to_container') => (s: InventoryStack) =>
    api<{ container: ContainerComponent; inventory: CharacterInventory }>('POST', '/api/containers/transfer', {
      container_id: id,
      mutation_token: token,
      idempotency_key: newIdempotencyKey(),
      direction,
      item_id: s.item_id,
      quantity: s.quantity,
    }).then(
      (r) => dispatch({ type: 'transferred', container: r.container, inventory: r.inventory, text: `${direction === 'to_player' ? 'Took' : 'Put in'} ${s.quantity}× ${s.item_name}` }),
      refusal(dispatch),
    );
  const lootAll = () =>
    api<{ container: ContainerComponent; inventory: CharacterInventory; moved: InventoryStack[]; left_behind: InventoryStack[] }>('POST', '/api/containers/loot-all', {
      container_id: id,
      mutation_token: token,
      idempotency_key: newIdempotencyKey(),
    }).then(
      (r) => dispatch({ type: 'transferred', container: r.container, inventory: r.inventory, text: `Looted ${r.moved.length} stack(s)${r.left_behind.length ? `, ${r.left_behind.length} did not fit` : ''}` }),
      refusal(dispatch),
    );
  const close = () =>
    api('POST', '/api/containers/close', { container_id: id, mutation_token: token }).then(() => dispatch({ type: 'closed', containerId: id }), refusal(dispatch));

  return (
    <div className="open-container" role="region" aria-label={`${containerName(container)} (open)`}>
      <h3>{containerName(container)}</h3>
      <div className="bars">
        <Bar label="Container slots" value={slotsUsed(container.items)} max={container.capacity_slots} />
        <Bar label="Container weight" value={totalWeight(container.items)} max={container.weight_limit} />
        <Bar label="Your slots" value={slotsUsed(mine)} max={inventory?.capacity_slots ?? 20} />
        <Bar label="Your weight" value={totalWeight(mine)} max={inventory?.weight_limit ?? null} />
      </div>
      <div className="grids">
        <ItemGrid title="In the container" items={container.items} slots={container.capacity_slots} actionLabel="Take" onMove={(s) => void move('to_player')(s)} onDropItem={(s) => void move('to_container')(s)} dragKind="container" acceptKind="inventory" />
        <ItemGrid title="Your inventory" items={mine} slots={inventory?.capacity_slots ?? 20} actionLabel="Put in" onMove={(s) => void move('to_container')(s)} onDropItem={(s) => void move('to_player')(s)} dragKind="inventory" acceptKind="container" />
      </div>
      <div className="actions">
        <button type="button" onClick={() => void lootAll()} disabled={container.items.length === 0}>
          Loot all
        </button>
        <button type="button" onClick={() => void close()}>
          Close
        </button>
      </div>
    </div>
  );
}
