import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, setCsrfToken } from './api.ts';
import { AuditPage } from './components/Audit.tsx';
import { CharactersPage } from './components/Characters.tsx';
import { PlayerPage } from './components/PlayerPage.tsx';
import { SessionPage } from './components/SessionPage.tsx';
import { SessionsPage } from './components/Sessions.tsx';
import { SignIn } from './components/SignIn.tsx';
import { useRoute } from './router.ts';
import type { HumanSession } from './types.ts';

export function App() {
  const route = useRoute();
  const [human, setHuman] = useState<HumanSession | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  // A link works once: never send the same code twice (effects may run again, e.g. in StrictMode).
  const redeemed = useRef<string | null>(null);

  const signedIn = useCallback((h: HumanSession | null) => {
    setCsrfToken(h?.csrfToken ?? '');
    setHuman(h);
  }, []);

  useEffect(() => {
    if (route.name === 'signIn') {
      if (redeemed.current === route.code) return;
      redeemed.current = route.code;
      api<HumanSession>('POST', '/api/humans/player', { code: route.code }).then(
        (h) => {
          signedIn(h);
          // The spent code leaves the address bar and the history.
          window.history.replaceState(null, '', '#/me');
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        },
        (err: unknown) => {
          setError(err instanceof Error ? err.message : String(err));
          signedIn(null);
        },
      );
      return;
    }
    if (human !== undefined) return;
    api<HumanSession>('GET', '/api/humans/me').then(signedIn, (err: unknown) => {
      if (!(err instanceof ApiError && err.status === 401)) setError(err instanceof Error ? err.message : String(err));
      signedIn(null);
    });
  }, [route, human, signedIn]);

  const signOut = async () => {
    await api('POST', '/api/humans/sign-out');
    signedIn(null);
    window.location.hash = '#/';
  };

  return (
    <>
      <header className="top">
        <a className="brand" href="#/">
          Distributed Dungeon
        </a>
        {human && (
          <nav aria-label="Main">
            {human.kind === 'game_master' ? (
              <>
                <a href="#/">Sessions</a>
                <a href="#/characters">Characters</a>
                <a href="#/audit">Audit log</a>
              </>
            ) : (
              <a href="#/me">My character</a>
            )}
            <button type="button" className="link" onClick={() => void signOut()}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main">
        {error && (
          <p role="alert" className="notice error">
            {error}
          </p>
        )}
        {human === undefined && <p aria-busy="true">Loading…</p>}
        {human === null && <SignIn onSignedIn={signedIn} />}
        {human?.kind === 'player' && <PlayerPage characterId={human.characterId!} />}
        {human?.kind === 'game_master' && route.name === 'session' && <SessionPage sessionId={route.id} />}
        {human?.kind === 'game_master' && route.name === 'characters' && <CharactersPage />}
        {human?.kind === 'game_master' && route.name === 'audit' && <AuditPage />}
        {human?.kind === 'game_master' && (route.name === 'home' || route.name === 'me' || route.name === 'signIn') && <SessionsPage />}
      </main>
    </>
  );
}
