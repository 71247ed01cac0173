// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DataTable, ErrorNotice } from './DataTable.tsx';

afterEach(cleanup);

describe('DataTable', () => {
  const rows = [
    { id: 'a', name: 'Thorin', hp: 12 },
    { id: 'b', name: 'Gandalf', hp: 8 },
  ];

  it('renders column headers for screen readers and one row per item, in order', () => {
    render(
      <DataTable
        caption="Party"
        columns={['Name', 'HP']}
        rows={rows}
        rowKey={(r) => r.id}
        cells={(r) => (
          <>
            <td>{r.name}</td>
            <td>{r.hp}</td>
          </>
        )}
      />,
    );
    const table = screen.getByRole('table', { name: 'Party' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'HP']);
    const bodyRows = within(table).getAllByRole('row').slice(1);
    expect(bodyRows.map((r) => within(r).getAllByRole('cell').map((c) => c.textContent))).toEqual([
      ['Thorin', '12'],
      ['Gandalf', '8'],
    ]);
  });

  it('has no caption when the page heading names the table', () => {
    render(<DataTable columns={['Name']} rows={[]} rowKey={(r: { id: string }) => r.id} cells={() => <td />} />);
    expect(screen.getByRole('table').querySelector('caption')).toBeNull();
  });
});

describe('ErrorNotice', () => {
  it('announces an error as an alert and renders nothing without one', () => {
    const { rerender } = render(<ErrorNotice error="the server said no" />);
    expect(screen.getByRole('alert').textContent).toBe('the server said no');
    rerender(<ErrorNotice error={null} />);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
