/** A labelled gauge (hit points, slots, weight) that screen readers announce as a meter. */
export function Bar({ label, value, max, unit = '' }: { label: string; value: number; max: number | null; unit?: string }) {
  const pct = max ? Math.min(100, Math.round((value / max) * 100)) : 0;
  const text = max === null ? `${value}${unit} (no limit)` : `${value}/${max}${unit}`;
  return (
    <div className="bar">
      <span className="bar-label">
        {label}: {text}
      </span>
      <div className={`bar-track${pct >= 90 ? ' full' : ''}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max ?? value} aria-valuenow={value} aria-valuetext={text}>
        <div className="bar-fill" style={{ width: `${max === null ? 0 : pct}%` }} />
      </div>
    </div>
  );
}
