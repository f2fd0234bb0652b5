import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { SUPPORTED_BAILEYS_VERSIONS } from '../../harness/baileys/versions.js';
import { withMoveTable } from '../e2e/server-moves.table.js';

test('README\'s server-move table is the one the e2e test checks (run "npm run readme:table" to refresh)', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toBe(withMoveTable(readme, SUPPORTED_BAILEYS_VERSIONS));
});
