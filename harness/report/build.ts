/**
 * Assembles a Report from runs, and merges shards back into one. The summary and the tune table
 * are always recomputed from the runs, so a merged report equals the unsharded one.
 */
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { FIXED_ALLOWANCES } from '../bots/bounds.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type Report, type RunReport, type Setting, type TuneSummary } from './schema.js';
import { recommend, summarize, tunePoints } from './summarize.js';
import { applyValues } from '../supervisor/config.js';
import { OWN_PACKAGE } from '../package-root.js';
import { BadInputError } from '../errors.js';

const pkg = OWN_PACKAGE;

export interface ReportHeader {
  kind: Report['kind'];
  seed: number;
  timeScale: number;
  /** The bot under test, as Report.bot: "reference", "supervisor ./x.ts", "module ./bot.mjs", "command 'node bot.js'", "openclaw". */
  bot: string;
  versions: string[];
  scenarios: string[];
  settings: Setting[];
  shard?: { index: number; count: number };
  interrupted?: Report['interrupted'];
  speed?: Report['speed'];
  /** For tune: the varied keys and the user's config document (the recommendation edits it). */
  tune?: { parameters: string[]; document: unknown };
}

export function machineInfo(): Report['machine'] {
  const c = cpus();
  return { platform: process.platform, arch: process.arch, cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', node: process.version, memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

export function buildReport(header: ReportHeader, runs: RunReport[], createdAt: Date): Report {
  const { tune, ...rest } = header;
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: createdAt.toISOString(),
    tool: { name: pkg.name, version: pkg.version },
    machine: machineInfo(),
    fixedAllowances: FIXED_ALLOWANCES,
    ...rest,
    runs,
    summary: summarize(runs),
    ...(tune ? { tune: tuneSummary(runs, header.settings, tune) } : {}),
  };
}

function tuneSummary(runs: RunReport[], settings: Setting[], tune: { parameters: string[]; document: unknown }): TuneSummary {
  const points = tunePoints(runs, settings);
  const best = recommend(points);
  return {
    parameters: tune.parameters,
    baseDocument: (tune.document ?? {}) as Record<string, unknown>,
    points,
    recommended: best ? { setting: best.setting, openclawBlock: applyValues(tune.document, best.values) } : { setting: 'none (no setting recovered in every run)', openclawBlock: {} },
  };
}

/** A report file that cannot be read or merged: the caller's input (exit 2). */
export class ReportError extends BadInputError {
  override name = 'ReportError';
}

/**
 * Validates the envelope of a report read from disk, and reads older reports of this schema
 * version into today's fields: `supervisor` becomes `bot`; a run with an `error` and verdict
 * unknown (before `error` was a verdict) becomes verdict error. The summary is recomputed from the
 * runs, so every report is summarised by today's rules (SummaryRow.recoveryMs, notRecovered).
 */
export function parseReport(json: unknown, source: string): Report {
  const r = json as (Partial<Report> & { supervisor?: string }) | null;
  if (!r || typeof r !== 'object' || r.schema !== REPORT_SCHEMA) throw new ReportError(`Failed to read ${source}: not a baileys-chaos report (no "schema": "${REPORT_SCHEMA}"). Pass a report.json written by "baileys-chaos run".`);
  if (r.schemaVersion !== REPORT_SCHEMA_VERSION) throw new ReportError(`Failed to read ${source}: report schema version ${String(r.schemaVersion)}, this tool reads version ${REPORT_SCHEMA_VERSION}. Re-run it with this version of baileys-chaos.`);
  if (!Array.isArray(r.runs)) throw new ReportError(`Failed to read ${source}: "runs" is missing.`);
  const { supervisor, ...rest } = r;
  const runs = r.runs.map((run): RunReport => (run.error !== undefined && run.verdict === 'unknown' ? { ...run, verdict: 'error' } : run));
  return { ...rest, bot: r.bot ?? supervisor ?? 'unknown', runs, summary: summarize(runs) } as Report;
}

/** Shards of one plan back into one report: same seed, scale and bot under test, no run twice. */
export function mergeReports(parts: { report: Report; source: string }[], createdAt: Date): Report {
  if (parts.length === 0) throw new ReportError('Failed to merge: no reports given. Pass the shards\' report.json files.');
  const first = parts[0]!.report;
  for (const { report, source } of parts.slice(1)) {
    for (const key of ['seed', 'timeScale', 'bot', 'kind'] as const) {
      if (report[key] !== first[key]) throw new ReportError(`Failed to merge ${source}: its ${key} (${String(report[key])}) differs from ${parts[0]!.source} (${String(first[key])}). Merge shards of one run only.`);
    }
  }
  const seen = new Map<string, string>();
  const runs: RunReport[] = [];
  for (const { report, source } of parts)
    for (const run of report.runs) {
      if (seen.has(run.id)) throw new ReportError(`Failed to merge: run ${run.id} is in both ${seen.get(run.id)} and ${source}. Each shard must be a different --shard i/n.`);
      seen.set(run.id, source);
      runs.push(run);
    }
  const union = <T>(f: (r: Report) => T[], key: (t: T) => string = String) => [...new Map(parts.flatMap((p) => f(p.report)).map((t) => [key(t), t])).values()];
  const settings = union((r) => r.settings, (s) => s.label);
  const header: ReportHeader = {
    kind: first.kind,
    seed: first.seed,
    timeScale: first.timeScale,
    bot: first.bot,
    versions: union((r) => r.versions),
    scenarios: union((r) => r.scenarios),
    settings,
    ...(first.tune ? { tune: { parameters: first.tune.parameters, document: first.tune.baseDocument } } : {}),
  };
  // A shard that was stopped leaves the merged report incomplete: it says so.
  const stopped = parts.map((p) => p.report.interrupted).filter((i) => i !== undefined);
  if (stopped.length) header.interrupted = { signal: stopped[0]!.signal, plannedRuns: runs.length + stopped.reduce((a, i) => a + i.plannedRuns - i.finishedRuns, 0), finishedRuns: runs.length };
  return buildReport(header, runs, createdAt);
}
