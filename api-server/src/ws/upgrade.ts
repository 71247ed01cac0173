import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** What the HTTP server's `upgrade` event hands over to. */
interface UpgradeTarget {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The path of an upgrade request; undefined when the request target is not a usable path. */
function upgradePath(rawUrl: string | undefined): string | undefined {
  try {
    return new URL(rawUrl ?? '/', 'http://upgrade.invalid').pathname;
  } catch {
    // A request target such as `//` cannot be parsed: nothing is served there.
    return undefined;
  }
}

/**
 * The listener for the HTTP server's `upgrade` event. Node detaches an upgraded socket from the
 * HTTP server's own error handling, so a client that resets the connection (while the token is
 * being checked, or as the refusal is written) raises an 'error' nobody listens to, and that
 * kills the process. The socket gets a listener before anything else happens to it.
 */
export function upgradeListener(opts: { path: string; target: UpgradeTarget; isShuttingDown: () => boolean; logger: Logger }) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (err: Error & { code?: string }) => {
      opts.logger.debug({ code: err.code, err: err.message }, 'upgrade socket error');
      socket.destroy();
    });
    if (opts.isShuttingDown() || upgradePath(req.url) !== opts.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    try {
      opts.target.handleUpgrade(req, socket, head);
    } catch (err) {
      opts.logger.error({ err }, 'websocket upgrade failed');
      socket.destroy();
    }
  };
}
