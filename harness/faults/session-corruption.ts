/**
 * Session faults applied before a client starts: the creds truncated, emptied, garbled or deleted,
 * in either store, as a crash or a bad disk leaves them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const CORRUPTION_MODES = ['truncate', 'empty', 'garble', 'delete'] as const;
export type CorruptionMode = (typeof CORRUPTION_MODES)[number];

/** Corrupts the creds of a store ({type, path}); `rng` picks the bytes to garble. */
export async function corruptCreds(store: { type: 'file' | 'sqlite'; path: string }, mode: CorruptionMode, random: () => number): Promise<void> {
  const damage = (text: string): string | undefined => {
    switch (mode) {
      case 'truncate':
        return text.slice(0, Math.floor(text.length / 2));
      case 'empty':
        return '';
      case 'garble': {
        const chars = [...text];
        for (let i = 0; i < 8; i++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(33 + Math.floor(random() * 90));
        return chars.join('');
      }
      case 'delete':
        return undefined;
    }
  };
  if (store.type === 'file') {
    const file = join(store.path, 'creds.json');
    const next = damage(await readFile(file, 'utf8'));
    if (next === undefined) await rm(file);
    else await writeFile(file, next);
    return;
  }
  const db = new Database(store.path);
  try {
    const row = db.prepare('SELECT json FROM creds WHERE id = 1').get() as { json: string };
    const next = damage(row.json);
    if (next === undefined) db.prepare('DELETE FROM creds WHERE id = 1').run();
    else db.prepare('UPDATE creds SET json = ? WHERE id = 1').run(next);
  } finally {
    db.close();
  }
}
