import { describe, expect, it } from 'vitest';
import { gatewayUrl, restUrl, serverBase } from './urls.ts';

describe('the URLs a character calls', () => {
  it.each([
    ['https://dungeon.example', 'https://dungeon.example'],
    ['https://dungeon.example/', 'https://dungeon.example'],
    ['https://host.example/dungeon', 'https://host.example/dungeon'],
    ['https://host.example/dungeon//', 'https://host.example/dungeon'],
    ['http://10.0.0.5:8080/a/b/?x=1#top', 'http://10.0.0.5:8080/a/b'],
  ])('server %s is built on as %s', (server, base) => {
    expect(serverBase(server)).toBe(base);
  });

  it('puts every REST call under the path prefix', () => {
    expect(restUrl('https://host.example/dungeon', '/api/registry/character')).toBe('https://host.example/dungeon/api/registry/character');
    expect(restUrl('https://host.example/dungeon/', 'api/actions')).toBe('https://host.example/dungeon/api/actions');
    expect(restUrl('https://host.example/dungeon', '/api/sessions/s-1/state?characterId=thorin')).toBe('https://host.example/dungeon/api/sessions/s-1/state?characterId=thorin');
    expect(restUrl('http://dungeon-api.dungeon.svc:8080', '/api/actions')).toBe('http://dungeon-api.dungeon.svc:8080/api/actions');
  });

  it.each([
    ['https://host.example/dungeon', '/ws', 'wss://host.example/dungeon/ws'],
    ['https://host.example/dungeon/', undefined, 'wss://host.example/dungeon/ws'],
    ['http://host.example:8080/a/b', '/ws', 'ws://host.example:8080/a/b/ws'],
    ['https://dungeon.example', '/ws', 'wss://dungeon.example/ws'],
    ['http://127.0.0.1:9', '', 'ws://127.0.0.1:9/ws'],
    // A gateway named absolutely (a connection bundle's websocketUrl) is taken as it is.
    ['https://host.example/dungeon', 'wss://edge.example/dd/ws', 'wss://edge.example/dd/ws'],
  ])('the gateway of %s (registration says %s) is %s', (server, gateway, ws) => {
    expect(gatewayUrl(server, gateway).href).toBe(ws);
  });

  it('refuses a server URL that is not http(s) or not a URL', () => {
    expect(() => gatewayUrl('ftp://host.example/dungeon')).toThrow(/must be http\(s\)/);
    expect(() => serverBase('host.example/dungeon')).toThrow(TypeError);
  });
});
