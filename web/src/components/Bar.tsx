/**
 * A labelled gauge (hit points, slots, weight) that screen readers announce as a meter. A
 * capacity warns when nearly full, health when nearly empty.
 */
export function Bar({ label, value, max, unit = '', kind = 'capacity' }: { label: string; value: number; max: number | null; unit?: string; kind?: 'capacity' | 'health' }) {
  const pct = max ? Math.min(100, Math.round((value / max) * 100)) : 0;
  const warn = max !== null && (kind === 'capacity' ? pct >= 90 : pct <= 25);
  const text = max === null ? `${value}${unit} (no limit)` : `${value}/${max}${unit}`;
  return (
    <div className="bar">
      <span className="bar-label">
        {label}: {text}
      </span>
      <div className={`bar-track${warn ? ' warn' : ''}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max ?? value} aria-valuenow={value} aria-valuetext={text}>
        <div className="bar-fill" style={{ width: `${max === null ? 0 : pct}%` }} />
      </div>
    </div>
  );
}
