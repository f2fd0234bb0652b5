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
  /** The supervisor under test: "reference" or the module path given with --supervisor. */
  supervisor: string;
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
  verdict: Verdict;
  invariants: InvariantResult[];
  /** Per client, in real-world ms. */
  metrics: ClientMetrics[];
  /** Observation window length, real-world ms. */
  windowMs: number;
  /** Wall-clock time the run took on this machine, ms (not scaled). */
  wallMs: number;
  /** Connection attempts per minute over the window, all clients together (real-world). */
  attemptsPerMinute: number;
  /** Most connection attempts the server saw within any one real-world second (storm peak). */
  stormPeakPerSecond: number;
  timeline: TimelinePoint[];
  /** Which Toxiproxy carried the network faults, when the schedule had any: the real server ("binary", "url", "docker") or the embedded one. */
  toxiproxy?: 'url' | 'binary' | 'docker' | 'embedded';
  /** Set when the run could not be carried out (crash, bad setup); the verdict is then unknown. */
  error?: string;
}

/** One event of a run, in real-world ms from the start of the observation window. */
export interface TimelinePoint {
  t: number;
  /** client: the supervisor's events; fault: applied/cleared; server: connection opened/closed. */
  source: 'client' | 'fault' | 'server';
  client?: number;
  /**
   * client: attempt | open | close | qr | stopped | decision | watchdog-expired | store-error;
   * fault: fault-applied | fault-cleared; server: open | closed.
   */
  type: string;
  /** A close's status code. */
  code?: number;
  /** Fault kind and a short description, decision action, stop reason. */
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
  /** invalid if any run is invalid, else unknown if any is unknown, else valid. */
  verdict: Verdict;
  /** Time to recover after the last fault cleared, over every client of every run (real-world ms). */
  recoveryMs: Percentiles;
  /** Time to detect a fault (applied → first close), real-world ms. */
  detectMs: Percentiles;
  attemptsPerRun: number;
  attemptsPerMinute: number;
  stormPeakPerSecond: number;
  qrRePairs: number;
  sessionsLost: number;
  /** Mean share of the window clients were open, 0..1. */
  availability: number;
  /** Per invariant: how many (run, client) checks were valid/invalid/unknown. */
  invariants: { name: string; valid: number; invalid: number; unknown: number }[];
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
  /** Recovery p95, real-world ms (lower is better). */
  recoveryP95Ms: number | null;
  /** Reconnect pressure: attempts per minute (lower is better). */
  attemptsPerMinute: number;
  stormPeakPerSecond: number;
  invalid: number;
  /** Not dominated on (recoveryP95Ms, attemptsPerMinute) by any other point. */
  pareto: boolean;
}
