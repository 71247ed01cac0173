// One adventure with the three example Characters on a LocalPlatform: the game master opens a
// session, the player applies the Characters, their workloads run as processes, and the session
// is followed on the event bus (the same narrator `make play` prints) until it ends.
import { Narrator, type Envelope, type SessionEnd } from '@distributed-dungeon/testkit';
import { EXAMPLES, eventually, parseTable, watchCharacterTable, type CharacterWorkload, type LocalPlatform } from './local-platform.ts';

export interface AdventureOptions {
  /** The player's namespace (created, restricted Pod Security enforced). */
  namespace: string;
  /** Redis as the api-server's admin sees it, for the narrator. */
  redisUrl: string;
  /** Name of the session the game master opens. */
  sessionName: string;
  /** A line of the adventure as it happens. */
  onLine?: (line: string) => void;
  /** `kubectl get characters` whenever it changes. */
  onTable?: (table: string) => void;
  progress?: (line: string) => void;
  /** How long the session may take (default 6 minutes). */
  timeoutMs?: number;
}

export interface Adventure {
  sessionId: string;
  workloads: CharacterWorkload[];
  end: SessionEnd;
  events: Envelope[];
  /** `kubectl get characters` once every Character was Registered. */
  registeredTable: string;
  /** Stops the narrator and the table watcher (the workloads keep running). */
  stop(): Promise<void>;
}

export async function playExamples(platform: LocalPlatform, o: AdventureOptions): Promise<Adventure> {
  const say = o.progress ?? (() => undefined);
  // Usually made already, before the install that opened it to players (LocalPlatform's playerNamespaces).
  await platform.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } }));
  await platform.kubectl(['label', '--overwrite', 'namespace', o.namespace, 'pod-security.kubernetes.io/enforce=restricted']);
  const sessionId = await platform.openSession(o.sessionName);
  say(`game master opened session ${sessionId}`);
  const narrator = new Narrator({ redisUrl: o.redisUrl, sessionId, onLine: o.onLine ?? (() => undefined) });
  await narrator.start();
  const watcher = o.onTable ? watchCharacterTable(platform, o.namespace, o.onTable) : undefined;
  const stop = async () => {
    await watcher?.stop();
    await narrator.stop();
  };
  try {
    say(`kubectl apply -n ${o.namespace} ${EXAMPLES.map((e) => `-f e2e/fixtures/characters/${e.file}`).join(' ')}`);
    for (const line of (await platform.applyExamples(o.namespace)).trim().split('\n')) say(`  ${line}`);
    const workloads = await Promise.all(EXAMPLES.map((e) => platform.runCharacter(o.namespace, e.name, e.example)));
    await Promise.all(workloads.map((w) => platform.waitCharacterReady(w)));
    say('every character registered with the api-server and subscribed to its channels');
    const registeredTable = await eventually('every Character Registered in kubectl get characters', async () => {
      const table = await platform.characterTable(o.namespace);
      const rows = parseTable(table);
      return rows.length === EXAMPLES.length && rows.every((r) => r.phase === 'Registered') ? table : undefined;
    }, 60_000, 500);
    const timeoutMs = o.timeoutMs ?? 360_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`session ${sessionId} did not end within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    // A character process that dies ends the wait with its exit code, not a timeout.
    const died = Promise.race(workloads.map((w) => w.process.exited.then((code) => Promise.reject(new Error(`${w.name} exited with ${code} (log: ${w.process.logFile})`)))));
    died.catch(() => undefined);
    const end = await Promise.race([narrator.ended, timedOut, died]).finally(() => clearTimeout(timer));
    return { sessionId, workloads, end, events: narrator.events, registeredTable, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
