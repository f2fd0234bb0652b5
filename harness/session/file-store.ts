/**
 * Baileys' own `useMultiFileAuthState`, untouched: what most bots run. The store only checks
 * creds.json before handing the directory to Baileys, because Baileys treats an unreadable
 * creds.json as "no creds" and silently starts a fresh pairing (real-world.md, failure 13).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaileysModule } from '../baileys/versions.js';
import { credsProblem, parseProblem, SessionStoreError, settleWritesOnClose, type LoadedSession, type LoadOptions, type SessionStore } from './store.js';

export class FileSessionStore implements SessionStore {
  readonly kind = 'file';
  constructor(readonly location: string) {}

  async load(baileys: BaileysModule, opts: LoadOptions = {}): Promise<LoadedSession> {
    const credsPath = join(this.location, 'creds.json');
    if (opts.replace) {
      // Not read at all: Baileys would adopt any JSON it parses (an array, a number) as the creds to save.
      await rm(credsPath, { force: true });
      return this.open(baileys);
    }
    let text: string | undefined;
    try {
      text = await readFile(credsPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SessionStoreError('corrupt', credsPath, (err as Error).message);
      if (!opts.allowNew) throw new SessionStoreError('missing', credsPath, 'no such file');
    }
    if (text !== undefined && !(opts.allowNew && !text.trim())) {
      let creds: unknown;
      try {
        creds = JSON.parse(text, baileys.BufferJSON.reviver);
      } catch (err) {
        throw new SessionStoreError(parseProblem(text, err), credsPath, (err as Error).message);
      }
      const problem = credsProblem(creds);
      if (problem) throw new SessionStoreError('corrupt', credsPath, problem);
      if (!(creds as { me?: unknown }).me && !opts.allowNew) throw new SessionStoreError('not-paired', credsPath, 'creds have no "me"');
    }
    return this.open(baileys);
  }

  private async open(baileys: BaileysModule): Promise<LoadedSession> {
    const { state, saveCreds } = await baileys.useMultiFileAuthState(this.location);
    return settleWritesOnClose({ state, saveCreds, close: async () => undefined });
  }
}
