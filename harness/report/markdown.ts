/**
 * report.md — the summary a CI job posts: verdicts and recovery percentiles per scenario ×
 * version × setting (with the clients that never recovered), versions side by side when there are
 * several, the tune table, and every run that is not valid with its replay line, the failing
 * checks and, per failing client, the server's record of it beside the faults (the evidence the
 * verdict was judged from); for a run the harness could not carry out (error), the cause.
 * Times are real-world: virtual ms with real-world settings (older reports: measured ÷ time scale).
 */
import type { ClientMetrics } from '../recorder/metrics.js';
import type { Report, RunReport, SummaryRow, TimelinePoint } from './schema.js';
import { formatMs, formatRecovery, overallVerdict, timeBasis, type RenderOptions } from './format.js';

export const VERDICT_MARK = { valid: '✅ valid', invalid: '❌ invalid', unknown: '❔ unknown', error: '⚠️ error' } as const;

/** Evidence lines per failing client, beyond which the middle is elided ("… N more"). */
export const MAX_EVIDENCE_LINES = 30;

function table(header: string[], rows: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function summaryTable(rows: SummaryRow[], withSetting: boolean): string {
  return table(
    ['scenario', 'version', ...(withSetting ? ['setting'] : []), 'verdict', 'runs (✅/❌/❔/⚠️)', 'recovery p50', 'p95', 'p99', 'not recovered', 'detect p50', 'attempts/run', 'attempts/min', 'storm peak/s', 'QR re-pairs', 'sessions lost', 'availability'],
    rows.map((s) => [
      s.scenario,
      s.version,
      ...(withSetting ? [s.setting] : []),
      VERDICT_MARK[s.verdict],
      `${s.runs} (${s.valid}/${s.invalid}/${s.unknown}/${s.error ?? 0})`,
      formatRecovery(s.recoveryMs.p50, s.notRecovered),
      formatRecovery(s.recoveryMs.p95, s.notRecovered),
      formatRecovery(s.recoveryMs.p99, s.notRecovered),
      `${s.notRecovered ?? 0}/${s.clients ?? 0}`,
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

const MESSAGES_NOTE =
  'Inbound messages the harness sent, and what the server saw become of them: delivered (written to the bot), receipted, answered (answering bots), lost (not receipted — not answered, for an answering bot — by the end of the window), unknown (sent within the grace before the end), not expected (the device went rightly down: logged out, replaced), answered twice; decrypt failures (retry receipts) and those never receipted after; queued while the bot was down (delivered at its next login) and how many of those were handled; the first message handled after the last fault.';

/** Message counts per scenario × version × setting, summed over its runs with traffic. */
function messagesTable(rows: SummaryRow[], withSetting: boolean): string {
  return table(
    ['scenario', 'version', ...(withSetting ? ['setting'] : []), 'runs', 'sent', 'delivered', 'receipted', 'answered', 'lost', 'unknown', 'not expected', 'answered twice', 'decrypt failures (not receipted after)', 'queued while down (handled)', 'first handled after last fault p50 / max'],
    rows.flatMap((s) => {
      const m = s.messages;
      if (!m) return [];
      const first = m.firstHandledAfterLastFaultMs;
      return [[s.scenario, s.version, ...(withSetting ? [s.setting] : []), String(m.runs), String(m.sent), String(m.delivered), String(m.receipted), String(m.answered), String(m.lost), String(m.unknown), String(m.notExpected), String(m.duplicated), `${m.decryptFailures} (${m.decryptFailuresNotReceipted})`, `${m.queuedWhileDown ?? 0} (${m.queuedHandled ?? 0})`, `${formatMs(first.p50)} / ${formatMs(first.max)}`]];
    }),
  );
}

/** One line of a run's message counts (runs with traffic). */
export function messagesLine(m: NonNullable<RunReport['messages']>): string {
  const first = m.firstHandledAfterLastFaultMs === null ? 'nothing handled after the last fault' : `first ${m.answers ? 'answer' : 'receipt'} ${formatMs(m.firstHandledAfterLastFaultMs)} after the last fault`;
  return `messages (${m.perMinute}/min${m.answers ? ', answering bot' : ''}): ${m.sent} sent, ${m.delivered} delivered, ${m.receipted} receipted${m.answers ? `, ${m.answered} answered` : ''}, ${m.lost} lost${m.lostIds.length ? ` (${m.lostIds.slice(0, 5).join(', ')}${m.lostIds.length > 5 ? ', …' : ''})` : ''}, ${m.unknown} unknown, ${m.notExpected ? `${m.notExpected} not expected (the device rightly down), ` : ''}${m.duplicated} answered twice, ${m.decryptFailures.messages} decrypt failure(s) (${m.decryptFailures.receiptedAfterRetry} receipted after a retry)${m.keyReused ? `, ${m.keyReused} sealed with a reused message key` : ''}${m.offline?.queued ? `, ${m.offline.queued} queued while down (${m.offline.deliveredAtLogin} delivered at a later login, ${m.offline.handled} handled)` : ''}; ${first}`;
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
        ...report.versions.map((v) => {
          const r = row(v);
          return r ? `${formatRecovery(r.recoveryMs.p50, r.notRecovered)} / ${formatRecovery(r.recoveryMs.p95, r.notRecovered)}${r.notRecovered ? ` (not recovered ${r.notRecovered}/${r.clients})` : ''}` : '—';
        }),
        ...report.versions.map((v) => (row(v) ? VERDICT_MARK[row(v)!.verdict] : '—')),
      ];
    }),
  );
}

export function renderMarkdown(report: Report, opts: RenderOptions = {}): string {
  const count = (v: string) => report.runs.filter((r) => r.verdict === v).length;
  const overall = overallVerdict(report.runs.map((r) => r.verdict));
  const out: string[] = [
    `# baileys-chaos ${report.kind}: ${VERDICT_MARK[overall]}${overall === 'unknown' && opts.allowUnknown ? ' (allowed: --allow-unknown)' : ''}`,
    '',
    `${report.runs.length} runs: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown, ${count('error')} error. ` +
      `Seed ${report.seed}, ${timeBasis(report)}, ` +
      `bot under test: ${report.bot}, Baileys ${report.versions.join(', ')}${report.shard ? `, shard ${report.shard.index}/${report.shard.count}` : ''}.`,
    `Verdicts are judged from the fake server's record. Unknown (the window ended before a check could decide) ${opts.allowUnknown ? 'is allowed here (--allow-unknown)' : 'fails, as invalid does (pass --allow-unknown to accept it)'}; error (the harness could not run the scenario as asked) is not blamed on the bot.`,
    `Fixed allowances that do not scale: ${report.fixedAllowances.map((a) => `${a.name} (${formatMs(a.ms)})`).join(', ') || 'none'}.`,
    toxiproxyLine(report),
    ...(report.speed ? [`**Virtual time x${report.speed.k}** (libfaketime): real-world settings on a clock ${report.speed.k} times faster; times below are virtual. Warped: ${report.speed.warped.join(', ')}. Real time: ${report.speed.realTime.join('; ')}.${cpuShareLine(report)}`] : []),
    ...(report.interrupted ? [`**Interrupted** by ${report.interrupted.signal}: ${report.interrupted.finishedRuns} of ${report.interrupted.plannedRuns} planned runs finished; only they are judged here.`] : []),
    ...notesLines(report),
    '',
    '## Summary',
    '',
    summaryTable(report.summary, report.settings.length > 1),
  ];
  if (report.summary.some((s) => s.messages)) out.push('', '## Messages', '', MESSAGES_NOTE, '', messagesTable(report.summary, report.settings.length > 1));
  if (report.versions.length > 1) out.push('', '## Versions side by side', '', sideBySide(report));
  if (report.tune) {
    const t = report.tune;
    out.push(
      '',
      '## Tune: recovery against reconnect pressure',
      '',
      table(
        ['', 'setting', 'recovery p95', 'not recovered', 'attempts/min', 'storm peak/s', 'invalid runs'],
        [...t.points]
          .sort((a, b) => (a.recoveryP95Ms ?? Infinity) - (b.recoveryP95Ms ?? Infinity))
          .map((p) => [p.setting === t.recommended.setting ? '★' : p.pareto ? 'front' : '', p.setting, formatRecovery(p.recoveryP95Ms, p.notRecovered), `${p.notRecovered ?? 0}/${p.clients ?? 0}`, p.attemptsPerMinute.toFixed(1), String(p.stormPeakPerSecond), String(p.invalid)]),
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
    for (const r of failing) out.push(...runNotValid(r));
  }
  return out.join('\n') + '\n';
}

/**
 * One run that is not valid: its replay line; for an error run the cause; otherwise per failing
 * client its not-valid checks and the server's record of it beside the faults, then the checks
 * not tied to one client.
 */
export function runNotValid(r: RunReport): string[] {
  const lines: string[] = [];
  if (r.verdict === 'error') {
    const [first = 'no cause recorded', ...more] = (r.error ?? '').trim().split('\n');
    lines.push(`- ${VERDICT_MARK.error} **${r.id}** — the harness could not run it as asked (not blamed on the bot): ${first}`, `  - replay: \`${r.replay}\``);
    if (more.length) lines.push('  - details:', ...fenced([...more.slice(0, 12), ...(more.length > 12 ? [`… ${more.length - 12} more`] : [])], '    '));
    return lines;
  }
  lines.push(`- ${VERDICT_MARK[r.verdict]} **${r.id}**${r.error ? ` — ${r.error.split('\n')[0]}` : ''}`, `  - replay: \`${r.replay}\``);
  if (r.messages) lines.push(`  - ${messagesLine(r.messages)}`);
  const notValid = r.invariants.filter((i) => i.verdict !== 'valid');
  const clients = [...new Set(notValid.map((i) => i.client).filter((c) => c >= 0))].sort((a, b) => a - b);
  for (const client of clients) {
    lines.push(`  - client ${client}${clientLine(r.metrics.find((m) => m.client === client))}`);
    for (const i of notValid.filter((i) => i.client === client)) lines.push(`    - ${VERDICT_MARK[i.verdict]} · ${i.invariant}: ${i.message}`);
    lines.push('    - evidence, server side (real-world time from the window\'s start), with the faults:', ...fenced(evidenceLines(r.timeline, client), '      '));
  }
  for (const i of notValid.filter((i) => i.client < 0)) lines.push(`  - ${VERDICT_MARK[i.verdict]} · the run · ${i.invariant}: ${i.message}`);
  return lines;
}

function clientLine(m: ClientMetrics | undefined): string {
  if (!m) return '';
  const recovery = m.recoverMs === null ? 'not open again by the end of the window' : `open again ${formatMs(m.recoverMs)} after the last fault`;
  const said = m.selfReported ? `; the bot reported ${m.selfReported.attempts} attempt(s)${m.selfReported.stopped ? `, stopped (${m.selfReported.stopped})` : ''} (shown, not judged)` : '';
  return ` — the server saw ${m.attempts} attempt(s), ${recovery}${said}`;
}

const fenced = (lines: string[], indent: string) => [`${indent}\`\`\``, ...lines.map((l) => `${indent}${l}`), `${indent}\`\`\``];

/**
 * The server's points for one client (attempt, open, closed with the code it sent and the reason)
 * and the run's fault points, in time order; past MAX_EVIDENCE_LINES the middle is elided.
 */
export function evidenceLines(timeline: TimelinePoint[], client: number, max = MAX_EVIDENCE_LINES): string[] {
  // Connection evidence: a run's message points (its traffic) are counted in its messages line instead.
  const points = timeline.filter((p) => (p.source === 'server' && p.client === client && !p.type.startsWith('message-')) || p.source === 'fault').sort((a, b) => a.t - b.t);
  const lines = points.map((p) => {
    const t = `${(p.t / 1000).toFixed(2).padStart(8)} s`;
    if (p.source === 'fault') return `${t}  fault   ${p.type.replace(/^fault-/, '')}${p.detail ? ` ${p.detail}` : ''}`;
    return `${t}  server  ${p.type}${p.code !== undefined ? ` ${p.code}` : ''}${p.detail ? ` (${p.detail})` : ''}`;
  });
  if (!points.some((p) => p.source === 'server')) lines.push(`the server saw nothing of client ${client} in the window`);
  if (lines.length <= max) return lines;
  const head = Math.ceil((max - 1) * 2 / 3);
  const tail = max - 1 - head;
  return [...lines.slice(0, head), `… ${lines.length - head - tail} more`, ...lines.slice(lines.length - tail)];
}

/** Notes runs made about themselves, once each (e.g. a bot that ignored the Baileys redirect). */
function notesLines(report: Report): string[] {
  const notes = [...new Set(report.runs.flatMap((r) => (r.notes ?? []).map((n) => `${r.version}: ${n}`)))];
  return notes.length ? ['', ...notes.map((n) => `> Note: ${n}`)] : [];
}

/** Which Toxiproxy carried the network faults: the real server or the embedded twin, in how many runs. */
function toxiproxyLine(report: Report): string {
  const kinds = new Map<string, number>();
  for (const r of report.runs) if (r.toxiproxy) kinds.set(r.toxiproxy, (kinds.get(r.toxiproxy) ?? 0) + 1);
  const name = (k: string) => (k === 'embedded' ? 'the embedded one' : `the real server (${k})`);
  return kinds.size ? `Network faults through Toxiproxy: ${[...kinds].map(([k, n]) => `${name(k)} in ${n} run(s)`).join(', ')}.` : 'No network faults through Toxiproxy in these runs.';
}

/** Under virtual time, how much of each run's real time was CPU: near 1 per core, its timings were inflated by machine work. */
function cpuShareLine(report: Report): string {
  const shares = report.runs.flatMap((r) => (r.cpu ? [r.cpu.share] : []));
  if (!shares.length) return '';
  const sorted = [...shares].sort((a, b) => a - b);
  return ` CPU per real second of a run (report.json runs[].cpu): median ${sorted[Math.floor((sorted.length - 1) / 2)]}, highest ${sorted.at(-1)}; near 1 or more, machine work dominated and timings were inflated.`;
}
