import type { TestProject } from 'vitest/node';
import { startNodePlatform } from './node-platform.ts';
import './provided.ts';

/** The real node, our images and the chart, once for the e2e/node run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const say = (l: string) => console.log(`[e2e/node ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${l}`);
  const platform = await startNodePlatform({ say });
  say(`platform up; step durations (s): ${JSON.stringify(platform.timings)}`);
  project.provide('nodeKubeconfig', platform.kubeconfig);
  project.provide('nodeRegistry', platform.registry);
  project.provide('nodeRelease', platform.release);
  project.provide('nodeNamespace', platform.namespace);
  project.provide('nodeRegistriesConf', platform.node.registriesConf);
  return async () => {
    say('uninstalling the chart and stopping the node');
    await platform.stop();
    say(`e2e/node took ${((Date.now() - started) / 1000).toFixed(0)}s in all`);
  };
}
