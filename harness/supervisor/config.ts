/**
 * Reads a bot's reconnect settings into one SupervisorConfig. Two schemas arrive in practice
 * (shared/real-world.md): the OpenClaw troubleshooting page's `channels.whatsapp.*` keys, and
 * OpenClaw's real `web.reconnect` / `web.whatsapp` keys. Both map onto the same policy. Only known
 * keys are accepted: an unknown or ill-typed key is an error naming the key and what it expects.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { BackoffPolicy, JitterMode } from './backoff.js';

export interface SessionStoreConfig {
  type: 'file' | 'sqlite';
  path: string;
}

export interface SupervisorConfig {
  backoff: BackoffPolicy;
  /** Consecutive failed attempts before giving up; 0 = never give up. */
  maxRetries: number;
  /**
   * The attempt counter resets after a connection that stayed open this long (OpenClaw:
   * `web.heartbeatSeconds`); 0 = reset on every successful open.
   */
  resetAttemptsAfterOpenMs: number;
  /** Baileys socket settings. */
  keepAliveIntervalMs: number;
  connectTimeoutMs: number;
  defaultQueryTimeoutMs: number;
  /** Login watchdog: an attempt that is not open after this long counts as failed (0 = off). */
  loginTimeoutMs: number;
  onConflict: 'stop' | 'backoff';
  sessionStore?: SessionStoreConfig;
}

/** The troubleshooting page's defaults, jitter off so a storm can be shown. */
export const DEFAULT_SUPERVISOR_CONFIG: SupervisorConfig = {
  backoff: { baseDelayMs: 3000, maxDelayMs: 60_000, factor: 1.5, jitter: 'none', jitterFraction: 0 },
  maxRetries: 20,
  resetAttemptsAfterOpenMs: 0,
  keepAliveIntervalMs: 25_000,
  connectTimeoutMs: 20_000,
  defaultQueryTimeoutMs: 60_000,
  loginTimeoutMs: 30_000,
  onConflict: 'stop',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Spec =
  | { kind: 'object'; fields: Record<string, Spec> }
  | { kind: 'number'; min?: number; max?: number; integer?: boolean }
  | { kind: 'string'; oneOf?: readonly string[] }
  | { kind: 'number-or-string'; min: number; max: number; oneOf: readonly string[] };

const ms = (min = 0): Spec => ({ kind: 'number', min, integer: true });
const obj = (fields: Record<string, Spec>): Spec => ({ kind: 'object', fields });
const JITTER_MODES = ['none', 'full', 'equal', 'decorrelated'] as const;

const SCHEMA = obj({
  channels: obj({
    whatsapp: obj({
      reconnect: obj({
        maxRetries: ms(0),
        baseDelay: ms(0),
        maxDelay: ms(0),
        backoffFactor: { kind: 'number', min: 1 },
        jitter: { kind: 'string', oneOf: JITTER_MODES },
        loginTimeout: ms(0),
        onConflict: { kind: 'string', oneOf: ['stop', 'backoff'] },
      }),
      keepAlive: obj({ intervalMs: ms(1), timeoutMs: ms(1) }),
      sessionStore: obj({ type: { kind: 'string', oneOf: ['file', 'sqlite'] }, path: { kind: 'string' } }),
    }),
  }),
  web: obj({
    reconnect: obj({
      initialMs: ms(0),
      maxMs: ms(0),
      factor: { kind: 'number', min: 1 },
      jitter: { kind: 'number-or-string', min: 0, max: 1, oneOf: JITTER_MODES },
      maxAttempts: ms(0),
    }),
    heartbeatSeconds: { kind: 'number', min: 0 },
    whatsapp: obj({ keepAliveIntervalMs: ms(1), connectTimeoutMs: ms(1), defaultQueryTimeoutMs: ms(1) }),
  }),
});

function describe(spec: Spec): string {
  switch (spec.kind) {
    case 'object':
      return 'an object';
    case 'number':
      return `${spec.integer ? 'an integer' : 'a number'}${spec.min !== undefined ? ` ≥ ${spec.min}` : ''}${spec.max !== undefined ? ` ≤ ${spec.max}` : ''}`;
    case 'string':
      return spec.oneOf ? `one of ${spec.oneOf.map((s) => `"${s}"`).join(', ')}` : 'a string';
    case 'number-or-string':
      return `a number ${spec.min}–${spec.max} or one of ${spec.oneOf.map((s) => `"${s}"`).join(', ')}`;
  }
}

function validate(value: unknown, spec: Spec, path: string, source: string): void {
  const fail = (): never => {
    throw new ConfigError(`Failed to read ${source}: "${path}" must be ${describe(spec)}, got ${JSON.stringify(value)}.`);
  };
  switch (spec.kind) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail();
      for (const [k, v] of Object.entries(value as object)) {
        const child = spec.fields[k];
        const p = path ? `${path}.${k}` : k;
        if (!child) throw new ConfigError(`Failed to read ${source}: unknown key "${p}". Known here: ${Object.keys(spec.fields).join(', ')}.`);
        validate(v, child, p, source);
      }
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail();
      if (spec.integer && !Number.isInteger(value)) fail();
      if (spec.min !== undefined && (value as number) < spec.min) fail();
      if (spec.max !== undefined && (value as number) > spec.max) fail();
      return;
    case 'string':
      if (typeof value !== 'string' || (spec.oneOf && !spec.oneOf.includes(value))) fail();
      return;
    case 'number-or-string':
      if (typeof value === 'number' ? value < spec.min || value > spec.max : typeof value !== 'string' || !spec.oneOf.includes(value)) fail();
      return;
  }
}

const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p);

/** Maps a parsed config object (either schema) onto a SupervisorConfig. */
export function parseSupervisorConfig(input: unknown, source = 'the config'): SupervisorConfig {
  validate(input, SCHEMA, '', source);
  const doc = input as {
    channels?: { whatsapp?: { reconnect?: Record<string, any>; keepAlive?: Record<string, number>; sessionStore?: SessionStoreConfig } };
    web?: { reconnect?: Record<string, any>; heartbeatSeconds?: number; whatsapp?: Record<string, number> };
  };
  const page = doc.channels?.whatsapp;
  const web = doc.web;
  if (page?.reconnect && web?.reconnect) {
    throw new ConfigError(`Failed to read ${source}: both "channels.whatsapp.reconnect" and "web.reconnect" are set. Keep one of them.`);
  }
  const cfg: SupervisorConfig = structuredClone(DEFAULT_SUPERVISOR_CONFIG);
  const b = cfg.backoff;
  if (page?.reconnect) {
    const r = page.reconnect;
    if (r.maxRetries !== undefined) cfg.maxRetries = r.maxRetries;
    if (r.baseDelay !== undefined) b.baseDelayMs = r.baseDelay;
    if (r.maxDelay !== undefined) b.maxDelayMs = r.maxDelay;
    if (r.backoffFactor !== undefined) b.factor = r.backoffFactor;
    if (r.jitter !== undefined) b.jitter = r.jitter as JitterMode;
    if (r.loginTimeout !== undefined) cfg.loginTimeoutMs = r.loginTimeout;
    if (r.onConflict !== undefined) cfg.onConflict = r.onConflict;
  }
  if (page?.keepAlive) {
    if (page.keepAlive.intervalMs !== undefined) cfg.keepAliveIntervalMs = page.keepAlive.intervalMs;
    // Baileys declares a link dead at interval + 5 s, fixed; timeoutMs bounds the ping query.
    if (page.keepAlive.timeoutMs !== undefined) cfg.defaultQueryTimeoutMs = page.keepAlive.timeoutMs;
  }
  if (page?.sessionStore) cfg.sessionStore = { type: page.sessionStore.type ?? 'file', path: expandHome(page.sessionStore.path ?? '') };
  if (cfg.sessionStore && !cfg.sessionStore.path) throw new ConfigError(`Failed to read ${source}: "channels.whatsapp.sessionStore.path" is required.`);
  if (web?.reconnect) {
    // OpenClaw's defaults where a key is absent: {initialMs 2000, maxMs 30000, factor 1.8, jitter 0.25, maxAttempts 12}.
    const r = web.reconnect;
    b.baseDelayMs = r.initialMs ?? 2000;
    b.maxDelayMs = r.maxMs ?? 30_000;
    b.factor = r.factor ?? 1.8;
    const jitter = r.jitter ?? 0.25;
    if (typeof jitter === 'number') {
      b.jitter = jitter > 0 ? 'proportional' : 'none';
      b.jitterFraction = jitter;
    } else b.jitter = jitter as JitterMode;
    cfg.maxRetries = r.maxAttempts ?? 12;
    cfg.resetAttemptsAfterOpenMs = (web.heartbeatSeconds ?? 60) * 1000;
  } else if (web?.heartbeatSeconds !== undefined) cfg.resetAttemptsAfterOpenMs = web.heartbeatSeconds * 1000;
  if (web?.whatsapp) Object.assign(cfg, web.whatsapp);
  if (b.maxDelayMs < b.baseDelayMs) throw new ConfigError(`Failed to read ${source}: the maximum delay (${b.maxDelayMs} ms) is below the base delay (${b.baseDelayMs} ms).`);
  return cfg;
}

export async function loadSupervisorConfig(path: string): Promise<SupervisorConfig> {
  return parseSupervisorConfig(await readConfigDocument(path), path);
}

/** The config file as parsed JSON, unvalidated (tune edits it, then parses each variant). */
export async function readConfigDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Failed to read the config ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}. Pass the path of an openclaw.json.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Failed to read the config ${path}: not valid JSON (${(err as Error).message}).`);
  }
}

/** Where a setting key lives in the document: `reconnect.baseDelay` → channels.whatsapp.reconnect.baseDelay (`channels.`/`web.` paths as they are). */
export function settingPath(key: string): string[] {
  const parts = key.split('.').filter(Boolean);
  return parts[0] === 'channels' || parts[0] === 'web' ? parts : ['channels', 'whatsapp', ...parts];
}

/** A copy of the document with each `key=value` set. */
export function applyValues(doc: unknown, values: Record<string, number>): Record<string, unknown> {
  const out = structuredClone((doc ?? {}) as Record<string, unknown>);
  for (const [key, value] of Object.entries(values)) {
    const path = settingPath(key);
    let node: Record<string, unknown> = out;
    for (const p of path.slice(0, -1)) {
      if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return out;
}
