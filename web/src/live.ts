// The WebSocket of a page: events are queued and handed to the reducer once per animation frame
// (a burst of a thousand events costs one render, not a thousand); a dropped connection is
// reopened with backoff and followed by a resync from the state, so no event is lost for good.
import { useEffect, useRef } from 'react';
import type { EventEnvelope } from './types.ts';

interface LiveHandlers {
  onEvents(events: EventEnvelope[]): void;
  onStatus(status: 'connecting' | 'live' | 'reconnecting'): void;
  /** Called after every (re)connection: load the snapshot the events continue from. */
  onConnected(): void;
}

export function wsUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${path}`;
}

export function useLive(path: string | null, handlers: LiveHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!path) return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let queue: EventEnvelope[] = [];
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      const batch = queue;
      queue = [];
      if (batch.length) ref.current.onEvents(batch);
    };
    const connect = () => {
      ref.current.onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      ws = new WebSocket(wsUrl(path));
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as EventEnvelope;
        if (msg.type === 'gateway.ready') {
          attempt = 0;
          ref.current.onStatus('live');
          ref.current.onConnected();
          return;
        }
        queue.push(msg);
        frame ??= requestAnimationFrame(flush);
      };
      ws.onclose = () => {
        if (stopped) return;
        attempt += 1;
        ref.current.onStatus('reconnecting');
        retry = setTimeout(connect, Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      if (frame !== null) cancelAnimationFrame(frame);
      ws?.close();
    };
  }, [path]);
}
