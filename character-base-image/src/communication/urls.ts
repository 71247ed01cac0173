// The URLs a character calls, built on the server URL its player gives. That URL may carry a path
// prefix (`https://host/dungeon`, the platform behind an Ingress path that strips it before the
// api-server): every REST call and the WebSocket gateway go under that prefix, never at the
// host's root (which `new URL('/ws', base)` would pick).

/** The server URL without query, fragment or trailing slashes: what every call is built on. */
export function serverBase(server: string): string {
  const url = new URL(server);
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** `restUrl('https://host/dungeon', '/api/actions')` → `https://host/dungeon/api/actions` (a query in `pathname` stays). */
export function restUrl(server: string, pathname: string): string {
  return `${serverBase(server)}/${pathname.replace(/^\/+/, '')}`;
}

/**
 * The WebSocket gateway: `gateway` as the registration gives it, a path as the api-server sees it
 * (`/ws`), goes under the server URL's prefix with http → ws and https → wss; an absolute ws(s)
 * URL (a connection bundle's websocketUrl) is taken as it is.
 */
export function gatewayUrl(server: string, gateway = '/ws'): URL {
  if (/^wss?:\/\//i.test(gateway)) return new URL(gateway);
  const url = new URL(restUrl(server, gateway || '/ws'));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the server URL must be http(s), got ${server}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
