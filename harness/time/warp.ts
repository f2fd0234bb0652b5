/**
 * Virtual time (--speed K): the whole command runs under libfaketime, so the harness, the fake
 * server, the embedded Toxiproxy, in-process Baileys clients and every bot process it spawns share
 * one clock that runs K times faster than real time — Date, performance.now, setTimeout and the
 * timers inside Baileys and the bot alike, with real-world settings untouched. The command
 * re-executes itself once under the preload; its children inherit the warp and the clock
 * (FAKETIME_SHARED). Facts and limits: shared/virtual-time.md in the project's notes; the README's
 * "Virtual time".
 *
 * What cannot be warped keeps real time and is said so: Go binaries (toxiproxy-server: under
 * --speed the embedded Toxiproxy is used, or a given --toxiproxy URL with its toxics' times in
 * real ms), process.cpuUsage, file mtimes. A delay that guards a race (the server's post-handshake
 * delay, for Baileys 6.x: baileys/first-frame-race.ts) is given in real time (x K virtual).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BadInputError } from '../errors.js';
import { hasFirstFrameRace } from '../baileys/first-frame-race.js';

export const SPEED_ENV = 'BAILEYS_CHAOS_SPEED';
/** Fastest speed accepted: CPU work inflates by exactly K, and Baileys' and bots' own timeouts break first. */
export const MAX_SPEED = 50;

const LIBRARY_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
];

/** libfaketime's preload library, if installed ($BAILEYS_CHAOS_LIBFAKETIME first). */
export function faketimeLibrary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.BAILEYS_CHAOS_LIBFAKETIME ? [env.BAILEYS_CHAOS_LIBFAKETIME] : LIBRARY_CANDIDATES;
  return candidates.find((p) => existsSync(p));
}

/**
 * The speed a suite command runs at when given neither --speed nor --time-scale, unless its bot
 * says a slower one (Bot.defaultSpeed: OpenClaw's is 5, harness/bots/openclaw.ts). In the
 * speed-fidelity benches (README "Virtual time") verdicts were the same as in real time for the
 * reference supervisor up to x20 and for OpenClaw up to x15 (it starts reliably up to x15 only); one
 * borderline command-bot run flipped at 20 (and at 10 in a run before 6.x's race guard stopped
 * inflating 7.x logins). 10 keeps a margin of 2 for runs whose CPU share
 * is higher (herds, message traffic); logins read about K times their real cost.
 */
export const DEFAULT_SPEED = 10;

export const FAKETIME_INSTALL = 'Install it ("apt-get install faketime libfaketime" on Debian/Ubuntu, or set BAILEYS_CHAOS_LIBFAKETIME to libfaketime.so.1)';
export const FAKETIME_MISSING = `Failed to run at --speed: libfaketime is not installed. ${FAKETIME_INSTALL}, or pass --speed 1 to run in real time.`;
export const faketimeMissingForDefault = (speed: number): string =>
  `Failed to run in virtual time (the default: real-world settings on a clock ${speed} times faster): libfaketime is not installed. ${FAKETIME_INSTALL}, or pass --speed 1 to run in real time (slow).`;

/** Is this speed real time (no warp needed)? */
export const isRealTime = (k: number): boolean => k === 1;

/** How runs at this speed keep time, in a few words for plan and replay lines: "virtual time xK" or "real time". */
export const clockName = (speed: number | undefined): string => (speed !== undefined && !isRealTime(speed) ? `virtual time x${speed}` : 'real time');

/** The speed this process runs at under the warp, or undefined when it is not warped. */
export function currentSpeed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const k = Number(env[SPEED_ENV]);
  return k > 0 && (env.LD_PRELOAD ?? '').includes('libfaketime') ? k : undefined;
}

/**
 * A span of real machine work (a process start, a guard against a race) as the clock reads it: K
 * times longer under virtual time at speed K, since CPU work is not sped up. One rule for every place
 * that waits on the machine rather than on a timer.
 */
export function machineTimeOnClock(realMs: number, speed: number | undefined = currentSpeed()): number {
  return realMs * (speed ?? 1);
}

/** Where a flag is in a command line (`--name V` or `--name=V`), or -1. */
export const flagIndex = (argv: string[], name: string): number => argv.findIndex((a) => a === name || a.startsWith(`${name}=`));

/** A flag's value in a command line (`--name V` or `--name=V`), as given; undefined when absent. */
export function flagValue(argv: string[], name: string): string | undefined {
  const i = flagIndex(argv, name);
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
}

/** The --speed value in a command line (`--speed K` or `--speed=K`), validated; undefined when absent. */
export function speedFlag(argv: string[]): number | undefined {
  if (flagIndex(argv, '--speed') < 0) return undefined;
  const raw = flagValue(argv, '--speed');
  const k = Number(raw);
  if (raw === undefined || !Number.isFinite(k) || k < 1 || k > MAX_SPEED) throw new BadInputError(`--speed must be a number from 1 to ${MAX_SPEED} (how many times faster than real time), got "${raw ?? ''}".`);
  return k;
}

/** Set on the command run again under the warp, whose IPC channel leads to the outer process. */
const OUTER_ENV = 'BAILEYS_CHAOS_WARP_OUTER';

/**
 * In the command run again under the warp: stop as on SIGTERM (a plan under way releases its runs
 * and writes what finished) when the outer process is gone, which no signal handler of its can
 * report when it is killed outright. Its IPC channel closes then; no-op anywhere else.
 */
export function stopWithOuterProcess(): void {
  if (process.env[OUTER_ENV] !== '1' || !process.channel) return;
  delete process.env[OUTER_ENV]; // not inherited by the processes this one starts
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/**
 * Runs this command again under libfaketime at speed K, passing signals on; resolves with its
 * exit code. Each process a warped one starts inherits the warp and continues the same clock.
 */
export function reexecWarped(k: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const warped = { ...warpedEnv(k, env), [OUTER_ENV]: '1' };
  return runPassingSignals(process.execPath, [...process.execArgv, ...process.argv.slice(1)], warped, { tied: true }).catch((err: Error) => (process.stderr.write(`baileys-chaos: Failed to start the warped command: ${err.message}\n`), 4));
}

/**
 * The environment that starts a process under libfaketime at speed K (throws the one-line install
 * advice when libfaketime is missing). Each process it starts inherits the warp and its clock.
 */
export function warpedEnv(k: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const library = faketimeLibrary(env);
  if (!library) throw new BadInputError(FAKETIME_MISSING);
  return {
    ...env,
    LD_PRELOAD: [library, env.LD_PRELOAD].filter(Boolean).join(':'),
    FAKETIME: `+0 x${k}`,
    // A child keeps its parent's clock instead of starting its own at its launch.
    FAKETIME_DONT_RESET: '1',
    [SPEED_ENV]: String(k),
  };
}

/**
 * Runs a command with this process's stdio, passing SIGINT and SIGTERM on; resolves with its exit
 * code (130 after SIGINT, 143 after another signal), rejects when it cannot start.
 */
export function runPassingSignals(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, { tied = false } = {}): Promise<number> {
  // tied (this command run again): its own process group, so a terminal's Ctrl-C reaches it once,
  // passed on from here (twice would make it quit without releasing its run); and an IPC channel
  // it sees close when this process dies, even by SIGKILL (stopWithOuterProcess).
  const child = spawn(file, args, { stdio: tied ? ['inherit', 'inherit', 'inherit', 'ipc'] : 'inherit', env, detached: tied });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 128 + 15)));
  });
}

/** What ran warped and what kept real time in a run at speed K, for the report. */
export function warpDescription(k: number, toxiproxy: string | undefined, versions: string[]): { k: number; warped: string[]; realTime: string[] } {
  const guarded = versions.filter(hasFirstFrameRace);
  return {
    k,
    warped: ['the harness and its clock', 'the fake server', 'in-process Baileys clients', 'every bot process (children inherit the warp)', ...(toxiproxy === 'embedded' ? ['the embedded Toxiproxy'] : [])],
    realTime: [
      'CPU work: it takes K times longer in virtual time (a 100 ms login reads as K x 100 ms)',
      ...(guarded.length ? [`the server's post-handshake delay on Baileys ${guarded.join(', ')}: kept at its real-time length (x K virtual), it guards 6.x's first-frame race (Baileys 7 has none: its delay runs on the clock)`] : []),
      "the kernel: TCP retransmission timers and packet shaping (packet faults) keep real time, K times longer in virtual time",
      ...(toxiproxy && toxiproxy !== 'embedded' ? [`Toxiproxy (${toxiproxy}, not warped): its toxics' times are real ms`] : []),
    ],
  };
}
