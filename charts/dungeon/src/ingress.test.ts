// The Ingress (templates/ingress.yaml) and the external URL the operator hands external
// Characters (spec.placement: external) in their connection bundle.
import { describe, expect, it } from 'vitest';
import { websocketUrlFor } from '../../../operator/src/builders/connection.ts';
import { parseOperatorEnv } from '../../../operator/src/config.ts';
import { CommandError, container, findObject, parseManifests, renderChart, resolveEnv, secretFromManifests, type KubeObject, type RenderOptions } from './chart.ts';

const NS = 'dungeon-system';

async function render(o: RenderOptions = {}) {
  return parseManifests(await renderChart(o));
}

function operatorEnv(objects: KubeObject[]) {
  return parseOperatorEnv(
    resolveEnv(container(findObject(objects, 'Deployment', 'dungeon-operator'), 'operator'), {
      secret: secretFromManifests(objects),
      fields: { 'metadata.namespace': NS, 'metadata.name': 'dungeon-operator-7d9f8-abcde', 'status.podIP': '10.1.2.3' },
    }),
  );
}

interface IngressObj extends KubeObject {
  spec: {
    ingressClassName?: string;
    tls?: { secretName: string; hosts: string[] }[];
    rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }[] } }[];
  };
}

describe('Ingress and external URL', () => {
  it('off by default: no Ingress, and the operator has no external URL (external Characters are refused)', async () => {
    const objects = await render();
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    expect(operatorEnv(objects).externalUrl).toBeUndefined();
  });

  it('on: routes its hosts (REST, web and the WebSocket gateway under /) to the api-server, and the external URL follows the first host, https with TLS', async () => {
    const objects = await render({
      values: {
        apiServer: {
          ingress: {
            enabled: true,
            className: 'nginx',
            annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' },
            hosts: [{ host: 'dungeon.example', paths: [{ path: '/', pathType: 'Prefix' }] }],
            tls: [{ secretName: 'dungeon-tls', hosts: ['dungeon.example'] }],
          },
        },
      },
    });
    const ingress = findObject(objects, 'Ingress', 'dungeon-api-server') as IngressObj;
    expect(ingress.metadata.namespace).toBe(NS);
    expect(ingress.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' });
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ secretName: 'dungeon-tls', hosts: ['dungeon.example'] }]);
    expect(ingress.spec.rules).toEqual([
      { host: 'dungeon.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'dungeon-api-server', port: { number: 8080 } } } }] } },
    ]);
    expect(operatorEnv(objects).externalUrl).toBe('https://dungeon.example');
  });

  it('http when no TLS block lists the host; apiServer.externalUrl wins over the Ingress', async () => {
    const ingress = { enabled: true, hosts: [{ host: 'play.example', paths: [{ path: '/', pathType: 'Prefix' }] }] };
    expect(operatorEnv(await render({ values: { apiServer: { ingress } } })).externalUrl).toBe('http://play.example');
    const objects = await render({ values: { apiServer: { ingress, externalUrl: 'https://edge.example.org/' } } });
    expect(operatorEnv(objects).externalUrl).toBe('https://edge.example.org');
    expect(operatorEnv(await render({ values: { apiServer: { externalUrl: 'https://lb.example' } } })).externalUrl).toBe('https://lb.example');
  });

  it('an Ingress under a path prefix (/dungeon) puts it in the external URL, so bundles and the gateway carry it', async () => {
    const under = (path: string, pathType = 'Prefix') => ({
      enabled: true,
      hosts: [{ host: 'host.example', paths: [{ path, pathType }] }],
      tls: [{ secretName: 'tls', hosts: ['host.example'] }],
    });
    const objects = await render({ values: { apiServer: { ingress: under('/dungeon') } } });
    expect((findObject(objects, 'Ingress', 'dungeon-api-server') as IngressObj).spec.rules[0]!.http.paths[0]!.path).toBe('/dungeon');
    const external = operatorEnv(objects).externalUrl!;
    expect(external).toBe('https://host.example/dungeon');
    // What the operator then writes into an external Character's bundle as its gateway.
    expect(websocketUrlFor(external)).toBe('wss://host.example/dungeon/ws');
    expect(operatorEnv(await render({ values: { apiServer: { ingress: under('/games/dungeon/') } } })).externalUrl).toBe('https://host.example/games/dungeon');
    // A controller's own path syntax (a rewrite regex) is no URL path: the host alone, apiServer.externalUrl says more.
    expect(operatorEnv(await render({ values: { apiServer: { ingress: under('/dungeon(/|$)(.*)', 'ImplementationSpecific') } } })).externalUrl).toBe('https://host.example');
    expect(operatorEnv(await render({ values: { apiServer: { ingress: under('/') } } })).externalUrl).toBe('https://host.example');
  });

  it('the schema refuses an external URL that is not http(s)', async () => {
    const err = await renderChart({ values: { apiServer: { externalUrl: 'dungeon.example' } } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).stderr).toContain('externalUrl');
  });
});
