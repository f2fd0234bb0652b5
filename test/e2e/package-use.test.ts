/**
 * What a user of the installed package meets that the CLI tests do not: an on-demand install that
 * fails names npm's own reason; scenarioSuite with a version that is not installed fails with that
 * reason, not an invariant; doctor names the Baileys it found and where. (The packed tarball in a
 * fresh project is scripts/pack-check.sh, run by .ci/run.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('an on-demand install that npm cannot finish: exit 4 with npm\'s own reason, not "the registry"', async () => {
  // 6.17.16 (npm's latest tag today) has a GitHub-only dependency that this kind of machine cannot fetch.
  const cache = await tempDir();
  const r = await runCli(['run', '--scenario', 'stream-errors', '--runs', '1', '--baileys', '6.17.16', '--quiet'], { env: { BAILEYS_CHAOS_CACHE: cache }, timeoutMs: 300_000 });
  expect(r.code, r.stderr).toBe(4);
  expect(r.stderr).toMatch(/Failed to install Baileys 6\.17\.16 into the cache: .*github\.com/);
  expect(r.stderr).not.toMatch(/registry/);
}, 320_000);

test('scenarioSuite with a version that is not installed fails with the install\'s reason, not an invariant', async () => {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'chaos.test.ts'),
    `import { scenarioSuite } from ${JSON.stringify(join(ROOT, 'harness', 'vitest.ts'))};
import { SCENARIOS } from ${JSON.stringify(join(ROOT, 'scenarios', 'index.ts'))};
scenarioSuite([SCENARIOS['stream-errors']], { versions: ['6.7.99'], numRuns: 1 });
`,
  );
  await mkdir(join(dir, 'cache'));
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--root', dir], { cwd: dir, env: { ...process.env, BAILEYS_CHAOS_CACHE: join(dir, 'cache'), CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, out).toBe(1);
  expect(out).toMatch(/Failed to use Baileys 6\.7\.99: no such version of @whiskeysockets\/baileys on npm/);
  expect(out).not.toMatch(/invariant/i);
}, 180_000);

test('doctor names the Baileys it found and where, and exits 0 when Node and a Baileys are here', async () => {
  const r = await runCli(['doctor', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const findings = JSON.parse(r.stdout) as { part: string; found?: string; missing?: string; enables: string }[];
  expect(findings.map((f) => f.part)).toEqual(expect.arrayContaining(['Node', 'Baileys', 'Toxiproxy server', 'nftables + network namespaces', 'libfaketime', 'Chromium']));
  // This repository has no @whiskeysockets/baileys of its own: the pinned versions stand in.
  expect(findings.find((f) => f.part === 'Baileys')!.found).toMatch(/pinned beside baileys-chaos: 6\.7\.21, 7\.0\.0-rc14/);
  for (const f of findings) expect(f.found ?? f.missing, f.part).toBeTruthy();
}, 60_000);

test('doctor in a directory with a project of its own names that Baileys', async () => {
  const dir = await tempDir();
  const pkg = join(dir, 'node_modules', 'baileys');
  await mkdir(join(pkg, 'lib'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'baileys', version: '7.0.0-rc.9' }));
  await writeFile(join(pkg, 'lib', 'index.js'), '');
  const r = await runCli(['doctor'], { env: { BAILEYS_CHAOS_PROJECT: dir } });
  expect(r.stdout).toMatch(new RegExp(`ok +Baileys: baileys 7\\.0\\.0-rc\\.9 \\(${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
}, 60_000);
