// The connection bundle of an external Character (spec.placement: external): the operator writes
// it into the Character's credentials Secret, the player saves it to a file and starts
// `dungeon dev <module> --bundle bundle.json` on any machine that reaches the api-server's
// external URL. The bundle says where to connect, with which key, as which character.
import { readFile } from 'node:fs/promises';
import { ConnectionBundleSchema, type ConnectionBundle } from '@distributed-dungeon/contracts';
import { UsageError } from './usage-error.ts';

const HOW = "save it with: kubectl get secret <name>-credentials -o jsonpath='{.data.bundle\\.json}' | base64 -d > bundle.json";

export async function readBundle(file: string): Promise<ConnectionBundle> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the connection bundle ${file}: ${(err as Error).message} (${HOW})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the connection bundle ${file} is not JSON: ${(err as Error).message} (${HOW})`);
  }
  const parsed = ConnectionBundleSchema.safeParse(json);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UsageError(`${file} is not a connection bundle (${what}); ${HOW}`);
  }
  return parsed.data;
}
