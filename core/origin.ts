/**
 * Cross-origin refusal for the local HTTP APIs (the control API, the embedded Toxiproxy). A web
 * page can make a browser send requests to 127.0.0.1, and browsers always send an Origin header
 * on cross-site POSTs; these APIs serve no pages, so a request from any origin but their own is
 * refused. Clients that are not browsers (curl, fetch in Node) send no Origin and pass.
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '[::]']);

/** The origins a server listening on host:port is reached as: loopback names when it listens there or everywhere. */
export function ownOrigins(host: string, port: number): Set<string> {
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  const names = LOOPBACK_OR_ANY.has(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [bracket(host)];
  return new Set(names.map((h) => `http://${h}:${port}`));
}

/** The request's Origin header when it names another origin; undefined when absent or its own. */
export function foreignOrigin(req: IncomingMessage, own: Set<string>): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  return own.has(origin.toLowerCase()) ? undefined : origin;
}
