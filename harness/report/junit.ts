/**
 * junit.xml — one test case per scenario × version (× setting) × invariant, for CI test tabs.
 * A case fails when any of its (run, client) checks is invalid; a case whose checks include an
 * unknown and no invalid is reported as skipped with the reason ("undecided"), never as passed.
 * Each failure lists the failing runs with their messages and replay lines.
 */
import type { Report } from './schema.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function renderJunit(report: Report): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  for (const row of report.summary) {
    const suiteName = `${row.scenario} on Baileys ${row.version}${row.setting === 'default' ? '' : ` [${row.setting}]`}`;
    const runs = report.runs.filter((r) => r.scenario === row.scenario && r.version === row.version && r.setting === row.setting);
    const wallS = runs.reduce((a, r) => a + r.wallMs, 0) / 1000;
    const cases: string[] = [];
    // A run that could not be carried out has no invariant results: it is a case of its own.
    const names = [...row.invariants.map((i) => i.name), ...(runs.some((r) => r.error) ? ['the run completes'] : [])];
    for (const name of names) {
      const checks = runs.flatMap((r) =>
        name === 'the run completes'
          ? r.error
            ? [{ run: r, verdict: 'unknown' as const, message: r.error, client: 0 }]
            : []
          : r.invariants.filter((i) => i.invariant === name).map((i) => ({ run: r, verdict: i.verdict, message: i.message, client: i.client })),
      );
      const bad = checks.filter((c) => c.verdict === 'invalid');
      const undecided = checks.filter((c) => c.verdict === 'unknown');
      const detail = (cs: typeof checks) => cs.map((c) => `${c.run.id} client ${c.client}: ${c.message}\n  replay: ${c.run.replay}`).join('\n');
      let body = '';
      if (bad.length) {
        failures++;
        body = `\n      <failure message="${escape(`${bad.length} of ${checks.length} checks invalid: ${bad[0]!.message}`)}">${escape(detail(bad))}</failure>\n    `;
      } else if (undecided.length) {
        skipped++;
        body = `\n      <skipped message="${escape(`undecided: ${undecided.length} of ${checks.length} checks unknown (the observation window ended first): ${undecided[0]!.message}`)}"/>\n    `;
      }
      total++;
      cases.push(`    <testcase classname="${escape(suiteName)}" name="${escape(name)}" time="${(wallS / Math.max(1, names.length)).toFixed(3)}">${body}</testcase>`);
    }
    suites.push(
      `  <testsuite name="${escape(suiteName)}" tests="${cases.length}" failures="${cases.filter((c) => c.includes('<failure')).length}" skipped="${cases.filter((c) => c.includes('<skipped')).length}" time="${wallS.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="baileys-chaos ${report.kind} (seed ${report.seed}, time scale ${report.timeScale})" tests="${total}" failures="${failures}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
