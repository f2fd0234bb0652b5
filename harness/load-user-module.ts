/**
 * Loads a module the user names (--bot, --supervisor): JavaScript directly, TypeScript through
 * tsx, so a bot written in TypeScript runs without a build step, from a clone or an installed
 * package alike. tsx is registered for the whole process (not a namespaced tsImport) so the
 * user's `import { Supervisor } from 'baileys-chaos'` is the very class the harness checks against.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
let tsxRegistered = false;

export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  if (TYPESCRIPT.test(path) && !tsxRegistered && !import.meta.url.endsWith('.ts')) {
    // From dist/ no TypeScript loader runs yet (a clone runs under tsx or vitest already).
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  return (await import(url)) as Record<string, unknown>;
}
