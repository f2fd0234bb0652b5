/**
 * junit.xml — one test case per scenario × version (× setting) × invariant, for CI test tabs.
 * A case
 *   - fails (<failure>) when any of its (run, client) checks is invalid;
 *   - else errors (<error>) when a check could not be observed (verdict error);
 *   - else, when a check is unknown (the observation window ended before it could decide), fails
 *     (<failure>, message: the undecided check's reason) — or is skipped (<skipped>) with
 *     `allowUnknown` (--allow-unknown); an unknown is never reported as passed.
 * A run the harness could not carry out (verdict error) has no trustworthy checks: it is left out
 * of the invariant cases and is an <error> of the case "the harness runs the scenario", naming the
 * cause (not blamed on the bot). Each failure lists the runs with their messages and replay lines.
 */
import { timeBasis, type RenderOptions } from './format.js';
import type { Report } from './schema.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** The case an error run is reported under. */
export const HARNESS_CASE = 'the harness runs the scenario';

export function renderJunit(report: Report, opts: RenderOptions = {}): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const row of report.summary) {
    const suiteName = `${row.scenario} on Baileys ${row.version}${row.setting === 'default' ? '' : ` [${row.setting}]`}`;
    const runs = report.runs.filter((r) => r.scenario === row.scenario && r.version === row.version && r.setting === row.setting);
    const judged = runs.filter((r) => r.verdict !== 'error');
    const wallS = runs.reduce((a, r) => a + r.wallMs, 0) / 1000;
    const cases: string[] = [];
    const names = [...new Set(judged.flatMap((r) => r.invariants.map((i) => i.invariant))), ...(runs.some((r) => r.verdict === 'error') ? [HARNESS_CASE] : [])];
    let suiteFailures = 0;
    let suiteErrors = 0;
    let suiteSkipped = 0;
    for (const name of names) {
      const checks =
        name === HARNESS_CASE
          ? runs.filter((r) => r.verdict === 'error').map((r) => ({ run: r, verdict: 'error' as const, message: r.error?.split('\n')[0] || 'the harness could not run the scenario (no cause recorded)', client: -1 }))
          : judged.flatMap((r) => r.invariants.filter((i) => i.invariant === name).map((i) => ({ run: r, verdict: i.verdict, message: i.message, client: i.client })));
      const of = (v: string) => checks.filter((c) => c.verdict === v);
      const bad = of('invalid');
      const broken = of('error');
      const undecided = of('unknown');
      const detail = (cs: typeof checks) => cs.map((c) => `${c.run.id}${c.client >= 0 ? ` client ${c.client}` : ''}: ${c.message}\n  replay: ${c.run.replay}`).join('\n');
      let body = '';
      if (bad.length) {
        suiteFailures++;
        body = `\n      <failure message="${escape(`${bad.length} of ${checks.length} checks invalid: ${bad[0]!.message}`)}">${escape(detail(bad))}</failure>\n    `;
      } else if (broken.length) {
        suiteErrors++;
        const what = name === HARNESS_CASE ? `${broken.length} run(s) could not be carried out (not blamed on the bot)` : `${broken.length} of ${checks.length} checks could not be observed`;
        body = `\n      <error message="${escape(`${what}: ${broken[0]!.message}`)}">${escape(detail(broken))}</error>\n    `;
      } else if (undecided.length) {
        const message = `undecided: ${undecided.length} of ${checks.length} checks unknown (the observation window ended first): ${undecided[0]!.message}`;
        if (opts.allowUnknown) {
          suiteSkipped++;
          body = `\n      <skipped message="${escape(`${message} (allowed: --allow-unknown)`)}"/>\n    `;
        } else {
          suiteFailures++;
          body = `\n      <failure message="${escape(`${message} (pass --allow-unknown to accept)`)}">${escape(detail(undecided))}</failure>\n    `;
        }
      }
      cases.push(`    <testcase classname="${escape(suiteName)}" name="${escape(name)}" time="${(wallS / Math.max(1, names.length)).toFixed(3)}">${body}</testcase>`);
    }
    total += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    skipped += suiteSkipped;
    suites.push(`  <testsuite name="${escape(suiteName)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="${suiteSkipped}" time="${wallS.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="baileys-chaos ${escape(report.kind)} (seed ${report.seed}, ${escape(timeBasis(report))})" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
