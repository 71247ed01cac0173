// The operator's heap after a full garbage collection, read through the V8 inspector of the
// operator process (started with --inspect on a loopback port): what its caches really hold,
// unlike RSS, which also counts garbage V8 has not returned yet.
interface Target {
  webSocketDebuggerUrl: string;
}

export async function heapAfterGc(inspectPort: number): Promise<{ usedMiB: number; totalMiB: number }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Target[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`inspector ${url}: could not connect`)), { once: true });
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    // Twice: the first pass may leave objects that only a second (weak references) frees.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    return { usedMiB: Math.round(usage.usedSize / 2 ** 20), totalMiB: Math.round(usage.totalSize / 2 ** 20) };
  } finally {
    ws.close();
  }
}
