import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The two images the node itself needs, built here from the binaries testkit/node/build.sh made
 * (no base image: each is one static binary) and pushed to the node's registry.
 */
export async function buildAndPushNodeImages(o: {
  bin: string; registry: string; registriesConf: string; workdir: string; corednsVersion: string; pauseVersion: string;
}): Promise<{ pause: string; coredns: string }> {
  const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: o.registriesConf };
  const image = async (name: string, binary: string, ref: string, user: string) => {
    const ctx = join(o.workdir, 'images', name);
    mkdirSync(ctx, { recursive: true });
    copyFileSync(join(o.bin, binary), join(ctx, binary));
    writeFileSync(join(ctx, 'Containerfile'), `FROM scratch\nCOPY ${binary} /${binary}\nUSER ${user}\nENTRYPOINT ["/${binary}"]\n`);
    const podman = async (args: string[]) => {
      try {
        await run('podman', args, { env, maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const e = err as Error & { stderr?: string };
        throw new Error(`podman ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
      }
    };
    await podman(['build', '--quiet', '--pull=never', '--tag', ref, ctx]);
    await podman(['push', '--quiet', ref]);
    return ref;
  };
  return {
    pause: await image('pause', 'pause', `${o.registry}/dungeon-node/pause:${o.pauseVersion}`, '65535:65535'),
    coredns: await image('coredns', 'coredns', `${o.registry}/dungeon-node/coredns:${o.corednsVersion}`, '65532:65532'),
  };
}
