// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { characterView, room } from '../../test/fixtures.ts';
import { ManualControl } from './ManualControl.tsx';

afterEach(cleanup);

describe('manual control', () => {
  it('offers to take control while the module plays', () => {
    render(<ManualControl view={characterView()} manual={false} dispatch={() => undefined} />);
    expect(screen.getByRole('button', { name: 'Take control' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.queryByRole('list', { name: 'Moves' })).toBeNull();
  });

  it('lists the moves through the exits and the monsters to attack once in control', () => {
    const view = characterView();
    view.room = room('hall', { exits: { north: 'crypt', east: 'armoury' }, monsters: [{ id: 'gob', name: 'goblin', hp: 7, maxHp: 7, ac: 13, boss: false }] });
    render(<ManualControl view={view} manual dispatch={() => undefined} />);
    expect(screen.getByRole('button', { name: 'Release control' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByRole('button', { name: /^Go / }).map((b) => b.textContent)).toEqual(['Go north (crypt)', 'Go east (armoury)']);
    expect(screen.getByRole('button', { name: 'Attack goblin' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Defend' })).toBeNull();
  });
});
