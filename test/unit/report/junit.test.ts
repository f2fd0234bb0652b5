import { expect, test } from 'vitest';
import { buildReport } from '../../../harness/report/build.js';
import { HARNESS_CASE, renderJunit } from '../../../harness/report/junit.js';
import { header, run } from './fixtures.js';

const testcase = (xml: string, name: string) => {
  const m = new RegExp(`<testcase [^>]*name="${name}"[^>]*>([\\s\\S]*?)</testcase>`).exec(xml);
  if (!m) throw new Error(`no testcase ${name} in\n${xml}`);
  return m[1]!;
};

const unknownRun = run({ runIndex: 1, verdict: 'unknown', invariants: [{ invariant: 'recovers', client: 0, verdict: 'unknown', message: 'window ended 3 s after the last fault' }] });

test('an unknown check is a failure with the undecided reason', () => {
  const xml = renderJunit(buildReport(header, [run({}), unknownRun], new Date(0)));
  const body = testcase(xml, 'recovers');
  expect(body).toMatch(/<failure message="undecided: 1 of 2 checks unknown \(the observation window ended first\): window ended 3 s after the last fault/);
  expect(body).not.toContain('<skipped');
  expect(xml).toMatch(/<testsuites [^>]*tests="1" failures="1" errors="0" skipped="0"/);
});

test('with allowUnknown an unknown check is skipped, never passed', () => {
  const xml = renderJunit(buildReport(header, [run({}), unknownRun], new Date(0)), { allowUnknown: true });
  expect(testcase(xml, 'recovers')).toMatch(/<skipped message="undecided: .*window ended 3 s after the last fault \(allowed: --allow-unknown\)"\/>/);
  expect(xml).toMatch(/<testsuites [^>]*failures="0" errors="0" skipped="1"/);
});

test('an error run is an <error> naming its cause, apart from the invariant cases; invalid stays a failure', () => {
  const broken = run({ runIndex: 2, verdict: 'error', error: 'Toxiproxy refused the proxy "wa": port in use\n    at stack', invariants: [{ invariant: 'recovers', client: 0, verdict: 'invalid', message: 'ignored: not observed' }], metrics: [] });
  const invalid = run({ runIndex: 3, verdict: 'invalid', invariants: [{ invariant: 'stops after 401', client: 0, verdict: 'invalid', message: '3 attempts after being logged out' }] });
  const xml = renderJunit(buildReport(header, [run({}), broken, invalid], new Date(0)));
  const harness = testcase(xml, HARNESS_CASE);
  expect(harness).toMatch(/<error message="1 run\(s\) could not be carried out \(not blamed on the bot\): Toxiproxy refused the proxy &quot;wa&quot;: port in use">/);
  expect(harness).toContain('s/v/default/2: Toxiproxy refused');
  // The error run's own checks are not judged.
  expect(testcase(xml, 'recovers')).toBe('');
  expect(testcase(xml, 'stops after 401')).toMatch(/<failure message="1 of 1 checks invalid: 3 attempts after being logged out">/);
  expect(xml).toMatch(/<testsuite [^>]*tests="3" failures="1" errors="1" skipped="0"/);
  expect(xml).toMatch(/<testsuites [^>]*tests="3" failures="1" errors="1" skipped="0"/);
});
