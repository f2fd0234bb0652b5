/**
 * Which Toxiproxy a run uses, all behind the same client (ToxiproxyClient):
 *  1. TOXIPROXY_URL, when set: a server someone else runs;
 *  2. the real `toxiproxy-server` binary (TOXIPROXY_SERVER_BIN, PATH, or .tools/bin where
 *     .ci/run installs it with `go install`), started on an ephemeral port;
 *  3. Docker, through @testcontainers/toxiproxy, when an engine is reachable;
 *  4. the embedded TypeScript server, always available.
 * `prefer` restricts the choice; asking for one that is unavailable is an error saying why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dieWithHarness } from '../../children.js';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../../core/clock.js';
import { EmbeddedToxiproxy } from './embedded/api.js';
import { ToxiproxyClient } from './client.js';
import { PACKAGE_ROOT } from '../../package-root.js';

export type BackendKind = 'url' | 'binary' | 'docker' | 'embedded';

export interface ToxiproxyBackend {
  kind: BackendKind;
  url: string;
  client: ToxiproxyClient;
  /** Where it came from, for reports: the URL, the binary path, the image. */
  detail: string;
  close(): Promise<void>;
}

export class ToxiproxyUnavailableError extends Error {
  override name = 'ToxiproxyUnavailableError';
}

const REPO_ROOT = PACKAGE_ROOT;
export const TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

/** The real server binary, if this machine has one. */
export function findToxiproxyBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TOXIPROXY_SERVER_BIN) return existsSync(env.TOXIPROXY_SERVER_BIN) ? env.TOXIPROXY_SERVER_BIN : undefined;
  const dirs = [join(REPO_ROOT, '.tools', 'bin'), ...(env.PATH ?? '').split(delimiter)];
  for (const dir of dirs) {
    const candidate = join(dir, 'toxiproxy-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function waitUntilUp(client: ToxiproxyClient, child: ChildProcess | undefined, what: string, timeoutMs = 10_000, spawnError: () => Error | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const failed = spawnError();
    if (failed) throw new ToxiproxyUnavailableError(`Failed to start ${what}: ${failed.message}. Check the binary's path and permissions, or set TOXIPROXY_SERVER_BIN.`);
    if (child && child.exitCode !== null) throw new ToxiproxyUnavailableError(`Failed to start ${what}: it exited with code ${child.exitCode}.`);
    try {
      await client.version();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new ToxiproxyUnavailableError(`Failed to reach ${what} within ${timeoutMs} ms: ${(last as Error)?.message}.`);
}

export async function startBinary(bin: string): Promise<ToxiproxyBackend> {
  // The listener's port must be known before start: a free port, then the server binds it.
  const port = await freePort();
  const child = dieWithHarness(spawn(bin, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] }));
  // A binary that cannot be spawned emits 'error' (never 'exit'): without a listener it would crash the process.
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const url = `http://127.0.0.1:${port}`;
  const client = new ToxiproxyClient(url);
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || spawnError) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    await waitUntilUp(client, child, `toxiproxy-server (${bin})`, 10_000, () => spawnError);
  } catch (err) {
    await close();
    throw err;
  }
  return { kind: 'binary', url, client, detail: bin, close };
}

export async function startEmbedded(clock: Clock, seed: number): Promise<ToxiproxyBackend> {
  const server = new EmbeddedToxiproxy({ clock, seed });
  const url = await server.start();
  return { kind: 'embedded', url, client: new ToxiproxyClient(url), detail: 'embedded TypeScript server', close: () => server.close() };
}

/** Is a Docker engine reachable? (No engine, no socket: testcontainers cannot run.) */
export function dockerAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.DOCKER_HOST) return true;
  return existsSync('/var/run/docker.sock');
}

export async function startDocker(): Promise<ToxiproxyBackend> {
  if (!dockerAvailable()) throw new ToxiproxyUnavailableError('Failed to start Toxiproxy in Docker: no Docker engine is reachable (no DOCKER_HOST, no /var/run/docker.sock).');
  let mod: { ToxiProxyContainer: new (image: string) => { start(): Promise<{ getHost(): string; getMappedPort(p: number): number; stop(): Promise<unknown> }> } };
  try {
    mod = (await import('@testcontainers/toxiproxy' as string)) as typeof mod;
  } catch {
    throw new ToxiproxyUnavailableError('Failed to start Toxiproxy in Docker: @testcontainers/toxiproxy is not installed. Run "npm install @testcontainers/toxiproxy".');
  }
  const container = await new mod.ToxiProxyContainer(TOXIPROXY_IMAGE).start();
  const url = `http://${container.getHost()}:${container.getMappedPort(8474)}`;
  const client = new ToxiproxyClient(url);
  await waitUntilUp(client, undefined, `Toxiproxy in Docker (${TOXIPROXY_IMAGE})`);
  return { kind: 'docker', url, client, detail: TOXIPROXY_IMAGE, close: async () => void (await container.stop()) };
}

export async function connectUrl(url: string): Promise<ToxiproxyBackend> {
  const client = new ToxiproxyClient(url);
  await waitUntilUp(client, undefined, `Toxiproxy at ${url} (TOXIPROXY_URL)`, 3_000);
  return { kind: 'url', url, client, detail: url, close: async () => undefined };
}

/** The best available backend, or the one asked for. */
export async function openToxiproxy(opts: { prefer?: BackendKind; clock: Clock; seed: number; env?: NodeJS.ProcessEnv }): Promise<ToxiproxyBackend> {
  const env = opts.env ?? process.env;
  const want = opts.prefer;
  if (want === 'url' || (!want && env.TOXIPROXY_URL)) {
    if (!env.TOXIPROXY_URL) throw new ToxiproxyUnavailableError('Failed to use TOXIPROXY_URL: it is not set.');
    return connectUrl(env.TOXIPROXY_URL);
  }
  if (want === 'embedded') return startEmbedded(opts.clock, opts.seed);
  const bin = findToxiproxyBinary(env);
  if (want === 'binary' || (!want && bin)) {
    if (!bin) throw new ToxiproxyUnavailableError('Failed to find the toxiproxy-server binary: install it with "GOBIN=$PWD/.tools/bin go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0 && mv .tools/bin/server .tools/bin/toxiproxy-server", or set TOXIPROXY_SERVER_BIN.');
    return startBinary(bin);
  }
  if (want === 'docker' || (!want && dockerAvailable(env))) return startDocker();
  return startEmbedded(opts.clock, opts.seed);
}
