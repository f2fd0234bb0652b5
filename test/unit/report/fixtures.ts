/** Hand-built runs and headers for the report tests. */
import type { ReportHeader } from '../../../harness/report/build.js';
import type { RunReport } from '../../../harness/report/schema.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';

export function run(over: Partial<RunReport> & { recover?: (number | null)[] }): RunReport {
  const { recover = [1000], ...rest } = over;
  return {
    id: `${over.scenario ?? 's'}/${over.version ?? 'v'}/${over.setting ?? 'default'}/${over.runIndex ?? 0}`,
    scenario: 's',
    version: 'v',
    setting: 'default',
    runIndex: 0,
    seed: 1,
    replay: 'baileys-chaos replay s:1',
    schedule: [],
    verdict: 'valid',
    invariants: [{ invariant: 'recovers', client: 0, verdict: 'valid', message: 'ok' }],
    metrics: recover.map((r, client) => ({ client, detectMs: [100], recoverMs: r, attempts: 2, delaysMs: [], availability: 0.9, qrRePairs: 0, sessionsLost: 0, maxOpenPerDevice: 1 })),
    windowMs: 60_000,
    wallMs: 1000,
    attemptsPerMinute: 2,
    stormPeakPerSecond: 1,
    timeline: [],
    ...rest,
  };
}

export const header: ReportHeader = { kind: 'run', seed: 7, timeScale: 0.04, bot: 'reference', versions: ['v'], scenarios: ['s'], settings: [{ label: 'default', values: {}, config: DEFAULT_SUPERVISOR_CONFIG }] };
