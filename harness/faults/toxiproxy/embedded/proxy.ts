/**
 * One proxy: a TCP listener that forwards each accepted connection to `upstream`, through the
 * toxics of each direction.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Link, type ToxicSpec } from './link.js';

export interface ProxyConfig {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

interface Connection {
  client: Socket;
  upstream: Socket;
  links: Link[];
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const splitHostPort = (addr: string): [string, number] => {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1';
  return [host === '0.0.0.0' || host === 'localhost' ? (host === 'localhost' ? '127.0.0.1' : host) : host, Number(addr.slice(i + 1))];
};

export class EmbeddedProxy {
  readonly toxics: ToxicSpec[] = [];
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();

  constructor(
    public config: ProxyConfig,
    private readonly clock: () => number,
    private readonly random: () => number,
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  toJSON() {
    return { name: this.config.name, listen: this.config.listen, upstream: this.config.upstream, enabled: this.config.enabled, toxics: this.toxics };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const [host, port] = splitHostPort(this.config.listen);
    // Go's own words for an address it cannot listen on (a 500 in Toxiproxy too); node would throw a RangeError.
    if (!Number.isInteger(port)) throw new ApiError(`listen tcp: address ${this.config.listen}: missing port in address`, 500);
    if (port < 0 || port > 65535) throw new ApiError(`listen tcp: address ${this.config.listen}: invalid port`, 500);
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ApiError(`listen tcp ${this.config.listen}: ${(err as Error).message}`, 500)));
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.config.listen = `${host}:${addr.port}`;
    this.server = server;
    this.config.enabled = true;
  }

  /** Stops listening and closes every connection (a disabled proxy, as in Toxiproxy). */
  async stop(): Promise<void> {
    this.config.enabled = false;
    const server = this.server;
    this.server = undefined;
    for (const c of [...this.connections]) this.closeConnection(c, false);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const [host, port] = splitHostPort(this.config.upstream);
    // An upstream that cannot be dialled closes the client, as in Toxiproxy; connect() would throw out of the listener.
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      client.destroy();
      return;
    }
    const upstream = connect({ host, port });
    const resetOnClose = this.toxics.some((t) => t.type === 'reset_peer');
    const conn: Connection = { client, upstream, links: [] };
    this.connections.add(conn);
    const close = (why: 'toxic' | 'end') => this.closeConnection(conn, why === 'toxic' && resetOnClose);
    const make = (source: Socket, dest: Socket, stream: ToxicSpec['stream']) =>
      new Link(source, dest, this.toxics.filter((t) => t.stream === stream), this.clock, this.random, close, resetOnClose);
    conn.links = [make(client, upstream, 'upstream'), make(upstream, client, 'downstream')];
    // A FIN travels through the toxics like data (slow_close delays it); the connection is gone
    // once both sockets closed, or at once on an error.
    for (const s of [client, upstream]) {
      s.on('error', () => close('end'));
      s.on('close', () => {
        if (client.destroyed && upstream.destroyed) close('end');
      });
    }
  }

  private closeConnection(conn: Connection, reset: boolean): void {
    if (!this.connections.delete(conn)) return;
    for (const l of conn.links) l.dispose();
    for (const s of [conn.client, conn.upstream]) {
      if (s.destroyed) continue;
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
  }

  /** Bytes held for all its connections, both directions: bounded by backpressure. */
  get bufferedBytes(): number {
    let n = 0;
    for (const c of this.connections) for (const l of c.links) n += l.bufferedBytes;
    return n;
  }

  addToxic(spec: ToxicSpec): void {
    this.toxics.push(spec);
    for (const c of this.connections) c.links[spec.stream === 'upstream' ? 0 : 1]!.addToxic(spec);
  }

  updateToxic(spec: ToxicSpec): void {
    for (const c of this.connections) c.links[spec.stream === 'upstream' ? 0 : 1]!.updateToxic(spec);
  }

  removeToxic(name: string): void {
    const i = this.toxics.findIndex((t) => t.name === name);
    if (i < 0) return;
    const [spec] = this.toxics.splice(i, 1);
    for (const c of [...this.connections]) c.links[spec!.stream === 'upstream' ? 0 : 1]!.removeToxic(name);
  }
}
