import type { LogEntry } from '../state/log.ts';

export function CombatLog({ log }: { log: LogEntry[] }) {
  const recent = log.slice(-80).reverse();
  return (
    <section className="card log" aria-labelledby="log-title">
      <h2 id="log-title">Combat log</h2>
      {recent.length === 0 ? (
        <p>Nothing has happened yet.</p>
      ) : (
        // Focusable, so the scrolling list can be scrolled from the keyboard.
        <ol aria-live="polite" aria-relevant="additions" aria-label="Events, newest first" tabIndex={0} reversed>
          {recent.map((l) => (
            <li key={l.id} className={`log-${l.kind}`}>
              <time dateTime={l.at}>{l.at.slice(11, 19)}</time> {l.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
