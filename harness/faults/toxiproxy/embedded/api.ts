/**
 * The embedded Toxiproxy: the HTTP API that `toxiproxy-node-client` (and Toxiproxy's own CLI)
 * speaks, with the real server's observable behaviour, quirks included: 201 for a new proxy but
 * 200 for a new toxic, 204 for deletes and reset, errors as {"error","status"} with the same
 * messages, toxic names defaulting to `<type>_<stream>`. The conformance suite
 * (test/conformance/toxiproxy.test.ts) holds it to the real server.
 * Like the real one, it refuses browsers (a "Mozilla/" User-Agent: 403 "User agent not allowed");
 * beyond it, it refuses a request from another origin (Origin header) and a body over 1 MiB (413),
 * so a web page or a runaway client cannot drive or exhaust it. No token: the real one has none.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { foreignOrigin, ownOrigins } from '../../../../core/origin.js';
import type { Clock } from '../../../../core/clock.js';
import { Rng } from '../../../../core/random.js';
import { TOXICS } from './toxics/index.js';
import type { ToxicSpec } from './link.js';
import { ApiError, EmbeddedProxy, type ProxyConfig } from './proxy.js';
import { PortInUseError } from '../../../../core/port-in-use.js';

/** No Toxiproxy request needs more; the real server has no limit. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The Toxiproxy version whose API this mirrors. */
export const EMBEDDED_TOXIPROXY_VERSION = '2.12.0-embedded';

const ERR = {
  badBody: (why: string) => new ApiError(`bad request body: ${why}`, 400),
  tooLarge: () => new ApiError(`Failed to read the request body: it is larger than ${MAX_BODY_BYTES} bytes. Send a smaller one.`, 413),
  crossOrigin: (origin: string) =>
    new ApiError(`Failed to accept the request: it comes from a web page at ${origin} (Origin header), and this API takes no cross-origin requests. Call it from a program.`, 403),
  missing: (field: string) => new ApiError(`missing required field: ${field}`, 400),
  proxyNotFound: () => new ApiError('proxy not found', 404),
  proxyExists: () => new ApiError('proxy already exists', 409),
  invalidStream: () => new ApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidType: () => new ApiError('invalid toxic type', 400),
  toxicExists: () => new ApiError('toxic already exists', 409),
  toxicNotFound: () => new ApiError('toxic not found', 404),
};

export interface EmbeddedToxiproxyOptions {
  host?: string;
  port?: number;
  clock: Clock;
  /** Seed for jitter, slicing and toxicity draws. */
  seed: number;
}

export class EmbeddedToxiproxy {
  private readonly proxies = new Map<string, EmbeddedProxy>();
  private http: Server | undefined;
  private origins = new Set<string>();
  private readonly rng: Rng;
  url = '';

  constructor(private readonly opts: EmbeddedToxiproxyOptions) {
    this.rng = new Rng(opts.seed);
  }

  async start(): Promise<string> {
    const http = createServer((req, res) => void this.handle(req, res));
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      http.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(`Failed to start the embedded Toxiproxy: ${host}:${this.opts.port} is already in use. Pick another --port, or 0.`) : err),
      );
      http.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const addr = http.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    this.url = `http://${host}:${port}`;
    this.origins = ownOrigins(host, port);
    this.http = http;
    return this.url;
  }

  async close(): Promise<void> {
    for (const p of this.proxies.values()) await p.stop();
    this.proxies.clear();
    const http = this.http;
    this.http = undefined;
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  /** Bytes a proxy holds for its open connections (what backpressure bounds); for tests and diagnostics. */
  bufferedBytes(proxyName: string): number {
    return this.proxy(proxyName).bufferedBytes;
  }

  private proxy(name: string): EmbeddedProxy {
    const p = this.proxies.get(name);
    if (!p) throw ERR.proxyNotFound();
    return p;
  }

  private async createProxy(input: Record<string, unknown>): Promise<EmbeddedProxy> {
    const name = typeof input.name === 'string' ? input.name : '';
    const upstream = typeof input.upstream === 'string' ? input.upstream : '';
    if (!name) throw ERR.missing('name');
    if (!upstream) throw ERR.missing('upstream');
    if (this.proxies.has(name)) throw ERR.proxyExists();
    const config: ProxyConfig = { name, upstream, listen: typeof input.listen === 'string' && input.listen ? input.listen : '127.0.0.1:0', enabled: input.enabled !== false };
    const proxy = new EmbeddedProxy(config, () => this.opts.clock.now(), () => this.rng.next());
    if (config.enabled) await proxy.start();
    this.proxies.set(name, proxy);
    return proxy;
  }

  private parseToxic(input: Record<string, unknown>, proxy: EmbeddedProxy): ToxicSpec {
    const stream = input.stream ?? 'downstream';
    if (stream !== 'upstream' && stream !== 'downstream') throw ERR.invalidStream();
    const type = String(input.type ?? '');
    const behaviour = TOXICS[type];
    if (!behaviour || type === '') throw ERR.invalidType();
    const name = typeof input.name === 'string' && input.name ? input.name : `${type}_${stream}`;
    if (proxy.toxics.some((t) => t.name === name)) throw ERR.toxicExists();
    const toxicity = input.toxicity === undefined ? 1 : Number(input.toxicity);
    return { name, type, stream, toxicity, attributes: { ...behaviour.defaults, ...numericAttributes(input.attributes) } };
  }

  private async route(req: IncomingMessage, path: string): Promise<[number, unknown]> {
    const method = req.method ?? 'GET';
    const parts = path.split('/').filter(Boolean).map(decodePart);
    const body = () => readBody(req);
    if (parts[0] === 'version' && parts.length === 1 && method === 'GET') return [200, { version: EMBEDDED_TOXIPROXY_VERSION }];
    if (parts[0] === 'reset' && parts.length === 1 && method === 'POST') {
      for (const p of this.proxies.values()) {
        if (!p.enabled) await p.start();
        for (const t of [...p.toxics]) p.removeToxic(t.name);
      }
      return [204, undefined];
    }
    if (parts[0] === 'populate' && parts.length === 1 && method === 'POST') {
      const list = await body();
      if (!Array.isArray(list)) throw ERR.badBody('expected an array of proxies');
      const out = [];
      for (const raw of list) {
        // null decodes to an empty proxy in Go (then "missing required field"); other non-objects are a bad body.
        const item = raw === null ? {} : asObject(raw);
        const existing = this.proxies.get(String(item.name ?? ''));
        if (existing) {
          await existing.stop();
          this.proxies.delete(existing.config.name);
        }
        out.push(await this.createProxy(item as Record<string, unknown>));
      }
      return [201, { proxies: out }];
    }
    if (parts[0] !== 'proxies') throw new ApiError('404 page not found', 404);
    if (parts.length === 1) {
      if (method === 'GET') return [200, Object.fromEntries([...this.proxies].map(([k, v]) => [k, v]))];
      if (method === 'POST') return [201, await this.createProxy(asObject(await body()))];
    }
    if (parts.length === 2) {
      const proxy = this.proxy(parts[1]!);
      if (method === 'GET') return [200, proxy];
      if (method === 'POST' || method === 'PATCH') {
        const input = asObject(await body());
        if (typeof input.listen === 'string' && input.listen !== proxy.config.listen) {
          await proxy.stop();
          proxy.config.listen = input.listen;
          await proxy.start();
        }
        if (typeof input.upstream === 'string') proxy.config.upstream = input.upstream;
        if (input.enabled === false && proxy.enabled) await proxy.stop();
        if (input.enabled === true && !proxy.enabled) await proxy.start();
        return [200, proxy];
      }
      if (method === 'DELETE') {
        await proxy.stop();
        this.proxies.delete(proxy.config.name);
        return [204, undefined];
      }
    }
    if (parts[2] === 'toxics' && parts.length === 3) {
      const proxy = this.proxy(parts[1]!);
      if (method === 'GET') return [200, proxy.toxics];
      if (method === 'POST') {
        const spec = this.parseToxic(asObject(await body()), proxy);
        proxy.addToxic(spec);
        return [200, spec];
      }
    }
    if (parts[2] === 'toxics' && parts.length === 4) {
      const proxy = this.proxy(parts[1]!);
      const toxic = proxy.toxics.find((t) => t.name === parts[3]);
      if (!toxic) throw ERR.toxicNotFound();
      if (method === 'GET') return [200, toxic];
      if (method === 'POST' || method === 'PATCH') {
        const input = asObject(await body());
        Object.assign(toxic.attributes, numericAttributes(input.attributes));
        if (input.toxicity !== undefined) toxic.toxicity = Number(input.toxicity);
        proxy.updateToxic(toxic);
        return [200, toxic];
      }
      if (method === 'DELETE') {
        proxy.removeToxic(toxic.name);
        return [204, undefined];
      }
    }
    throw new ApiError('405 method not allowed', 405);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The real server's own refusal of browsers, byte for byte (Go's http.Error).
    if (req.headers['user-agent']?.startsWith('Mozilla/')) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end('User agent not allowed\n');
      return;
    }
    try {
      const origin = foreignOrigin(req, this.origins);
      if (origin !== undefined) throw ERR.crossOrigin(origin);
      const [status, body] = await this.route(req, new URL(req.url ?? '/', 'http://x').pathname);
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 500;
      // After a 413 the rest of the body is not read: closing the connection spares reading it.
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 413 ? { connection: 'close' } : {}) }).end(JSON.stringify({ error: (err as Error).message, status }) + '\n');
    }
  }
}

/** A bad %-escape is a 400, as in Go's server (it cannot parse such a URL), not a 500. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ApiError(`Failed to read the path: "${part}" has a bad %-escape.`, 400);
  }
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw ERR.badBody('expected a JSON object');
  return v as Record<string, unknown>;
}

function numericAttributes(v: unknown): Record<string, number> {
  if (v === undefined || v === null) return {};
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(asObject(v))) {
    if (typeof x !== 'number') throw ERR.badBody(`attribute "${k}" must be a number`);
    out[k] = x;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) throw ERR.tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw ERR.tooLarge();
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw ERR.badBody((err as Error).message);
  }
}
