/**
 * report.json — the data every report is written from. Versioned: a reader refuses a schema
 * version it does not know. All times in the report are real-world milliseconds: measured times
 * divided by the run's time scale, except the fixed allowances named in `fixedAllowances`, which
 * cannot scale (Baileys' keep-alive adds a fixed 5 s before declaring 408).
 * Documented in README ("report.json").
 */
import type { Schedule } from '../faults/schedule.js';
import type { InvariantResult, Verdict } from '../invariants.js';
import type { ClientMetrics } from '../recorder/metrics.js';
import type { MessageMetrics } from '../messages/metrics.js';
import type { SupervisorConfig } from '../supervisor/config.js';

export const REPORT_SCHEMA = 'baileys-chaos/report';
export const REPORT_SCHEMA_VERSION = 1;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** ISO 8601. */
  createdAt: string;
  tool: { name: string; version: string };
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; node: string; memoryGiB: number };
  /** What produced it: run, compare, tune, check (a merge keeps the shards' kind). */
  kind: 'run' | 'compare' | 'tune' | 'check';
  /** The seed every run's schedule derives from. */
  seed: number;
  /** Every duration of a run was multiplied by this; report times are divided by it again. */
  timeScale: number;
  fixedAllowances: { name: string; ms: number }[];
  /** Present when the report holds one shard of a larger run. */
  shard?: { index: number; count: number };
  /** Present when the plan was stopped (SIGINT, SIGTERM): the report holds the runs that finished. */
  interrupted?: { signal: string; plannedRuns: number; finishedRuns: number };
  /** Virtual time (--speed): the clock ran k times faster; what ran warped and what kept real time. timeScale is 1. */
  speed?: { k: number; warped: string[]; realTime: string[] };
  /**
   * The bot under test: "reference" (the reference supervisor), "supervisor ./x.ts",
   * "module ./bot.mjs", "command 'node bot.js'", "openclaw". Reports written before this field was
   * renamed call it `supervisor`; parseReport reads them into `bot`.
   */
  bot: string;
  versions: string[];
  scenarios: string[];
  /** Settings compared (tune); a single "default" setting otherwise. */
  settings: Setting[];
  runs: RunReport[];
  /** One row per scenario × version × setting. */
  summary: SummaryRow[];
  tune?: TuneSummary;
}

export interface Setting {
  /** Short label, e.g. "baseDelay=500 backoffFactor=1.2", or "default". */
  label: string;
  /** The varied parameters' values (empty for "default"). */
  values: Record<string, number>;
  /** The supervisor config at real-world scale. */
  config: SupervisorConfig;
}

/** The CPU a run used over its real duration (measured by harness/runner/cpu-share.ts). */
export interface CpuShare {
  /** CPU ms the run used (this process, and its bot processes where `withChildren`). */
  cpuMs: number;
  /** The run's real duration, ms: its clock time divided by the speed. */
  realMs: number;
  /** cpuMs / realMs: above 1 on several cores. */
  share: number;
  withChildren: boolean;
  /** Most other runs in flight during it (--jobs), each in its own process: the CPU counted is this run's; they shared the cores. */
  alongsideRuns?: number;
}

export interface RunReport {
  /** Unique within the report: `${scenario}/${version}/${setting}/${runIndex}`. */
  id: string;
  scenario: string;
  version: string;
  setting: string;
  runIndex: number;
  /** This run's own seed: its schedule and RNG come from it. */
  seed: number;
  /** Paste-ready: re-runs exactly this schedule. */
  replay: string;
  schedule: Schedule;
  /**
   * valid · invalid (an invariant failed: the bot is blamed) · unknown (the window ended before a
   * check could decide: fails run, check and JUnit unless --allow-unknown) · error (the harness
   * could not run or observe the scenario as asked; `error` names the cause; never counted as
   * unknown, never blamed on the bot).
   */
  verdict: Verdict;
  invariants: InvariantResult[];
  /** Per client, in real-world ms, from the server's record (`selfReported`: the bot's own account, shown, never judged). */
  metrics: ClientMetrics[];
  /** Observation window length, real-world ms. */
  windowMs: number;
  /** Wall-clock time the run took on this machine, ms (not scaled; on the virtual clock under --speed). */
  wallMs: number;
  /**
   * The CPU the run used over its real duration (harness/runner/cpu-share.ts): near or above 1 (per
   * core used), machine work dominated and, under --speed, timings were inflated by it.
   * Absent in reports written before it was measured.
   */
  cpu?: CpuShare;
  /** Connection attempts per minute over the window, all clients together (real-world). */
  attemptsPerMinute: number;
  /** Most connection attempts the server saw within any one real-world second (storm peak). */
  stormPeakPerSecond: number;
  /**
   * Runs with message traffic only (absent otherwise, so reports without it read as before): the
   * messages the harness sent and what the server saw become of them (harness/messages/metrics.ts;
   * firstHandledAfterLastFaultMs in real-world ms).
   */
  messages?: MessageMetrics;
  timeline: TimelinePoint[];
  /** Which Toxiproxy carried the network faults, when the schedule had any: the real server ("binary", "url", "docker") or the embedded one. */
  toxiproxy?: 'url' | 'binary' | 'docker' | 'embedded';
  /** What the run observed about itself worth saying (a bot that ran its own Baileys, not the version under test). */
  notes?: string[];
  /**
   * Set when the verdict is `error`: why the harness could not run or observe the scenario (a fault
   * that could not be applied, Toxiproxy refusing a proxy, no network namespace, a bot command that
   * does not start). Reports from before `error` was a verdict had it with verdict unknown;
   * parseReport reads those as `error`.
   */
  error?: string;
}

/** One event of a run, in real-world ms from the start of the observation window. */
export interface TimelinePoint {
  t: number;
  /**
   * server: what the fake server saw (the evidence verdicts and metrics are judged from);
   * fault: applied/cleared; client: what the bot said about itself (shown, never judged).
   */
  source: 'client' | 'fault' | 'server';
  /** The client the point belongs to (server and client points); absent for faults. */
  client?: number;
  /**
   * server: attempt (an upgrade the server saw, even one it refused) | open (logged in and active) |
   * closed | login-refused | registration, and in runs with message traffic message-queued |
   * message-sent | message-receipted | message-decrypt-failed | message-answered |
   * message-undecryptable | message-acked (detail: the inbound message's id) | message-key-reused (detail: the bot's message sealed with a used key); fault: fault-applied | fault-cleared; client: attempt | open | close | qr | stopped |
   * decision | watchdog-expired | store-error.
   */
  type: string;
  /** A close's status code: for a server `closed`, the code the server sent (absent when the client or the network ended it). */
  code?: number;
  /** server closed: the close reason; fault: "#index kind ..."; client: decision action, stop reason. */
  detail?: string;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface SummaryRow {
  scenario: string;
  version: string;
  setting: string;
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  /** Runs the harness could not carry out (verdict error). */
  error: number;
  /** invalid if any run is invalid, else error if any is error, else unknown if any is unknown, else valid. */
  verdict: Verdict;
  /** Clients over every run of the row (one recovery each). */
  clients: number;
  /** Of those, clients not open again by the end of the window (recoverMs null). */
  notRecovered: number;
  /**
   * Time to recover after the last fault cleared (real-world ms), nearest rank over the clients
   * that recovered — but never hiding the ones that did not: with k of n clients not recovered,
   * p99 and max are null when k > 0, p95 when k/n ≥ 5 %, p50 when k/n ≥ 50 % (the percentile lies
   * among the unrecovered: "∞ (not recovered)" in report.md). With notRecovered 0, null means no
   * data (no client, or no fault).
   */
  recoveryMs: Percentiles;
  /**
   * Recovery less each client's last login (summarize.ts, reconnectMs): the last fault cleared →
   * the attempt that logged in for good, real-world ms; null as in recoveryMs. What the CI gate
   * compares: it is set by the bot's own decisions (its backoff, its restarts), where the login
   * after it is CPU work that a busy machine, and virtual time K-fold, stretch.
   */
  reconnectMs: Percentiles;
  /** The last login of each recovered client (attempt → open, server side), real-world ms: shown, not gated. */
  loginMs: Percentiles;
  /** Time to detect a fault (applied → first close), real-world ms. */
  detectMs: Percentiles;
  attemptsPerRun: number;
  attemptsPerMinute: number;
  stormPeakPerSecond: number;
  qrRePairs: number;
  sessionsLost: number;
  /** Mean share of the window clients were open, 0..1. */
  availability: number;
  /** Message counts summed over the row's runs with traffic (absent when none had any). */
  messages?: MessageSummary;
  /** Per invariant: how many (run, client) checks were valid/invalid/unknown/error (runs with verdict error left out). */
  invariants: { name: string; valid: number; invalid: number; unknown: number; error: number }[];
}

export interface MessageSummary {
  runs: number;
  sent: number;
  delivered: number;
  receipted: number;
  answered: number;
  lost: number;
  unknown: number;
  /** Not handled, and not expected to be: the device went rightly down (logged out, replaced). */
  notExpected: number;
  duplicated: number;
  decryptFailures: number;
  decryptFailuresNotReceipted: number;
  /** Queued while the device was down, and of those handled by the end (absent in reports written before they were counted). */
  queuedWhileDown?: number;
  queuedHandled?: number;
  /** Time to the first handled message after the last fault (real-world ms), nearest rank over runs. */
  firstHandledAfterLastFaultMs: Percentiles;
}

export interface TuneSummary {
  /** The varied parameters, as given to --vary (e.g. "reconnect.baseDelay"). */
  parameters: string[];
  /** The user's config document the sweep edited (empty when none was given). */
  baseDocument: Record<string, unknown>;
  points: TunePoint[];
  /** The recommended setting's label, and the block to paste into openclaw.json. */
  recommended: { setting: string; openclawBlock: Record<string, unknown> };
}

export interface TunePoint {
  setting: string;
  values: Record<string, number>;
  /** Recovery p95, real-world ms (lower is better); null as in SummaryRow.recoveryMs (no data, or ≥ 5 % not recovered). */
  recoveryP95Ms: number | null;
  /** Clients over the setting's runs, and those not open again by the end of the window. */
  clients: number;
  notRecovered: number;
  /** Reconnect pressure: attempts per minute (lower is better). */
  attemptsPerMinute: number;
  stormPeakPerSecond: number;
  invalid: number;
  /** Not dominated on (recoveryP95Ms, attemptsPerMinute) by any other point. */
  pareto: boolean;
}
