import { useEffect, useState } from 'react';

/** Whose turn it is and for how long, ticking once a second. */
export function TurnTimer({ turn, names }: { turn: { actorId: string; since: string } | null; names: Record<string, string> }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!turn) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [turn]);
  if (!turn) return <p className="turn">No fight in progress.</p>;
  const seconds = Math.max(0, Math.floor((now - Date.parse(turn.since)) / 1000));
  return (
    <p className="turn" role="status">
      Turn: <strong>{names[turn.actorId] ?? turn.actorId}</strong> for {seconds}s
    </p>
  );
}
