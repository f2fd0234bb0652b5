/**
 * The one seam for the bot under test. Every kind of bot — the reference supervisor or a subclass,
 * a user's module running their own Baileys code, any command run as an unmodified process, the
 * OpenClaw preset — becomes the same thing to a run: per client, something to start, stop and
 * (for process bots) kill, plus whatever the bot says about itself. The verdict never reads that
 * self-report: it is judged from the fake server's record (harness/recorder/evidence.ts).
 */
import type { Clock } from '../../core/clock.js';
import type { EventStream } from '../../core/event-stream.js';
import type { KillOrder } from '../faults/schedule.js';
import type { BaileysModule } from '../baileys/versions.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import type { BotReport } from '../recorder/timeline.js';

// What a bot says about itself is defined with the record that keeps it: the judge reads the record, not the bot seam.
export type { BotReport };

/** Everything one client of a run needs to exist. */
export interface BotClientContext {
  /** The client's index in the run. */
  index: number;
  /** The Baileys version under test. */
  version: string;
  /** The client's own socket URL: the server attributes every connection on it to this client. */
  wsUrl: string;
  trustedPublicKey: Buffer;
  /** The provisioned session: a multi-file directory, or a SQLite file for the reference supervisor. */
  store: { type: 'file' | 'sqlite'; path: string };
  /** The run's supervisor settings, time-scaled (the reference supervisor's declared policy). */
  config: SupervisorConfig;
  seed: number;
  clock: Clock;
  /** Where the client may keep its files (a HOME, logs). */
  workDir: string;
  /** Run in its own process (the scenario kills clients or shapes their packets). */
  ownProcess: boolean;
  /** A network namespace to run in (packet faults); only process bots can. */
  netns?: string;
  /** Wait limit for a kill that waits for the next session write. */
  writeWaitMs: number;
  /** The Baileys module of the version under test, loaded and trusting the server (in-process bots). */
  baileys?: BaileysModule;
}

export interface BotClient {
  /** The bot's self-report, on the harness clock. */
  readonly events: EventStream<BotReport>;
  /** Why it failed to run, if it did (a process's last error lines): a harness or setup error. */
  readonly error?: string;
  start(): Promise<void>;
  /** Stops it and releases everything it holds; never throws. */
  stop(): Promise<void>;
  /** SIGKILL, then a restart on the same session as a process manager would (process bots only). */
  kill?(order: KillOrder): Promise<void>;
  /** A clock fault on the client's own wall clock (bots that can take one). */
  clockFault?(op: 'jump' | 'skew' | 'drift' | 'reset', value?: number): void;
  /** True once the bot has ended for good by its own decision (a stop, a process exit not restarted). */
  readonly ended?: boolean;
  /** Where it keeps its session, when that is its own choice (a command bot's directory); default: the context's store. */
  readonly sessionDir?: string;
  /**
   * Has it finished starting, by its own word (a gateway whose channel keeps setting up after the
   * login)? Absent: the server's open is enough. Only delays the first fault: never a verdict.
   */
  readonly ready?: boolean;
}

export interface Bot {
  /** How reports and replay lines name it: "reference", "supervisor ./x.ts", "module ./bot.mjs", "command 'node bot.js'", "openclaw". */
  readonly label: string;
  /** The flags that select it again (for replay lines). */
  readonly flags: string[];
  /**
   * Where its clients run: in the harness process (given `ctx.baileys`), each in its own process,
   * or either (the reference supervisor: its own process when a scenario kills or shapes packets).
   */
  readonly where: 'in-process' | 'process' | 'either';
  /** The session store it reads: 'any' (the reference supervisor) or Baileys' multi-file format. */
  readonly store: 'any' | 'file';
  /**
   * Its reconnect policy, if it declares one (the reference supervisor's config): the recovery
   * bound derives from it. Others are held to the run's recovery SLO.
   */
  readonly declaresPolicy: boolean;
  /** Can it take a clock fault on its own wall clock? */
  readonly clockFaults: boolean;
  /** Can a scenario kill it (a process restarted on the same session)? */
  readonly killable: boolean;
  /** How long a client may take to log in at start (default 30 s; a gateway that boots slowly needs more). */
  readonly startTimeoutMs?: number;
  /**
   * The most of its runs to run at once when --jobs is not given, in virtual time (default: one
   * per core). A bot whose start-up fills a core says fewer: runs beside it would be inflated.
   */
  readonly defaultJobs?: number;
  /**
   * The speed its runs take when none is given (default DEFAULT_SPEED, harness/time/warp.ts): a bot
   * whose verdicts or recovery moved from real time's at that speed in the fidelity bench says a
   * slower one (README "Virtual time").
   */
  readonly defaultSpeed?: number;
  /** Checks it can run at all (a module that loads, a command that exists); throws a one-line error. */
  prepare?(): Promise<void>;
  client(ctx: BotClientContext): BotClient | Promise<BotClient>;
}

/** Has the bot said it stopped for good? Only ends the run's wait for it early: never a verdict. */
export const saidStopped = (events: EventStream<BotReport>): boolean => events.list().some((e) => e.type === 'stopped');

/** A bot that could not be run as asked: a setup problem, not a verdict on the bot. */
export class BotSetupError extends Error {
  override name = 'BotSetupError';
}
