/** On-demand installs: callers in one process asking for the same version share one install. */
import { expect, test } from 'vitest';
import { ensureBaileysVersion } from '../../harness/baileys/install.js';

test('a second caller for a version waits for the install under way instead of starting its own (its rm would pull the first one\'s files away)', async () => {
  const first = ensureBaileysVersion('not-a-version');
  const second = ensureBaileysVersion('not-a-version');
  expect(second).toBe(first);
  await expect(first).rejects.toThrow(/not a version number/);
  // Settled: the next caller tries again.
  const third = ensureBaileysVersion('not-a-version');
  expect(third).not.toBe(first);
  await expect(third).rejects.toThrow(/not a version number/);
});
