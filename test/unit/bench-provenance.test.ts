/** Bench provenance: a section not re-measured keeps its own stamp; a fresh stamp names its command and commit. */
import { expect, test } from 'vitest';
import { keptStamps, provenance } from '../../bench/provenance.js';

const KEYS = { logins: ['baileys', 'ratios'], crash: ['crashDuringSessionWrites'], scenarios: ['scenarioSuite'] };

test('sections kept from an earlier file keep their own stamps, never the new date', () => {
  const old = provenance('npm run bench -- --only crash');
  const previous = { baileys: [], crashDuringSessionWrites: {}, provenance: { crash: { ...old, date: '2026-11-20T00:00:00.000Z' } }, date: '2026-11-21T00:00:00.000Z', machine: { cpus: 2 } };
  const kept = keptStamps(previous, KEYS);
  expect(kept.crash!.date).toBe('2026-11-20T00:00:00.000Z');
  // logins was in the file with no stamp of its own: the file's one date, marked approximate.
  expect(kept.logins).toMatchObject({ date: '2026-11-21T00:00:00.000Z', approximate: expect.stringMatching(/may be older/) });
  // scenarios was never measured: no stamp at all.
  expect(kept.scenarios).toBeUndefined();
});

test('a fresh stamp has the date, the commit, whether the tree was dirty, the machine and the command', () => {
  const p = provenance('npm run bench -- --only logins');
  expect(p.commit).toMatch(/^[0-9a-f]{40}$/);
  expect(typeof p.dirty).toBe('boolean');
  expect(p.machine.cpus).toBeGreaterThan(0);
  expect(p.command).toBe('npm run bench -- --only logins');
  expect(Date.now() - Date.parse(p.date)).toBeLessThan(60_000);
});
