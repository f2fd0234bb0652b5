/**
 * The real OpenClaw gateway (openclaw 2026.9.6 with its @openclaw/whatsapp plugin) as installed by
 * `npm run setup:openclaw` (scripts/install-openclaw.mjs), and the per-client HOME it runs in.
 *
 * What this relies on (measured against the fake server, see the notes in the report of the
 * `--bot openclaw` work):
 * - OpenClaw reads its socket URL from OPENCLAW_WHATSAPP_WEB_SOCKET_URL (`new URL(v).toString()`,
 *   so a query string such as `?chaos-client=3` reaches the server unchanged, on every reconnect).
 * - The plugin is found by the gateway in `~/.openclaw/npm/projects/openclaw-whatsapp-<hash>/`; a
 *   symlink to the template HOME's `npm/` is enough (the gateway records it as its own install and
 *   writes nothing there). A bare `plugins.load.paths` entry is NOT: such a plugin is untrusted and
 *   its channel exits ("openChannelIngressQueue is only available for trusted plugins").
 * - Writing `~/.openclaw/openclaw.json` directly works (each `openclaw config set` costs ~3.5 s).
 * - Two gateways are kept apart by HOME (state dir, config, credentials, lock keys), their own
 *   gateway port (default 18789 for everyone otherwise) and `logging.file` (else all write
 *   /tmp/openclaw/openclaw-<date>.log); TMPDIR keeps the rest of their scratch files in HOME.
 *   Not avoidable: 3 empty lock files per HOME in /tmp/openclaw-state-locks-<uid>/ (hard-coded
 *   /tmp, keyed by a hash of the state dir, so they never collide; never removed).
 * - SIGTERM stops it cleanly in 0.2-1.5 s (exit 0); a SIGKILL of the launcher takes its children
 *   with it. It logs in 20-30 s after spawn on 2 busy cores (a fresh HOME pays ~8 s more once).
 * - A close within ~1 s of the open (while it is still attaching to the socket) is missed: the
 *   channel stays "listening" on a dead socket until its health monitor restarts it ~300 s later.
 * - A redirect preload cannot patch the Baileys it uses: on every start the gateway copies the
 *   plugin to `~/.openclaw/tmp/plugin-captures/<uuid>/…` and imports `baileys` from that copy. Only
 *   a resolve hook that replaces the `baileys` import (BAILEYS_CHAOS_BAILEYS_DIR) reaches it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cacheRoot } from '../cache.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BotSetupError } from './bot.js';

/**
 * OpenClaw's default speed. In the openclaw-fidelity bench (bench.json openclawFidelity,
 * 2026-11-29: seed 7, keepalive-timeout and stream-errors on 7.0.0-rc14, 3 runs each) x5 kept every
 * verdict and each recovery p50 within 8.1 % of real time's; at x10 one drifted 78 % (18 % in an
 * earlier run of 2): its start-up and logins are CPU work, read K times longer on the clock.
 */
export const OPENCLAW_DEFAULT_SPEED = 5;

export const OPENCLAW_VERSION = '2026.9.6';
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;
/** The command that installs OpenClaw and its Node: the npm script in a clone, the shipped script from a package. */
export const OPENCLAW_SETUP = existsSync(join(PACKAGE_ROOT, 'harness', 'bots', 'openclaw.ts'))
  ? 'npm run setup:openclaw'
  : `node ${join(PACKAGE_ROOT, 'scripts', 'install-openclaw.mjs')}`;
const SETUP = `\`${OPENCLAW_SETUP}\``;

export interface OpenClawInstall {
  /** The directory setup:openclaw installed into. */
  cacheDir: string;
  /** The Node binary that runs the gateway (>= 24.16). */
  node: string;
  nodeVersion: string;
  /** openclaw's bin entry (`openclaw.mjs`), run as `node <openclaw> gateway`. */
  openclaw: string;
  /** The template HOME where `openclaw plugins install @openclaw/whatsapp` ran. */
  templateHome: string;
  /** The installed plugin package, and the Baileys package it depends on (`baileys`, unscoped). */
  pluginDir: string;
  baileysDir: string;
  baileysVersion: string;
}

export interface OpenClawProcess {
  argv: string[];
  /**
   * Variables to set over the parent's environment (NODE_OPTIONS is emptied: no preload); argv
   * starts with `/usr/bin/env -u …` to drop the parent's test-mode and OpenClaw variables.
   */
  env: Record<string, string>;
  cwd: string;
  /** Where to provision the session: `<HOME>/.openclaw/credentials/whatsapp/default`. */
  authDir: string;
  home: string;
  /** The gateway's own port (its HTTP/WebSocket control plane, loopback). */
  port: number;
  /** The gateway's log file (`logging.file`). */
  logFile: string;
}

/** `<cache>/openclaw` (harness/cache.ts), where setup:openclaw installs. */
export function defaultOpenClawCacheDir(): string {
  return join(cacheRoot(), 'openclaw');
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** openclaw's engines: `>=24.16.0 <25 || >=26.1.0`. */
function nodeFitsOpenClaw(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 24 && minor >= 16) || (major === 26 && minor >= 1) || major > 26;
}

async function nodeVersionOf(bin: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(bin, ['-v'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

function findPlugin(templateHome: string): string | undefined {
  const projects = join(templateHome, '.openclaw', 'npm', 'projects');
  if (!existsSync(projects)) return undefined;
  for (const name of readdirSync(projects)) {
    if (!name.startsWith('openclaw-whatsapp-')) continue;
    const dir = join(projects, name, 'node_modules', '@openclaw', 'whatsapp');
    if (existsSync(join(dir, 'node_modules', 'baileys', 'package.json'))) return dir;
  }
  return undefined;
}

/**
 * Finds the install made by `npm run setup:openclaw` (and checks the Node that will run it).
 * Throws a one-line BotSetupError saying what to install.
 */
export async function openclawLaunch(opts: { cacheDir?: string; nodePath?: string } = {}): Promise<OpenClawInstall> {
  const cacheDir = resolve(opts.cacheDir ?? defaultOpenClawCacheDir());
  const what = `(installs Node 24 and openclaw ${OPENCLAW_VERSION} into ${cacheDir})`;
  const openclaw = join(cacheDir, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
  const version = readJson(join(dirname(openclaw), 'package.json'))?.version;
  if (!existsSync(openclaw) || !version) throw new BotSetupError(`Failed to run OpenClaw: no openclaw in ${cacheDir}. Run ${SETUP} ${what}.`);
  if (version !== OPENCLAW_VERSION) throw new BotSetupError(`Failed to run OpenClaw: ${cacheDir} holds openclaw ${version}, not ${OPENCLAW_VERSION}. Run ${SETUP} ${what}.`);

  const node = opts.nodePath ? resolve(opts.nodePath) : join(cacheDir, 'node', 'node_modules', NODE_PACKAGE, 'bin', 'node');
  const nodeVersion = existsSync(node) ? await nodeVersionOf(node) : undefined;
  if (!nodeVersion) {
    throw new BotSetupError(
      opts.nodePath
        ? `Failed to run OpenClaw: --node ${opts.nodePath} is not a runnable Node binary. Pass a Node >= 24.16, or run ${SETUP} ${what} and drop --node.`
        : `Failed to run OpenClaw: no Node 24 in ${cacheDir}. Run ${SETUP} ${what}.`,
    );
  }
  if (!nodeFitsOpenClaw(nodeVersion)) {
    throw new BotSetupError(
      `Failed to run OpenClaw: the Node at ${opts.nodePath ? `--node ${opts.nodePath}` : node} is ${nodeVersion}; openclaw ${OPENCLAW_VERSION} needs >= 24.16 (< 25) or >= 26.1. ${opts.nodePath ? `Pass a newer one, or run ${SETUP} ${what} and drop --node.` : `Run ${SETUP} ${what}.`}`,
    );
  }

  const templateHome = join(cacheDir, 'home');
  const pluginDir = findPlugin(templateHome);
  if (!pluginDir) throw new BotSetupError(`Failed to run OpenClaw: its WhatsApp plugin (@openclaw/whatsapp) is not installed in ${templateHome}. Run ${SETUP} ${what}.`);
  const baileysDir = join(pluginDir, 'node_modules', 'baileys');
  const baileysVersion = String(readJson(join(baileysDir, 'package.json'))?.version ?? 'unknown');
  return { cacheDir, node, nodeVersion, openclaw, templateHome, pluginDir, baileysDir, baileysVersion };
}

const handedOut = new Set<number>();

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(true)));
  });
}

/**
 * A port for one gateway, below the ephemeral range (so outgoing connections do not take it while
 * the gateway is down between restarts), free on both loopbacks the gateway binds, and not handed
 * out before by this process. Derived ports (browser control = port + 2) are only used if an agent
 * drives a browser, which these runs never do.
 */
async function gatewayPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port)) continue;
    if ((await canListen(port, '127.0.0.1')) && (await canListen(port, '::1'))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new BotSetupError('Failed to run OpenClaw: found no free port for its gateway in 20000-31999.');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isRecord(v) && isRecord(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/**
 * A fresh, isolated HOME for client `index` under `workDir` (an existing one is replaced): the
 * minimal config (gateway.mode local, gateway.bind loopback, channels.whatsapp enabled with
 * dmPolicy disabled, its own gateway port and log file), the plugin linked from the template
 * HOME, and an empty credentials directory to provision the session into (authDir). Spawn
 * `argv` in `cwd` with `env` set over the parent's environment; stop it with SIGTERM.
 * `config` is merged into openclaw.json (e.g. `{plugins: {allow: ['whatsapp']}}` for a lighter
 * gateway), `env` over the returned environment.
 */
export async function prepareOpenClawHome(
  install: OpenClawInstall,
  opts: { workDir: string; index: number; wsUrl: string; port?: number; config?: Record<string, unknown>; env?: Record<string, string> },
): Promise<OpenClawProcess> {
  const home = resolve(opts.workDir, `openclaw-${opts.index}`);
  await rm(home, { recursive: true, force: true });
  const state = join(home, '.openclaw');
  const authDir = join(state, 'credentials', 'whatsapp', 'default');
  const tmp = join(home, 'tmp');
  await mkdir(authDir, { recursive: true });
  await mkdir(tmp, { recursive: true });
  await symlink(join(install.templateHome, '.openclaw', 'npm'), join(state, 'npm'), 'dir');

  const port = opts.port ?? (await gatewayPort());
  const logFile = join(home, 'openclaw.log');
  // What `openclaw plugins install` wrote (plugins.entries.whatsapp.enabled, meta), then ours.
  const template = readJson(join(install.templateHome, '.openclaw', 'openclaw.json')) ?? {};
  const config = merge(
    merge(template, {
      gateway: { mode: 'local', bind: 'loopback', port },
      channels: { whatsapp: { enabled: true, dmPolicy: 'disabled' } },
      plugins: { entries: { whatsapp: { enabled: true } } },
      logging: { file: logFile },
    }),
    opts.config ?? {},
  );
  await writeFile(join(state, 'openclaw.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

  const env: Record<string, string> = {
    HOME: home,
    OPENCLAW_WHATSAPP_WEB_SOCKET_URL: opts.wsUrl,
    OPENCLAW_GATEWAY_PORT: String(port),
    TMPDIR: tmp,
    // Shared between runs: openclaw respawns itself with a compile cache (else under /tmp).
    NODE_COMPILE_CACHE: join(install.cacheDir, 'compile-cache'),
    // The gateway is the bot as it ships: no preload from the parent, no self-update from npm.
    NODE_OPTIONS: '',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    DO_NOT_TRACK: '1',
    PATH: `${dirname(install.node)}:${process.env.PATH ?? ''}`,
    ...opts.env,
  };
  // Unset, whatever environment the caller spawns it with: OpenClaw switches to its own test mode
  // (no log file, test-only paths) when it sees VITEST / VITEST_WORKER_ID / NODE_ENV=test, as it
  // does when a vitest run spawns it; and the parent's own OpenClaw settings (a state dir, a
  // profile) must not reach it. `env -u` because callers merge this env over process.env.
  const unset = new Set(['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'JEST_WORKER_ID']);
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('VITEST') || (key.startsWith('OPENCLAW_') && !(key in env))) unset.add(key);
  }
  if (process.env.NODE_ENV === 'test') unset.add('NODE_ENV');
  const argv = ['/usr/bin/env', ...[...unset].sort().flatMap((k) => ['-u', k]), install.node, install.openclaw, 'gateway'];
  return { argv, env, cwd: home, authDir, home, port, logFile };
}
