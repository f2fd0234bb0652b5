import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { defaultBaileysDir, loadDefaultTokenDictionary, loadTokenDictionaryFrom } from '../../fake-server/protocol/tokens.js';
import { loadTokenDictionary } from '../../harness/baileys/tokens.js';
import { resolveBaileysPackage, versionsUnderTest } from '../../harness/baileys/versions.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bc-tokens-'));
  dirs.push(dir);
  return dir;
};

test.each(versionsUnderTest())('the server reads the same dictionary from Baileys %s as the harness gives it', async (version) => {
  const pkgJson = resolveBaileysPackage(version)!;
  const expected = await loadTokenDictionary();
  expect(expected.dictVersion).toBe(3);
  for (const where of [dirname(pkgJson), pathToFileURL(dirname(pkgJson)), pathToFileURL(pkgJson).href]) {
    expect(await loadTokenDictionaryFrom(where)).toEqual(expected);
  }
});

test('without a dictionary, the server finds a "baileys" or "@whiskeysockets/baileys" package from the current directory', async () => {
  const cwd = await tempDir();
  await mkdir(join(cwd, 'node_modules', '@whiskeysockets'), { recursive: true });
  const installed = dirname(resolveBaileysPackage(versionsUnderTest().at(-1)!)!);
  await symlink(installed, join(cwd, 'node_modules', '@whiskeysockets', 'baileys'));
  expect(defaultBaileysDir(cwd)).toBeDefined();
  expect(await loadDefaultTokenDictionary(cwd)).toEqual(await loadTokenDictionary());
});

test('with no Baileys package to read, starting without a dictionary is one line that says to pass one', async () => {
  // This repository installs Baileys only under version aliases ("baileys-<version>").
  const cwd = await tempDir();
  expect(defaultBaileysDir(cwd)).toBeUndefined();
  const err = await loadDefaultTokenDictionary(cwd).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/^Failed to load the WhatsApp token dictionary: no "@whiskeysockets\/baileys" or "baileys" package resolves .* pass the dictionary option/);
  expect((err as Error).message).not.toContain('\n');
});
