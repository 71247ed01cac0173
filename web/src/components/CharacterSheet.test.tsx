// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { characterView } from '../../test/fixtures.ts';
import { CharacterSheet } from './CharacterSheet.tsx';

afterEach(cleanup);

describe('the character sheet', () => {
  it('shows class, level, hit points, equipment, inventory weight and the platform status', () => {
    const inventory = { character_id: 'thorin', capacity_slots: 20, weight_limit: 60, items: [{ item_id: 'rope', item_name: 'Rope', quantity: 2, weight: 5, max_stack: 5, metadata: {} }] };
    const platform = { namespace: 'player-alice', name: 'thorin', phase: 'Degraded', ready: false, conditions: [{ type: 'Available', status: 'False', message: 'pod crash-looping' }], reportedAt: '2026-12-01T10:00:00Z' };
    render(<CharacterSheet view={characterView()} inventory={inventory} platform={platform} />);
    expect(screen.getByRole('heading', { name: /Thorin level 3 fighter/ })).toBeTruthy();
    expect(screen.getByRole('meter', { name: 'Hit points' }).getAttribute('aria-valuetext')).toBe('30/30');
    expect(screen.getByText('longsword (1d8+3)')).toBeTruthy();
    expect(screen.getByText(/1\/20 slots · weight 10\/60/)).toBeTruthy();
    expect(screen.getByText(/Degraded · not ready · player-alice\/thorin/).textContent).toContain('Available: pod crash-looping');
  });

  it('says when the operator has not reported yet', () => {
    render(<CharacterSheet view={characterView()} inventory={null} />);
    expect(screen.getByText('not reported yet')).toBeTruthy();
  });
});
