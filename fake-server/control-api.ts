/**
 * The control API: HTTP + JSON on its own port, in the spirit of Toxiproxy's. Errors are
 * `{"error": "...", "status": N}` with a 4xx status that says what was wrong.
 * Locked: a request that changes anything (any method but GET and HEAD) needs the server's bearer
 * token, a body must be JSON, a request from a web page of another origin is refused, and
 * POST /devices writes only under the allowed roots. GETs stay open: they change nothing, and
 * a bot's preload fetches GET /trust without a token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { foreignOrigin, ownOrigins } from '../core/origin.js';
import { AuthDirRefusedError, defaultAllowedDirs, placeUnderRoots, resolveAllowedRoots } from './allowed-roots.js';
import { bearerMatches, checkGivenToken, newToken } from './control-token.js';
import type { ServerEventType } from './events.js';
import { MessageRequestError } from './messaging/service.js';
import { MoveValidationError, parseAdmission, parseMove } from './moves.js';
import { QrParseError } from './phone.js';
import { PortInUseError } from '../core/port-in-use.js';
import type { FakeWhatsAppServer, MoveTarget } from './server.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What POST /devices asks for: a paired session written into `authDir`, registered with the server. */
export interface DeviceRequest {
  authDir: string;
  baileysVersion?: string;
  phoneNumber?: string;
  overwrite: boolean;
}

export interface ProvisionedDeviceInfo {
  jid: string;
  lid: string;
  authDir: string;
}

/**
 * Serves POST /devices. The server cannot write a client's session itself (that takes the
 * client's own code), so whoever starts the control API supplies one; to refuse a request,
 * it throws a DeviceRequestError (any other error is a 500).
 */
export type DeviceProvisioner = (server: FakeWhatsAppServer, request: DeviceRequest) => Promise<ProvisionedDeviceInfo>;

/** A request the provisioner refuses: 400 (e.g. an unknown client version) or 409 (e.g. the location holds a session). */
export class DeviceRequestError extends Error {
  override name = 'DeviceRequestError';
  constructor(
    readonly status: 400 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlApiOptions {
  host?: string;
  port?: number;
  /** Serves POST /devices; without it, POST /devices answers 501. */
  provision?: DeviceProvisioner;
  /** The bearer token mutating requests must carry (at least 16 characters); default: a random one. */
  token?: string;
  /** Where POST /devices may write; default: the working directory and the system temp dir. */
  allowDirs?: string[];
}

/** What a request is checked against, fixed when the API starts. */
interface Lock {
  token: string;
  origins: Set<string>;
  /** The allowed roots' real paths. */
  roots: string[];
}

const MAX_BODY_BYTES = 64 * 1024;
const tooLarge = () => new HttpError(413, `Failed to read the request body: it is larger than ${MAX_BODY_BYTES} bytes. Send a smaller one.`);

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function parseTarget(value: unknown): MoveTarget {
  if (value === undefined || value === 'all') return 'all';
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new HttpError(400, '"target" must be a connection id (a positive integer) or "all"');
}

function requireLive(s: FakeWhatsAppServer, id: number): void {
  if (!s.listConnections({ live: true }).some((c) => c.id === id)) throw new HttpError(404, `no live connection ${id}; GET /connections lists them`);
}

type Handler = (
  server: FakeWhatsAppServer,
  req: IncomingMessage,
  url: URL,
  params: string[],
  ctx: { provision?: DeviceProvisioner | undefined; roots: string[] },
) => Promise<[number, unknown]> | [number, unknown];

const routes: { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'GET', path: /^\/health$/, handler: (s) => [200, { ok: true, wsUrl: s.wsUrl }] },
  {
    method: 'GET',
    path: /^\/stats$/,
    // The server process's own CPU, so a benchmark in another process can isolate the server's cost.
    handler: (s) => [200, { cpu: process.cpuUsage(), memory: process.memoryUsage().rss, liveConnections: s.listConnections({ live: true }).length, devices: s.devices.list().length, ...s.stats() }],
  },
  { method: 'GET', path: /^\/trust$/, handler: (s) => [200, { publicKey: s.trustedPublicKey.toString('base64') }] },
  {
    method: 'GET',
    path: /^\/devices$/,
    handler: (s) => [200, s.devices.list().map(({ jid, lid, preKeyCount, removed }) => ({ jid, lid, preKeyCount, removed: !!removed }))],
  },
  {
    method: 'POST',
    path: /^\/devices$/,
    handler: async (s, req, _url, _params, { provision, roots }) => {
      const body = await readJson(req);
      if (typeof body.authDir !== 'string' || !body.authDir) throw new HttpError(400, '"authDir" (a directory path) is required');
      for (const k of ['baileysVersion', 'phoneNumber'] as const) {
        if (body[k] !== undefined && typeof body[k] !== 'string') throw new HttpError(400, `"${k}" must be a string`);
      }
      if (body.phoneNumber !== undefined && !/^[1-9][0-9]{6,14}$/.test(body.phoneNumber as string)) throw new HttpError(400, '"phoneNumber" must be 7–15 digits, no "+"');
      if (!provision) throw new HttpError(501, 'this control API provisions no devices: it was started without a provisioner (startControlApi(server, { provision }); "baileys-chaos serve" has one)');
      const device = await provision(s, {
        authDir: await placeUnderRoots(body.authDir, roots),
        ...(body.baileysVersion ? { baileysVersion: body.baileysVersion as string } : {}),
        ...(body.phoneNumber ? { phoneNumber: body.phoneNumber as string } : {}),
        overwrite: body.overwrite === true,
      });
      return [201, device];
    },
  },
  {
    method: 'GET',
    path: /^\/connections$/,
    handler: (s, _req, url) => [200, s.listConnections({ live: url.searchParams.get('live') !== '0' })],
  },
  {
    method: 'POST',
    path: /^\/moves$/,
    handler: async (s, req) => {
      const body = await readJson(req);
      const move = parseMove(body.move ?? body);
      const target = parseTarget(body.target);
      if (target !== 'all') requireLive(s, target);
      return [200, { applied: s.apply(move, target), move }];
    },
  },
  {
    method: 'POST',
    path: /^\/connections\/(\d+)\/moves$/,
    handler: async (s, req, _url, [id]) => {
      const move = parseMove(await readJson(req));
      const target = Number(id);
      requireLive(s, target);
      return [200, { applied: s.apply(move, target), move }];
    },
  },
  { method: 'GET', path: /^\/admission$/, handler: (s) => [200, s.admission()] },
  { method: 'PUT', path: /^\/admission$/, handler: async (s, req) => [200, s.setAdmission(parseAdmission(await readJson(req)))] },
  {
    method: 'DELETE',
    path: /^\/admission$/,
    handler: (s) => {
      s.resetAdmission();
      return [200, s.admission()];
    },
  },
  {
    method: 'POST',
    path: /^\/scan$/,
    handler: async (s, req) => {
      const body = await readJson(req);
      if (typeof body.qr !== 'string') throw new HttpError(400, '"qr" (the string the client showed as a QR code) is required');
      try {
        return [200, { jid: await s.scanQr(body.qr, body.phoneNumber ? { phoneNumber: String(body.phoneNumber) } : {}) }];
      } catch (err) {
        if (err instanceof QrParseError) throw err;
        throw new HttpError(409, (err as Error).message);
      }
    },
  },
  {
    method: 'GET',
    path: /^\/events$/,
    handler: (s, _req, url) => {
      const num = (k: string) => {
        const v = url.searchParams.get(k);
        if (v === null) return undefined;
        if (!/^\d+$/.test(v)) throw new HttpError(400, `"${k}" must be a non-negative integer`);
        return Number(v);
      };
      const since = num('since');
      const conn = num('conn');
      const type = url.searchParams.get('type') as ServerEventType | null;
      return [200, s.events.list({ ...(since !== undefined ? { since } : {}), ...(conn !== undefined ? { conn } : {}), ...(type ? { type } : {}) })];
    },
  },
  { method: 'GET', path: /^\/contacts$/, handler: (s) => [200, s.messages.contacts()] },
  { method: 'GET', path: /^\/messages$/, handler: (s) => [200, { inbound: s.messages.list(), outbound: s.messages.sent() }] },
  {
    method: 'POST',
    path: /^\/messages$/,
    // A simulated contact sends the bot a text (messaging/): delivered now or queued for its next login.
    handler: async (s, req) => {
      const body = await readJson(req);
      for (const k of ['from', 'to', 'text'] as const) {
        if (typeof body[k] !== 'string' || (k !== 'text' && !body[k])) {
          throw new HttpError(400, `Failed to send the message: "${k}" must be ${k === 'text' ? 'a string' : 'a non-empty jid string'}. Send {"from": a contact jid (GET /contacts), "to": a bot jid (GET /devices), "text": "..."}.`);
        }
      }
      return [201, s.messages.send({ from: body.from as string, to: body.to as string, text: body.text as string })];
    },
  },
  {
    method: 'POST',
    path: /^\/restart$/,
    handler: async (s) => {
      await s.restart();
      return [200, { restarted: true }];
    },
  },
];

export interface ControlApi {
  url: string;
  /** The bearer token mutating requests must carry (`Authorization: Bearer <token>`). */
  token: string;
  close(): Promise<void>;
}

export async function startControlApi(server: FakeWhatsAppServer, opts: ControlApiOptions = {}): Promise<ControlApi> {
  const lock: Lock = {
    token: opts.token === undefined ? newToken() : checkGivenToken(opts.token),
    origins: new Set(),
    roots: await resolveAllowedRoots(opts.allowDirs ?? defaultAllowedDirs()),
  };
  const http: Server = createServer((req, res) => void handle(server, opts, lock, req, res));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(`Failed to start the control API: ${host}:${opts.port} is already in use. Pick another --control-port, or 0.`) : err),
    );
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  lock.origins = ownOrigins(host, port);
  return {
    url: `http://${host}:${port}`,
    token: lock.token,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Refuses a request from another origin (403), a change without the token (401), a body that is not JSON (415). */
function checkLock(req: IncomingMessage, path: string, lock: Lock): void {
  const origin = foreignOrigin(req, lock.origins);
  if (origin !== undefined) {
    throw new HttpError(403, `Failed to accept ${req.method} ${path}: it comes from a web page at ${origin} (Origin header), and the control API takes no cross-origin requests. Call it from a program, not a browser page.`);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD' && !bearerMatches(req.headers.authorization, lock.token)) {
    const why = req.headers.authorization === undefined ? 'it carries no bearer token' : 'its bearer token is not this server\'s';
    throw new HttpError(401, `Failed to authorize ${req.method} ${path}: ${why}. Send "Authorization: Bearer <token>" with the token serve printed (its "token" field), or the one given by --token or BAILEYS_CHAOS_TOKEN.`);
  }
  const type = req.headers['content-type'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if ((hasBody || type !== undefined) && type?.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new HttpError(415, `Failed to read the body of ${req.method} ${path}: its Content-Type is ${type === undefined ? 'missing' : `"${type}"`}, not application/json. Send JSON with "Content-Type: application/json".`);
  }
}

async function handle(server: FakeWhatsAppServer, opts: ControlApiOptions, lock: Lock, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    // A refused request's body is not read: closing the connection spares reading the rest of it.
    const refused = status === 401 || status === 403 || status === 413 || status === 415;
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}), ...(refused ? { connection: 'close' } : {}) });
    res.end(JSON.stringify(body));
  };
  try {
    const url = new URL(req.url ?? '/', 'http://control');
    checkLock(req, url.pathname, lock);
    const matching = routes.filter((r) => r.path.test(url.pathname));
    if (!matching.length) throw new HttpError(404, `no route ${url.pathname}; see README "Control API"`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new HttpError(405, `${req.method} not allowed on ${url.pathname}; use ${matching.map((r) => r.method).join(' or ')}`);
    const params = route.path.exec(url.pathname)!.slice(1);
    const [status, body] = await route.handler(server, req, url, params, { provision: opts.provision, roots: lock.roots });
    send(status, body);
  } catch (err) {
    const status =
      err instanceof HttpError || err instanceof DeviceRequestError || err instanceof AuthDirRefusedError ? err.status : err instanceof MoveValidationError || err instanceof QrParseError || err instanceof MessageRequestError ? 400 : 500;
    send(status, { error: (err as Error).message, status });
  }
}
