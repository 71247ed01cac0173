// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { chest } from '../../test/fixtures.ts';
import { initialState, type GameState } from '../state/reducer.ts';
import { Bar } from './Bar.tsx';
import { Containers } from './Containers.tsx';
import { ItemGrid } from './ItemGrid.tsx';

afterEach(cleanup);

const inventory = { character_id: 'thorin', capacity_slots: 20, weight_limit: 40, items: [{ item_id: 'rope', item_name: 'Rope', quantity: 1, weight: 5, max_stack: 1, metadata: {} }] };

describe('the container UI', () => {
  it('lists the containers of the room with lock state, grace countdown and decay time', () => {
    const corpse = chest({
      container_id: '00000000-0000-4000-8000-000000000002',
      source_type: 'corpse',
      lock_state: 'unlocked',
      decay_at: new Date(Date.now() + 3_600_000).toISOString(),
      metadata: { name: 'Corpse of goblin', grace_period_until: new Date(Date.now() + 20_000).toISOString() },
    });
    const locked = chest({ container_id: '00000000-0000-4000-8000-000000000003', lock_state: 'locked', metadata: { name: 'sealed vault' } });
    const state: GameState = { ...initialState, loaded: true, containers: { [corpse.container_id]: corpse, [locked.container_id]: locked } };
    render(<Containers state={state} dispatch={() => undefined} />);
    expect(screen.getByText('Corpse of goblin')).toBeTruthy();
    expect(screen.getByText(/owner only for/).textContent).toMatch(/owner only for (19|20)s/);
    expect(screen.getByText(/decays in/).textContent).toMatch(/decays in (59m \d+s|1h 0m)/);
    expect(screen.getByText('locked').className).toContain('lock-locked');
    expect(screen.getByRole('button', { name: 'Open sealed vault' })).toBeTruthy();
  });

  it('shows the open container as a grid with capacity and weight bars, loot all and close', () => {
    const c = chest();
    const state: GameState = { ...initialState, loaded: true, containers: { [c.container_id]: c }, inventory, open: { containerId: c.container_id, mutationToken: 't'.repeat(20), expiresAt: '2030-01-01T00:00:00Z' } };
    render(<Containers state={state} dispatch={() => undefined} />);
    expect(screen.getByRole('region', { name: 'iron-bound chest (open)' })).toBeTruthy();
    expect(screen.getByRole('meter', { name: 'Container slots' }).getAttribute('aria-valuetext')).toBe('1/4');
    expect(screen.getByRole('meter', { name: 'Your weight' }).getAttribute('aria-valuetext')).toBe('5/40');
    expect(screen.getByRole('button', { name: 'Take 25× Gold coin' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Put in 1× Rope 5 wt' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Loot all' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Close' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open iron-bound chest' }).hasAttribute('disabled')).toBe(true);
  });

  it('moves a stack when its slot is clicked (a real button, so Enter and Space work too)', () => {
    const moved: string[] = [];
    render(<ItemGrid title="In the chest" items={chest().items} slots={3} actionLabel="Take" onMove={(s) => moved.push(s.item_id)} onDropItem={(s) => moved.push(`dropped ${s.item_id}`)} dragKind="container" acceptKind="inventory" />);
    const slot = screen.getByRole('button', { name: 'Take 25× Gold coin' });
    expect(slot.tagName).toBe('BUTTON');
    fireEvent.click(slot);
    expect(moved).toEqual(['gold']);
    expect(screen.getByRole('list', { name: 'In the chest' }).children).toHaveLength(3);
  });

  it('warns when a capacity is nearly full and when health is nearly gone, not otherwise', () => {
    expect(render(<Bar label="Slots" value={19} max={20} />).container.querySelector('.bar-track.warn')).toBeTruthy();
    cleanup();
    expect(render(<Bar label="Hit points" value={20} max={20} kind="health" />).container.querySelector('.bar-track.warn')).toBeNull();
    cleanup();
    expect(render(<Bar label="Hit points" value={3} max={20} kind="health" />).container.querySelector('.bar-track.warn')).toBeTruthy();
  });
});


