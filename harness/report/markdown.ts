/**
 * report.md — the summary a CI job posts: verdicts and recovery percentiles per scenario ×
 * version × setting, versions side by side when there are several, the tune table, and every
 * failing run with its replay line. Times are real-world (measured ÷ time scale).
 */
import type { Report, SummaryRow } from './schema.js';
import { formatMs } from './format.js';

const VERDICT_MARK = { valid: '✅ valid', invalid: '❌ invalid', unknown: '❔ unknown' } as const;

function table(header: string[], rows: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function summaryTable(rows: SummaryRow[], withSetting: boolean): string {
  return table(
    ['scenario', 'version', ...(withSetting ? ['setting'] : []), 'verdict', 'runs (✅/❌/❔)', 'recovery p50', 'p95', 'p99', 'detect p50', 'attempts/run', 'attempts/min', 'storm peak/s', 'QR re-pairs', 'sessions lost', 'availability'],
    rows.map((s) => [
      s.scenario,
      s.version,
      ...(withSetting ? [s.setting] : []),
      VERDICT_MARK[s.verdict],
      `${s.runs} (${s.valid}/${s.invalid}/${s.unknown})`,
      formatMs(s.recoveryMs.p50),
      formatMs(s.recoveryMs.p95),
      formatMs(s.recoveryMs.p99),
      formatMs(s.detectMs.p50),
      s.attemptsPerRun.toFixed(1),
      s.attemptsPerMinute.toFixed(1),
      String(s.stormPeakPerSecond),
      String(s.qrRePairs),
      String(s.sessionsLost),
      `${(s.availability * 100).toFixed(1)} %`,
    ]),
  );
}

/** Versions as columns: one row per scenario (and setting), recovery p95 and verdict per version. */
function sideBySide(report: Report): string {
  const keys = [...new Set(report.summary.map((s) => JSON.stringify([s.scenario, s.setting])))].map((k) => JSON.parse(k) as [string, string]);
  const withSetting = report.settings.length > 1;
  return table(
    ['scenario', ...(withSetting ? ['setting'] : []), ...report.versions.map((v) => `${v} recovery p50 / p95`), ...report.versions.map((v) => `${v} verdict`)],
    keys.map(([scenario, setting]) => {
      const row = (v: string) => report.summary.find((s) => s.scenario === scenario && s.setting === setting && s.version === v);
      return [
        scenario,
        ...(withSetting ? [setting] : []),
        ...report.versions.map((v) => (row(v) ? `${formatMs(row(v)!.recoveryMs.p50)} / ${formatMs(row(v)!.recoveryMs.p95)}` : '—')),
        ...report.versions.map((v) => (row(v) ? VERDICT_MARK[row(v)!.verdict] : '—')),
      ];
    }),
  );
}

export function renderMarkdown(report: Report): string {
  const count = (v: string) => report.runs.filter((r) => r.verdict === v).length;
  const overall = count('invalid') ? 'invalid' : count('unknown') ? 'unknown' : 'valid';
  const out: string[] = [
    `# baileys-chaos ${report.kind}: ${VERDICT_MARK[overall]}`,
    '',
    `${report.runs.length} runs: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown. ` +
      `Seed ${report.seed}, time scale ${report.timeScale} (times below are real-world: measured ÷ ${report.timeScale}), ` +
      `supervisor ${report.supervisor}, Baileys ${report.versions.join(', ')}${report.shard ? `, shard ${report.shard.index}/${report.shard.count}` : ''}.`,
    `Fixed allowances that do not scale: ${report.fixedAllowances.map((a) => `${a.name} (${formatMs(a.ms)})`).join(', ') || 'none'}.`,
    toxiproxyLine(report),
    '',
    '## Summary',
    '',
    summaryTable(report.summary, report.settings.length > 1),
  ];
  if (report.versions.length > 1) out.push('', '## Versions side by side', '', sideBySide(report));
  if (report.tune) {
    const t = report.tune;
    out.push(
      '',
      '## Tune: recovery against reconnect pressure',
      '',
      table(
        ['', 'setting', 'recovery p95', 'attempts/min', 'storm peak/s', 'invalid runs'],
        [...t.points]
          .sort((a, b) => (a.recoveryP95Ms ?? Infinity) - (b.recoveryP95Ms ?? Infinity))
          .map((p) => [p.setting === t.recommended.setting ? '★' : p.pareto ? 'front' : '', p.setting, formatMs(p.recoveryP95Ms), p.attemptsPerMinute.toFixed(1), String(p.stormPeakPerSecond), String(p.invalid)]),
      ),
      '',
      `Recommended (★, on the Pareto front, nearest the ideal corner): \`${t.recommended.setting}\`. Paste into openclaw.json:`,
      '',
      '```json',
      JSON.stringify(t.recommended.openclawBlock, null, 2),
      '```',
    );
  }
  const failing = report.runs.filter((r) => r.verdict !== 'valid');
  if (failing.length) {
    out.push('', '## Runs not valid', '');
    for (const r of failing) {
      out.push(`- ${VERDICT_MARK[r.verdict]} **${r.id}**${r.error ? ` — error: ${r.error}` : ''}`);
      for (const i of r.invariants.filter((i) => i.verdict !== 'valid')) out.push(`  - ${i.verdict} · client ${i.client} · ${i.invariant}: ${i.message}`);
      out.push(`  - replay: \`${r.replay}\``);
    }
  }
  return out.join('\n') + '\n';
}

/** Which Toxiproxy carried the network faults: the real server or the embedded twin, in how many runs. */
function toxiproxyLine(report: Report): string {
  const kinds = new Map<string, number>();
  for (const r of report.runs) if (r.toxiproxy) kinds.set(r.toxiproxy, (kinds.get(r.toxiproxy) ?? 0) + 1);
  const name = (k: string) => (k === 'embedded' ? 'the embedded one' : `the real server (${k})`);
  return kinds.size ? `Network faults through Toxiproxy: ${[...kinds].map(([k, n]) => `${name(k)} in ${n} run(s)`).join(', ')}.` : 'No network faults through Toxiproxy in these runs.';
}
