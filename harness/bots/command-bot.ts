/**
 * Any command as the bot under test: one unmodified process per client, restarted as a process
 * manager would (`--restart always | on-failure | never`). The process is told its socket URL
 * (`BAILEYS_CHAOS_WS_URL`) and its session directory (`BAILEYS_CHAOS_AUTH_DIR`), and a Node bot
 * gets the redirect preload: it points the bot's own `import '@whiskeysockets/baileys'` (or
 * `'baileys'`) at the version under test, sets the default socket URL, trusts the test root, and
 * moves the process into the client's own directory, so a bot that keeps its session at a fixed
 * relative path (`auth_info_baileys`) finds the provisioned one and clients never share one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dieWithHarness } from '../children.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBaileysPackage } from '../baileys/versions.js';
import { EventStream } from '../../core/event-stream.js';
import { corruptCreds } from '../faults/session-corruption.js';
import type { KillOrder } from '../faults/schedule.js';
import { Rng } from '../../core/random.js';
import { nextWriteIn } from './next-write.js';
import { machineTimeOnClock } from '../time/warp.js';
import { BotSetupError, type Bot, type BotClient, type BotClientContext, type BotReport } from './bot.js';

export type RestartPolicy = 'always' | 'on-failure' | 'never';
export const RESTART_POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];

const REDIRECT = fileURLToPath(new URL('../redirect.mjs', import.meta.url));
/**
 * A process that exits this soon after its start (machine time), again and again, is a crash loop:
 * the manager gives up (as pm2 does after its min_uptime, 1 s). Its start is machine work, so under
 * virtual time the clock reads it K times longer (machineTimeOnClock). pm2's 1 s was too close: under
 * the warp beside npm test's first pass, `node -e "process.exit(3)"` with the redirect preload lived
 * 0.67-0.91 s of machine time (0.15 s alone, unwarped), and a start over 1 s was restarted until the
 * start timeout instead of given up on. 5 s keeps a margin of 5.
 */
const QUICK_EXIT_MS = 5_000;
const MAX_QUICK_EXITS = 10;
/** systemd's default RestartSec. */
const RESTART_DELAY_MS = 100;

/** What one client's process is: its command line, environment, and where its session lives. */
export interface ProcessPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The session directory to provision (multi-file format). */
  authDir: string;
  /** Give Node the redirect preload (NODE_OPTIONS). */
  preload: boolean;
  /** A line the process writes to this file once it has finished starting (else the server's open is enough). */
  readyWhen?: { file: string; text: string };
}

export interface CommandBotOptions {
  /** How reports name it and the flags that select it again. */
  label: string;
  flags: string[];
  restart: RestartPolicy;
  /** Builds client `ctx.index`'s process. */
  plan(ctx: BotClientContext): Promise<ProcessPlan>;
  /** Checks it can run at all. */
  prepare?(): Promise<void>;
}

/** `--bot-cmd 'node bot.js'`: the command run by a shell in `cwd`, one process per client. */
export function shellCommandBot(opts: { command: string; restart?: RestartPolicy; authDir?: string; cwd?: string }): Bot {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const authDir = opts.authDir ?? 'auth_info_baileys';
  return commandBot({
    label: `command '${opts.command}'`,
    flags: [`--bot-cmd '${opts.command.replace(/'/g, `'\\''`)}'`, ...(opts.restart && opts.restart !== 'always' ? [`--restart ${opts.restart}`] : []), ...(opts.authDir ? [`--auth-dir ${opts.authDir}`] : [])],
    restart: opts.restart ?? 'always',
    async prepare() {
      if (!existsSync(cwd)) throw new BotSetupError(`Failed to run the bot command: its directory ${cwd} does not exist.`);
    },
    async plan(ctx) {
      const home = join(ctx.workDir, `client-${ctx.index}`);
      await mkdir(home, { recursive: true });
      return {
        argv: ['/bin/sh', '-c', opts.command],
        env: { BAILEYS_CHAOS_CHDIR: home },
        cwd,
        authDir: resolve(home, authDir),
        preload: true,
      };
    },
  });
}

export function commandBot(opts: CommandBotOptions): Bot {
  return {
    label: opts.label,
    flags: opts.flags,
    where: 'process',
    store: 'file',
    declaresPolicy: false,
    clockFaults: false,
    killable: opts.restart !== 'never',
    ...(opts.prepare ? { prepare: opts.prepare } : {}),
    async client(ctx) {
      const plan = await opts.plan(ctx);
      return new ManagedProcess(plan, ctx, opts.restart);
    },
  };
}

/** The environment every bot process gets: where to connect, what to trust, which Baileys to load. */
export function botEnvironment(plan: ProcessPlan, ctx: BotClientContext): Record<string, string> {
  const pkg = resolveBaileysPackage(ctx.version as never);
  const env: Record<string, string> = {
    BAILEYS_CHAOS_WS_URL: ctx.wsUrl,
    BAILEYS_CHAOS_AUTH_DIR: plan.authDir,
    BAILEYS_CHAOS_TRUST_KEY: ctx.trustedPublicKey.toString('base64'),
    BAILEYS_CHAOS_VERSION: ctx.version,
    BAILEYS_CHAOS_CLIENT: String(ctx.index),
    BAILEYS_CHAOS_MARKER: redirectMarker(ctx),
    ...(pkg ? { BAILEYS_CHAOS_BAILEYS_DIR: dirname(pkg) } : {}),
    ...plan.env,
  };
  if (plan.preload) env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import ${REDIRECT}`].filter(Boolean).join(' ');
  return env;
}

const redirectMarker = (ctx: BotClientContext) => join(ctx.workDir, `client-${ctx.index}.redirect.json`);

/**
 * One client's process under a process manager. Its self-report is the manager's own view
 * (process-start, process-exit, restart, gave-up), plus what the redirect preload writes.
 */
class ManagedProcess implements BotClient {
  readonly events = new EventStream<BotReport>();
  private child: ChildProcess | undefined;
  private exitedAt = Promise.resolve();
  private stopping = false;
  private quickExits = 0;
  private output = '';
  private lastError: string | undefined;
  private done = false;
  private readonly rng: Rng;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly plan: ProcessPlan,
    private readonly ctx: BotClientContext,
    private readonly restart: RestartPolicy,
  ) {
    this.rng = new Rng(ctx.seed + 1000);
    this.env = { ...process.env, ...botEnvironment(plan, ctx) };
  }

  get error(): string | undefined {
    return this.lastError;
  }

  get ended(): boolean {
    return this.done;
  }

  get sessionDir(): string {
    return this.plan.authDir;
  }

  private saidReady = false;
  get ready(): boolean {
    const when = this.plan.readyWhen;
    if (!when || this.saidReady) return true;
    let text = '';
    try {
      text = readFileSync(when.file, 'utf8');
    } catch {
      // Not written yet.
    }
    if (!text.includes(when.text)) return false;
    this.saidReady = true;
    this.report('ready', { line: when.text });
    return true;
  }

  async start(): Promise<void> {
    this.spawn();
  }

  private report(type: string, extra: Record<string, unknown> = {}): void {
    this.events.push({ t: this.ctx.clock.now(), type, ...extra });
  }

  private spawn(): void {
    if (this.stopping) return;
    const { argv, cwd } = this.plan;
    const argv0 = this.ctx.netns ? ['ip', 'netns', 'exec', this.ctx.netns, ...argv] : argv;
    const started = this.ctx.clock.now();
    const child = dieWithHarness(spawn(argv0[0]!, argv0.slice(1), { cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), true);
    this.child = child;
    this.output = '';
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.report('process-start', { pid: child.pid });
    this.exitedAt = new Promise((resolveExit) => {
      let settled = false;
      const onEnd = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (settled) return;
        settled = true;
        const lived = this.ctx.clock.now() - started;
        const tail = this.output.trim().split('\n').slice(-3).join(' | ');
        this.report('process-exit', { code, signal, livedMs: Math.round(lived), ...(tail ? { output: tail } : {}) });
        if (spawnError || code) this.lastError = spawnError ? `${spawnError.message}` : `exited with code ${code}${tail ? `: ${tail}` : ''}`;
        resolveExit();
        this.onExit(code, signal, lived, !!spawnError);
      };
      child.once('error', (err) => onEnd(null, null, err));
      child.once('exit', (code, signal) => onEnd(code, signal));
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, livedMs: number, spawnFailed: boolean): void {
    if (this.stopping || this.killing) return;
    const failed = spawnFailed || code !== 0 || signal !== null;
    const again = this.restart === 'always' || (this.restart === 'on-failure' && failed);
    const quickMs = machineTimeOnClock(QUICK_EXIT_MS);
    this.quickExits = livedMs < quickMs ? this.quickExits + 1 : 0;
    if (!again || spawnFailed || this.quickExits >= MAX_QUICK_EXITS) {
      if (this.quickExits >= MAX_QUICK_EXITS) this.report('gave-up', { reason: `${this.quickExits} exits within ${quickMs} ms of a start` });
      this.done = true;
      return;
    }
    setTimeout(() => {
      this.report('restart', { policy: this.restart });
      this.spawn();
    }, RESTART_DELAY_MS).unref();
  }

  private killing = false;

  /**
   * SIGKILL (the whole process group), optional damage to the creds, then the manager's restart.
   * `atNextWrite`: at the first change of a file in its session directory (bounded by writeWaitMs;
   * killed then anyway, as the subprocess driver does).
   */
  async kill(order: KillOrder): Promise<void> {
    if (order.atNextWrite) {
      const wrote = await nextWriteIn(this.plan.authDir, this.ctx.writeWaitMs);
      this.report('kill-at-write', { wrote });
    }
    const child = this.child;
    if (!child || this.done || this.stopping || child.exitCode !== null || child.signalCode !== null) return;
    this.killing = true;
    try {
      this.signal(child, 'SIGKILL');
      await this.exitedAt;
      if (order.corrupt) await corruptCreds({ type: 'file', path: this.plan.authDir }, order.corrupt, () => this.rng.next());
    } finally {
      this.killing = false;
    }
    if (this.restart === 'never') {
      this.done = true;
      return;
    }
    this.report('restart', { policy: this.restart, after: 'kill' });
    this.spawn();
  }

  private signal(child: ChildProcess, sig: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, sig); // the shell and the bot it started
    } catch {
      child.kill(sig);
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Whether the bot's own Baileys import went to the version under test (a bot that loads its
    // Baileys by path, or a copy, runs its own version: the report says so).
    this.report(this.plan.preload && existsSync(redirectMarker(this.ctx)) ? 'baileys-redirected' : 'baileys-not-redirected', { version: this.ctx.version });
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.signal(child, 'SIGTERM');
    const timer = setTimeout(() => this.signal(child, 'SIGKILL'), 3_000);
    await this.exitedAt;
    clearTimeout(timer);
  }
}
