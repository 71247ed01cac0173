import type { DragEvent } from 'react';
import type { InventoryStack } from '../types.ts';

/**
 * A grid of slots. Each filled slot is a button (click, Enter or Space moves the stack); stacks
 * can also be dragged onto the other grid.
 */
export function ItemGrid({
  title,
  items,
  slots,
  actionLabel,
  onMove,
  onDropItem,
  dragKind,
  acceptKind,
  disabled,
}: {
  title: string;
  items: InventoryStack[];
  slots: number;
  actionLabel: string;
  /** Clicking a stack of this grid moves it out. */
  onMove(item: InventoryStack): void;
  /** A stack of the other grid dropped here moves in. */
  onDropItem(item: InventoryStack): void;
  dragKind: string;
  acceptKind: string;
  disabled?: boolean;
}) {
  const onDrop = (e: DragEvent) => {
    const raw = e.dataTransfer.getData(`application/x-dungeon-${acceptKind}`);
    if (!raw) return;
    e.preventDefault();
    onDropItem(JSON.parse(raw) as InventoryStack);
  };
  const empty = Math.max(0, slots - items.length);
  return (
    <div className="grid-box" onDragOver={(e) => e.dataTransfer.types.includes(`application/x-dungeon-${acceptKind}`) && e.preventDefault()} onDrop={onDrop}>
      <h3>{title}</h3>
      <ul className="grid" aria-label={title}>
        {items.map((s, i) => (
          <li key={`${s.item_id}-${i}`}>
            <button
              type="button"
              className="slot filled"
              draggable={!disabled}
              disabled={disabled}
              onDragStart={(e) => e.dataTransfer.setData(`application/x-dungeon-${dragKind}`, JSON.stringify(s))}
              onClick={() => onMove(s)}
            >
              {/* The action is read out first; sighted users see it from the grid's title. */}
              <span className="sr-only">{actionLabel} </span>
              <span className="qty">{s.quantity}×</span> {s.item_name}
              {s.weight ? <small> {s.weight * s.quantity} wt</small> : null}
            </button>
          </li>
        ))}
        {Array.from({ length: empty }, (_, i) => (
          <li key={`empty-${i}`} className="slot empty" aria-hidden="true" />
        ))}
      </ul>
    </div>
  );
}
