import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import type { HumanSession } from '../types.ts';

export function SignIn({ onSignedIn }: { onSignedIn(h: HumanSession): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api<HumanSession>('POST', '/api/humans/game-master', { token }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>
        Players: open the link in your character's Secret (<code>kubectl get secret &lt;character&gt;-player -o jsonpath='{'{.data.url}'}' | base64 -d</code>).
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="admin-token">Game master: admin token</label>
        <input id="admin-token" type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} required />
        <button type="submit" disabled={busy || !token}>
          Sign in as game master
        </button>
        {error && (
          <p role="alert" className="notice error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
