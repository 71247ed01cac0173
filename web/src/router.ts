import { useEffect, useState } from 'react';

// Hash routes: the server serves one file and links survive reloads.
type Route = { name: 'home' } | { name: 'signIn'; code: string } | { name: 'session'; id: string } | { name: 'characters' } | { name: 'audit' } | { name: 'me' };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'sign-in' && parts[1]) return { name: 'signIn', code: parts[1] };
  if (parts[0] === 'sessions' && parts[1]) return { name: 'session', id: parts[1] };
  if (parts[0] === 'characters') return { name: 'characters' };
  if (parts[0] === 'audit') return { name: 'audit' };
  if (parts[0] === 'me') return { name: 'me' };
  return { name: 'home' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
